/**
 * What a new user hit (issue 7), as `chaos validate` shows it: every mistake in parameters,
 * tolerances, aliases and names is exit 2 with file:line:col, never an internal error.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chaos, REPO, scratch } from "./cli.js";

async function validate(yaml: string) {
  const dir = scratch();
  writeFileSync(join(dir, "exp.yaml"), yaml);
  const r = await chaos(["validate", "exp.yaml"], { cwd: dir });
  // The CLI names the file by its full path; the tests read it relative to the directory.
  return { ...r, stderr: r.stderr.split(`${dir}/`).join("") };
}

describe("chaos validate on a new user's mistakes", () => {
  it("a fault duration that is no ISO 8601 duration is bad input at its line", async () => {
    const r = await chaos(["validate", "kinesis-throttle", "--var", "duration=PT-5S"], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(/kinesis-throttle\.yaml:\d+:\d+: method\[0\]\.with\.duration: expected .*PT1M and PT12H.*, found "PT-5S"/);
  });

  it("tolerances that do not fit the probe: unknown fields, NaN, unknown operators, out of range; all at once", async () => {
    const r = await validate(
      [
        "title: t",
        "steady-state-hypothesis:",
        "  title: h",
        "  probes:",
        "    - probe: http-slo",
        "      with: { service: web }",
        '      tolerance: { availabilty: ">= 0.999", p95: NaN }',
        "    - probe: http-slo",
        "      with: { service: web }",
        '      tolerance: { p95: "*= 300ms", availability: ">= 199.9%" }',
        "method:",
        "  - fault: task-kill",
        "    target: { cluster: web, select: COUNT(99999999999999999999999) }",
        "",
      ].join("\n"),
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n").map((l) => l.replace(/: expected.*/, ""))).toEqual([
      "exp.yaml:7:20: steady-state-hypothesis.probes[0].tolerance.availabilty",
      "exp.yaml:7:50: steady-state-hypothesis.probes[0].tolerance.p95",
      "exp.yaml:10:25: steady-state-hypothesis.probes[1].tolerance.p95",
      "exp.yaml:10:51: steady-state-hypothesis.probes[1].tolerance.availability",
      "exp.yaml:13:37: method[0].target.select",
      "5 errors in 1 file",
    ]);
    expect(r.stderr).toContain("(did you mean `availability`?)");
  });

  it("an alias with no anchor is reported where it is written", async () => {
    const r = await validate("title: t\nmethod:\n  - probe: http-slo\n    with: { service: *web }\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^exp\.yaml:4:22: method\[0\]\.with\.service: .*`\*web`/);
  });

  it("a misspelt fault or probe gets a did-you-mean", async () => {
    const r = await validate("title: t\nmethod:\n  - fault: spot-interupt\n  - probe: http-sol\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^exp\.yaml:3:12: method\[0\]\.fault: .*\(did you mean `spot-interrupt`\?\)/m);
    expect(r.stderr).toMatch(/^exp\.yaml:4:12: method\[1\]\.probe: .*\(did you mean `http-slo`\?\)/m);
  });
});

describe("chaos validate of a .json experiment", () => {
  it("says where its JSON breaks in JSON's words, at file:line:col, not the YAML parser's", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "exp.json"), '{\n  "title": "t",\n  "method": [\n    { "pause": "PT1S" }\n    { "pause": "PT2S" }\n  ]\n}\n');
    const r = await chaos(["validate", "exp.json"], { cwd: dir });
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr.split(`${dir}/`).join("")).toBe("exp.json:5:5: (document): expected valid JSON: `,` or `]` after an array element, found `{`\n1 error in 1 file\n");
  });
});

describe("chaos validate's total", () => {
  it("follows the errors, counting them and the files that have them among all those given; the good files' lines are on stdout", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "bad.yaml"), "title: t\nmethod:\n  - fault: spot-interupt\n  - probe: http-sol\n");
    const r = await chaos(["validate", "spot-interrupt", "bad.yaml", "no-such-experiment"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ok {2}spot-interrupt: /);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^chaos: no experiment named "no-such-experiment"/);
    expect(lines.at(-1)).toBe("3 errors in 2 of 3 files");
  });

  it("counts one error in words, and is not printed when every file is valid", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "bad.yaml"), "title: t\nmethod:\n  - pause: PT3X\n");
    const bad = await chaos(["validate", "bad.yaml"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n").at(-1)).toBe("1 error in 1 file");
    const good = await chaos(["validate", "spot-interrupt", "task-kill"], { cwd: dir });
    expect([good.code, good.stderr]).toEqual([0, ""]);
  });
});

describe("chaos validate of a space file, a suite or a game-day runbook", () => {
  it("checks the catalog's own as what they are, by the loader of the command that reads each (exit 0)", async () => {
    const r = await chaos(["validate", "experiments/spaces/spot-headroom.yaml", "experiments/suites/release.yaml", "experiments/gamedays/kinesis-and-spot.yaml", "spot-interrupt"], { cwd: REPO });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ok {2}experiments\/spaces\/spot-headroom\.yaml: space file for chaos explore, judged by experiments\/spot-interrupt\.yaml: interrupt-one-spot-instance; up to 3 faults/);
    expect(lines[1]).toBe("ok  experiments/suites/release.yaml: suite for chaos gate: Release gate (4 experiments, 4 runs)");
    expect(lines[2]).toBe("ok  experiments/gamedays/kinesis-and-spot.yaml: game-day runbook for chaos gameday: Spot, task kills and Kinesis throttling on the web tier (3 steps, 1 pre-check)");
    expect(lines[3]).toMatch(/^ok {2}spot-interrupt: A spot interruption/);
  });

  it("reports each kind's own mistakes at their lines, never the experiment schema's, all files at once (exit 2)", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "experiments", "suites"), { recursive: true });
    writeFileSync(join(dir, "suite.yaml"), "title: Bad gate\nexperiments:\n  - experiment: spot-interupt\n    weight: 11\n");
    // A typo in the very key that says what the file is: its directory does.
    writeFileSync(join(dir, "experiments", "suites", "typo.yaml"), "title: typo\nexperiment:\n  - experiment: task-kill\n");
    writeFileSync(join(dir, "day.yaml"), "title: day\nroles: { facilitator: me }\nsteps:\n  - experiment: task-kill\n    timebox: 10\n");
    writeFileSync(join(dir, "space.yaml"), "explore: spot-interrupt\nmaxFaults: 99\n");
    const r = await chaos(["validate", "suite.yaml", "experiments/suites/typo.yaml", "day.yaml", "space.yaml"], { cwd: dir });
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr.split(`${dir}/`).join("").trim().split("\n")).toEqual([
      "suite.yaml:3:17: experiments[0].experiment: expected an experiment's name (./experiments, then the catalog) or a path relative to the suite file (did you mean `spot-interrupt`?), found \"spot-interupt\": no experiment of that name",
      "suite.yaml:4:13: experiments[0].weight: expected a weight from 0 to 10, found 11",
      "experiments/suites/typo.yaml:1:1: experiments: expected a list of experiments, found nothing",
      "experiments/suites/typo.yaml:2:1: experiment: expected one of `title`, `description`, `experiments` or `gate` (did you mean `experiments`?), found the unknown key `experiment`",
      "day.yaml:5:14: steps[0].timebox: expected a duration such as PT10M, 90s or 1h (a bare number has no unit), found 10",
      "space.yaml:2:12: maxFaults: expected a whole number of at most 10, found 99",
      "6 errors in 4 files",
    ]);
    expect(r.stderr).not.toMatch(/method|steady-state/);
  });

  it("refuses --var for a suite, whose entries carry their own vars, rather than ignoring it", async () => {
    const r = await chaos(["validate", "experiments/suites/release.yaml", "--var", "duration=PT1M"], { cwd: REPO });
    expect([r.code, r.stdout, r.stderr]).toEqual([2, "", "chaos: experiments/suites/release.yaml: --var and --var-file apply to experiments and space files; this is a suite file (for chaos gate), whose entries carry their own vars\n1 error in 1 file\n"]);
  });
});

describe("chaos validate of an AWS FIS experiment template", () => {
  const FIS = join(REPO, "fixtures/fis");

  it("checks it as chaos run --fis-template does, in either shape, and fills its ${name} from --var", async () => {
    const dir = scratch();
    const template = JSON.parse(readFileSync(join(FIS, "valid/spot-interrupt.json"), "utf8")) as Record<string, unknown>;
    // As `aws fis get-experiment-template` prints it, with an account left for --var.
    const got = JSON.stringify({ experimentTemplate: { id: "EXT1", ...template, roleArn: "arn:aws:iam::${account}:role/fis" } }, null, 2);
    writeFileSync(join(dir, "got.json"), got);
    const r = await chaos(["validate", join(FIS, "valid/kinesis-throttle.json"), "got.json", "--var", "account=111122223333"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {2}\S+kinesis-throttle\.json: FIS experiment template for chaos run --fis-template: kinesis-throttle: .* \(1 action, 1 target\)$/m);
    expect(r.stdout).toMatch(/^ok {2}got\.json: FIS experiment template for chaos run --fis-template, as get-experiment-template prints it: spot-interrupt: .* \(3 actions, 2 targets\)$/m);
    const unfilled = await chaos(["validate", "got.json"], { cwd: dir });
    expect(unfilled.code).toBe(2);
    expect(unfilled.stderr).toMatch(/^got\.json:\d+:\d+: experimentTemplate\.roleArn: expected a value for it: --var account=VALUE with --fis-template, or in the fis-template step's vars \(none given\), found `\$\{account\}`\n1 error in 1 file\n$/);
  });

  it("reports what FIS would refuse at its line, and refuses --var-file, which a template does not read", async () => {
    const dir = scratch();
    const r = await chaos(["validate", join(FIS, "invalid/spot-interrupt-instances-key.json")], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spot-interrupt-instances-key\.json:\d+:\d+: actions\.\S+\.targets\.Instances: expected a template FIS accepts, found ValidationException: /);
    expect(r.stderr).not.toMatch(/expected one of `version`, `title`/);
    writeFileSync(join(dir, "vars.yaml"), "configuration: { account: '1' }\n");
    const withFile = await chaos(["validate", join(FIS, "valid/kinesis-throttle.json"), "--var-file", "vars.yaml"], { cwd: dir });
    expect(withFile.code).toBe(2);
    expect(withFile.stderr).toContain("--var-file applies to experiments and space files; this is a FIS experiment template");
  });
});
