/**
 * `chaos gameday`: unattended (--auto), at a terminal (a pseudo-terminal from util-linux `script`),
 * past a timebox, and interrupted with SIGINT: each leaves a record that says what happened, and
 * a stopped step's rollbacks have run.
 */
import { vi, describe, expect, it, onTestFinished } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHAOS_COMMANDS } from "../../src/schedule/chaos-precheck-args.js";
import { chaos, CLI, freePort, markerExperiment, REPO, scratch, servesForThisFile, start, until } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

const NODE = JSON.stringify(process.execPath);
const serve = servesForThisFile();

/** An experiment with one quick process action and nothing else. */
function quickExperiment(dir: string, name: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `title: ${name}\ndescription: quick\nmethod:\n  - type: action\n    name: touch\n    provider: { type: process, path: ${NODE}, arguments: ["-e", "1"] }\n`);
  return file;
}

/** first.yaml: one process action that leaves a marker file, whose path is returned (it exists once the step ran). */
function firstLeavesMarker(dir: string): string {
  const marker = join(dir, "first-ran");
  writeFileSync(
    join(dir, "first.yaml"),
    `title: first\ndescription: leaves a marker\nmethod:\n  - type: action\n    name: touch\n    provider: { type: process, path: ${NODE}, arguments: ["-e", ${JSON.stringify(`require("fs").writeFileSync(${JSON.stringify(marker)}, "ran")`)}] }\n`,
  );
  return marker;
}

function runbook(dir: string, body: string): string {
  mkdirSync(join(dir, "experiments", "gamedays"), { recursive: true });
  const file = join(dir, "experiments", "gamedays", "drill.yaml");
  writeFileSync(file, body);
  return file;
}

interface Record {
  status: string;
  abortReason?: string;
  mode: string;
  roles: { facilitator: string; observers: string[] };
  preChecks: { name: string; ok: boolean; detail: string }[];
  steps: { name: string; verdict: string; exitCode: number | null; journal: string; timeboxExceeded?: boolean }[];
  checkpoints: { after: string; answer: string; question: string; reason?: string }[];
  notes: { at: string; text: string }[];
}

function recordIn(dir: string, stdout: string): { json: Record; md: string } {
  const m = /record: (\S+)\/record\.json/.exec(stdout);
  if (!m) throw new Error(`no record printed:\n${stdout}`);
  return { json: JSON.parse(readFileSync(join(dir, m[1]!, "record.json"), "utf8")) as Record, md: readFileSync(join(dir, m[1]!, "record.md"), "utf8") };
}

const HEADER = `title: Drill
roles: { facilitator: Ana, observers: [Bo, Cy] }
`;

describe("chaos gameday --auto", () => {
  it("runs the steps in order, answers the checkpoints itself and writes the record with each step's verdict and journal", async () => {
    const dir = scratch();
    quickExperiment(dir, "first");
    quickExperiment(dir, "second");
    runbook(
      dir,
      `${HEADER}announcement:
  message: Drill starts now
  file: announce.txt
pre-checks:
  - name: node runs
    command: [${NODE}, -e, "process.exit(0)"]
steps:
  - experiment: ../../first.yaml
    checkpoint: go on?
  - experiment: ../../second.yaml
`,
    );
    const r = await chaos(["gameday", "drill", "--auto", "--seed", "5"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("\nfacilitator: Ana; observers: Bo, Cy\n");
    expect(r.stdout).toContain("Drill starts now");
    // announcement.file is relative to the runbook, as its steps are.
    expect(readFileSync(join(dir, "experiments", "gamedays", "announce.txt"), "utf8")).toBe("Drill starts now\n");
    expect(existsSync(join(dir, "announce.txt"))).toBe(false);
    expect(r.stdout).toContain("announcement written to experiments/gamedays/announce.txt\n");
    const { json, md } = recordIn(dir, r.stdout);
    expect(json.status).toBe("completed");
    expect(json.mode).toBe("auto");
    expect(json.roles).toEqual({ facilitator: "Ana", observers: ["Bo", "Cy"] });
    expect(json.preChecks).toEqual([{ name: "node runs", ok: true, detail: "exit code 0" }]);
    expect(json.steps.map((s) => [s.name, s.verdict])).toEqual([
      ["first", "held"],
      ["second", "held"],
    ]);
    for (const s of json.steps) expect(JSON.parse(readFileSync(join(dir, s.journal), "utf8")).status).toBe("completed");
    expect(json.checkpoints.map((c) => [c.after, c.question, c.answer])).toEqual([["first", "go on?", "auto"]]);
    expect(md).toMatch(/\| first \| \.\.\/\.\.\/first\.yaml \| .* \| held \|/);
  });

  it("rehearses the example runbook on the sandbox: spot-interrupt, task-kill, kinesis-throttle", { timeout: 300_000 }, async () => {
    const dir = scratch();
    const r = await chaos(["gameday", "kinesis-and-spot", "--auto", "--seed", "11"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { json } = recordIn(dir, r.stdout);
    expect(json.preChecks.map((p) => p.ok)).toEqual([true]);
    expect(json.steps.map((s) => [s.name, s.verdict])).toEqual([
      ["spot-interrupt", "held"],
      ["task-kill", "held"],
      ["kinesis-throttle", "held"],
    ]);
  });

  it("stops before any step when a pre-check fails, and says which", async () => {
    const dir = scratch();
    quickExperiment(dir, "first");
    runbook(dir, `${HEADER}pre-checks:\n  - command: [${NODE}, -e, "process.exit(3)"]\nsteps:\n  - experiment: ../../first.yaml\n`);
    const r = await chaos(["gameday", "drill", "--auto"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const { json } = recordIn(dir, r.stdout);
    expect(json.status).toBe("aborted");
    expect(json.abortReason).toMatch(/^pre-check .* \(\S+\.yaml:\d+\) failed: exit code 3$/);
    expect(json.steps).toEqual([]);
  });

  it("runs a chaos: pre-check against the game day's --target: one that nothing answers fails it before any step", async () => {
    const dir = scratch();
    const marker = firstLeavesMarker(dir);
    const target = `http://127.0.0.1:${await freePort()}`;
    runbook(dir, `${HEADER}pre-checks:\n  - chaos: [run, first.yaml, --dry]\nsteps:\n  - experiment: ../../first.yaml\n`);
    const r = await chaos(["gameday", "drill", "--auto", "--target", target], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain(`pre-check chaos run first.yaml --dry: FAILED (exit code 4: chaos: nothing is listening on ${target}`);
    expect(existsSync(marker)).toBe(false);
    const { json } = recordIn(dir, r.stdout);
    expect(json.steps).toEqual([]);
  });

  it("writes announcement.file relative to the runbook's directory, not the working directory; an absolute path as it is; --announce-file relative to the working directory", async () => {
    const dir = scratch();
    const work = join(dir, "work");
    const runbooks = join(dir, "runbooks");
    mkdirSync(work);
    mkdirSync(join(runbooks, "out"), { recursive: true });
    quickExperiment(runbooks, "first");
    const withFile = (file: string) => `${HEADER}announcement:\n  message: Drill starts now\n  file: ${JSON.stringify(file)}\nsteps:\n  - experiment: first.yaml\n`;
    writeFileSync(join(runbooks, "drill.yaml"), withFile("out/announce.txt"));
    const r = await chaos(["gameday", "../runbooks/drill.yaml", "--auto"], { cwd: work });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(runbooks, "out", "announce.txt"), "utf8")).toBe("Drill starts now\n");
    expect(existsSync(join(work, "out"))).toBe(false);
    expect(r.stdout).toContain(`announcement written to ${join(runbooks, "out", "announce.txt")}\n`);

    const absolute = join(dir, "absolute.txt");
    writeFileSync(join(runbooks, "drill.yaml"), withFile(absolute));
    const abs = await chaos(["gameday", "../runbooks/drill.yaml", "--auto"], { cwd: work });
    expect(abs.code, abs.stdout + abs.stderr).toBe(0);
    expect(readFileSync(absolute, "utf8")).toBe("Drill starts now\n");

    // The flag replaces the runbook's file (even one whose directory is missing here) and is the working directory's.
    writeFileSync(join(runbooks, "drill.yaml"), withFile("missing/announce.txt"));
    const flag = await chaos(["gameday", "../runbooks/drill.yaml", "--auto", "--announce-file", "slack.txt"], { cwd: work });
    expect(flag.code, flag.stdout + flag.stderr).toBe(0);
    expect(readFileSync(join(work, "slack.txt"), "utf8")).toBe("Drill starts now\n");
    expect(flag.stdout).toContain("announcement written to slack.txt\n");
  });

  it("says in words why --announce-file cannot be written (a directory in the way), not a bare errno code", async () => {
    const dir = scratch();
    const marker = firstLeavesMarker(dir);
    mkdirSync(join(dir, "slack"));
    runbook(dir, `${HEADER}announcement:\n  message: Drill starts now\nsteps:\n  - experiment: ../../first.yaml\n`);
    const r = await chaos(["gameday", "drill", "--auto", "--announce-file", "slack"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toBe(`chaos: --announce-file slack: cannot write the announcement: is a directory: ${join(dir, "slack")}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  // A file even root may not write, in a directory that exists (what the runbook's check asks): on Linux.
  it.runIf(process.platform === "linux")("says in words why the runbook's announcement.file cannot be written, at its line, not a bare errno code", async () => {
    const dir = scratch();
    const marker = firstLeavesMarker(dir);
    runbook(dir, `${HEADER}announcement:\n  message: Drill starts now\n  file: /proc/sys/kernel/osrelease\nsteps:\n  - experiment: ../../first.yaml\n`);
    const r = await chaos(["gameday", "drill", "--auto"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toBe(
      'experiments/gamedays/drill.yaml:5:9: announcement.file: expected a file to write the announcement to, relative to the runbook, in a directory that exists, found "/proc/sys/kernel/osrelease", which cannot be written: permission denied: /proc/sys/kernel/osrelease\n1 error\n',
    );
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses an announcement.file whose directory does not exist, at its line in the runbook, before anything starts", async () => {
    const dir = scratch();
    const marker = firstLeavesMarker(dir);
    runbook(dir, `${HEADER}announcement:\n  message: Drill starts now\n  file: notes/announce.txt\nsteps:\n  - experiment: ../../first.yaml\n`);
    const r = await chaos(["gameday", "drill", "--auto"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toBe(
      `experiments/gamedays/drill.yaml:5:9: announcement.file: expected a file to write the announcement to, relative to the runbook, in a directory that exists, found "notes/announce.txt": no directory ${join(dir, "experiments", "gamedays", "notes")}\n1 error\n`,
    );
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
    // chaos validate checks a runbook as chaos gameday does.
    const v = await chaos(["validate", "experiments/gamedays/drill.yaml"], { cwd: dir });
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('experiments/gamedays/drill.yaml:5:9: announcement.file: expected a file to write the announcement to, relative to the runbook, in a directory that exists, found "notes/announce.txt": no directory');
  });

  it("refuses an invalid runbook with file:line, field and what was expected", async () => {
    const dir = scratch();
    runbook(dir, `${HEADER}steps:\n  - experiment: spot-interrupt\n    timebox: 10\n`);
    const r = await chaos(["gameday", "drill", "--auto"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "experiments/gamedays/drill.yaml:5:14: steps[0].timebox: expected a duration such as PT10M, 90s or 1h (a bare number has no unit), found 10\n1 error\n",
    );
  });

  it("refuses a chaos: pre-check that cannot work (an unknown command, an experiment its command would not find) in chaos validate, --dry and the day itself, at its line, before anything starts", async () => {
    const dir = scratch();
    const marker = firstLeavesMarker(dir);
    // A pre-check runs in the working directory: first.yaml is found there, as chaos run finds it.
    runbook(dir, `${HEADER}pre-checks:\n  - chaos: [run, first.yaml, --dry]\nsteps:\n  - experiment: ../../first.yaml\n`);
    const ok = await chaos(["validate", "experiments/gamedays/drill.yaml"], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("(1 step, 1 pre-check)");
    runbook(dir, `${HEADER}pre-checks:\n  - chaos: [run, nope, --dry]\n  - chaos: [plna, first.yaml]\nsteps:\n  - experiment: ../../first.yaml\n`);
    const expected = [
      `experiments/gamedays/drill.yaml:4:18: pre-checks[0].chaos[1]: expected an experiment's name (./experiments, then the built-in catalog) or a path, as chaos run finds it in the working directory, where chaos gameday runs its pre-checks, found "nope": no experiment of that name`,
      `experiments/gamedays/drill.yaml:5:13: pre-checks[1].chaos[0]: expected one of chaos's commands (${CHAOS_COMMANDS.join(", ")}) (did you mean \`plan\`?), found "plna": no such command`,
    ];
    const v = await chaos(["validate", "experiments/gamedays/drill.yaml"], { cwd: dir });
    expect(v.code, v.stdout + v.stderr).toBe(2);
    expect(v.stderr).toBe(`${expected.join("\n")}\n2 errors in 1 file\n`);
    for (const mode of ["--dry", "--auto"]) {
      const r = await chaos(["gameday", "drill", mode], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toBe(`${expected.join("\n")}\n2 errors\n`);
      expect(r.stdout).toBe("");
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });

  it("knows every command chaos --help lists, so no pre-check of one of them is refused as unknown", async () => {
    const help = await chaos(["--help"], { cwd: scratch() });
    const listed = help.stdout.split("Commands:\n")[1]!.split("\n\n")[0]!.split("\n").map((line) => line.trim().split(" ")[0]);
    expect([...CHAOS_COMMANDS].sort()).toEqual(listed.sort());
  });

  it("refuses a step whose experiment or stack does not exist, at its line, before anything starts", async () => {
    const dir = scratch();
    quickExperiment(dir, "first");
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../first.yaml\n  - experiment: ../../secnod.yaml\n    stack: nowhere.yaml\n`);
    const r = await chaos(["gameday", "drill", "--auto"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'experiments/gamedays/drill.yaml:5:17: steps[1].experiment: expected an experiment\'s name (./experiments, then the catalog) or a path relative to the runbook, found "../../secnod.yaml": no such file',
        'experiments/gamedays/drill.yaml:6:12: steps[1].stack: expected a stack file, relative to the runbook, found "nowhere.yaml": no such file',
        "2 errors",
        "",
      ].join("\n"),
    );
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
    // --stack, for the steps that name none, is checked before anything starts too.
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../first.yaml\n`);
    const flag = await chaos(["gameday", "drill", "--auto", "--stack", "nope.yaml"], { cwd: dir });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/nope\.yaml: \(document\): expected a stack file, found no file at this path$/m);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
    // So are --region and --profile, which the embedded sandbox has no use for, and a --region that is no region.
    for (const [flags, message] of [
      [["--region", "eu-west-1"], /^chaos: --region applies only to endpoint and aws targets/],
      [["--profile", "staging"], /^chaos: --profile applies only to --target aws/],
      [["--target", "aws", "--region", "us-eest-1"], /^chaos: gameday: --region: expected a region such as "us-east-1"/],
    ] as const) {
      const r = await chaos(["gameday", "drill", "--auto", ...flags], { cwd: dir });
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(message)]);
      expect(existsSync(join(dir, ".gameday"))).toBe(false);
    }
  });

  it("on a served or real target, a step's stack (which describes the embedded sandbox) is not passed on, and --stack is refused before anything starts", async () => {
    const dir = scratch();
    quickExperiment(dir, "first");
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../first.yaml\n    stack: ${JSON.stringify(join(REPO, "fixtures", "stacks", "dereg-300.yaml"))}\n`);
    const served = await serve(["--seed", "7"]);
    const r = await chaos(["gameday", "drill", "--auto", "--target", served.endpoint], { cwd: dir });
    expect(r.stdout + r.stderr).not.toMatch(/--stack applies only/);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(recordIn(dir, r.stdout).json.steps.map((s) => s.verdict)).toEqual(["held"]);
    const refused = await chaos(["gameday", "drill", "--auto", "--target", served.endpoint, "--stack", join(REPO, "fixtures", "stacks", "default.yaml")], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--stack applies only to --target sandbox: http:\/\/127\.0\.0\.1:\d+ has whatever stack is deployed there/);
  });

  it("refuses a step's var that its experiment does not declare, at the key with a did-you-mean, before any step runs", async () => {
    const dir = scratch();
    const marker = firstLeavesMarker(dir);
    runbook(dir, `${HEADER}pre-checks:\n  - command: ["true"]\nsteps:\n  - experiment: ../../first.yaml\n  - experiment: task-kill\n    vars: { servce: web }\n`);
    const r = await chaos(["gameday", "drill", "--auto"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^experiments\/gamedays\/drill\.yaml:8:13: steps\[1\]\.vars\.servce: expected a key that \S+task-kill\.yaml declares in `configuration` or uses as \$\{name\}: .*\(did you mean `service`\?\), found `servce`, which it neither declares nor uses\n1 error\n$/,
    );
    // Nothing ran: not the pre-check's game day, not the first step.
    expect(r.stdout).toBe("");
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });

  it("refuses a step whose experiment names a broken stack of its own, before anything starts; a step stack or --stack in its place is what is checked", async () => {
    const dir = scratch();
    const marker = firstLeavesMarker(dir);
    writeFileSync(join(dir, "broken-stack.yaml"), "region: us-east-1\nclusters: 5\n");
    writeFileSync(join(dir, "second.yaml"), readFileSync(quickExperiment(dir, "second"), "utf8") + "extensions:\n  - name: gameday\n    stack: broken-stack.yaml\n");
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../first.yaml\n  - experiment: ../../second.yaml\n`);
    const r = await chaos(["gameday", "drill", "--auto"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/broken-stack\.yaml:2:11: clusters: expected a list, found 5$/m);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
    // Another stack in its place (the step's, or --stack for every step) is the one the run uses: the experiment's own is not read.
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../first.yaml\n  - experiment: ../../second.yaml\n    stack: ${JSON.stringify(join(REPO, "fixtures", "stacks", "default.yaml"))}\n`);
    const stepStack = await chaos(["gameday", "drill", "--auto"], { cwd: dir });
    expect(stepStack.code, stepStack.stdout + stepStack.stderr).toBe(0);
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../second.yaml\n`);
    const flagStack = await chaos(["gameday", "drill", "--auto", "--stack", join(REPO, "fixtures", "stacks", "default.yaml")], { cwd: dir });
    expect(flagStack.code, flagStack.stdout + flagStack.stderr).toBe(0);
  });

  it("reports an unknown experiment, a schema mistake and an undeclared var of different steps in one run", async () => {
    const dir = scratch();
    runbook(dir, `${HEADER}steps:\n  - experiment: spot-interupt\n    timebox: 10\n  - experiment: task-kill\n    vars: { servce: web }\n`);
    const r = await chaos(["gameday", "drill", "--auto"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^experiments\/gamedays\/drill\.yaml:4:17: steps\[0\]\.experiment: expected an experiment's name \(\.\/experiments, then the catalog\) or a path relative to the runbook \(did you mean `spot-interrupt`\?\), found "spot-interupt": no experiment of that name$/),
      expect.stringMatching(/^experiments\/gamedays\/drill\.yaml:5:14: steps\[0\]\.timebox: expected a duration/),
      expect.stringMatching(/^experiments\/gamedays\/drill\.yaml:7:13: steps\[1\]\.vars\.servce: expected a key that \S+task-kill\.yaml declares .*\(did you mean `service`\?\)/),
      "3 errors",
    ]);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });

  it("refuses a later step whose fault and probe parameters are wrong, as chaos validate does, before the first step runs", async () => {
    const dir = scratch();
    const marker = firstLeavesMarker(dir);
    writeFileSync(
      join(dir, "late.yaml"),
      ["title: late", "method:", "  - fault: spot-interrupt", "    target: { cluster: prod }", "    with: { durationBeforeInterruption: soon }", "  - probe: draining", "    with: { within: 30 }", ""].join("\n"),
    );
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../first.yaml\n  - experiment: ../../late.yaml\n`);
    const r = await chaos(["gameday", "drill", "--auto"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/late\.yaml:5:\d+: method\[0\]\.with\.durationBeforeInterruption: expected .*found "soon"/);
    expect(r.stderr).toMatch(/late\.yaml:7:\d+: method\[1\]\.with\.within: expected/);
    expect(r.stdout).toBe("");
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });

  it("without --auto and without a terminal, says that checkpoints need one", async () => {
    const dir = scratch();
    quickExperiment(dir, "first");
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../first.yaml\n`);
    const r = await chaos(["gameday", "drill"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("chaos: gameday: the checkpoints need a facilitator at a terminal; pass --auto for an unattended run\n");
  });
});

describe("a step's timebox and Ctrl-C", () => {
  it("stops a step that runs past its timebox: its rollback runs and the record says the timebox was exceeded", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    markerExperiment(dir, marker);
    quickExperiment(dir, "after");
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../marker.yaml\n    timebox: 8s\n  - experiment: ../../after.yaml\n`);
    // Real time (--speed 1): the experiment pauses for an hour; the timebox is 8 s, time enough for the step to start and place its marker on a busy machine.
    const running = start(["gameday", "drill", "--auto", "--speed", "1"], { cwd: dir });
    await until(() => existsSync(marker), "the step to place its marker");
    const r = await running.done;
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(existsSync(marker)).toBe(false);
    const { json } = recordIn(dir, r.stdout);
    expect(json.steps[0]).toMatchObject({ name: "marker", exitCode: 130, timeboxExceeded: true, verdict: "timebox exceeded: stopped after 8s (interrupted (rollbacks ran))" });
    // An unattended game day goes on with the next step and reports the overrun.
    expect(json.steps[1]).toMatchObject({ name: "after", verdict: "held" });
    // ... and does not call a day with an overrun "completed".
    expect(json.status).toBe("deviated");
  });

  it("a step's run killed with SIGKILL ends the game day as aborted before the next step, naming chaos recover", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    markerExperiment(dir, marker);
    const second = firstLeavesMarker(dir);
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../marker.yaml\n  - experiment: ../../first.yaml\n`);
    const running = start(["gameday", "drill", "--auto", "--speed", "1"], { cwd: dir });
    onTestFinished(() => void (running.child.exitCode === null && running.child.kill("SIGKILL")));
    await until(() => existsSync(marker), "the step to place its marker");
    // The step's `chaos run` (its pid is in its run.json), killed as the OOM killer or a `kill -9` would.
    const runs = join(dir, ".gameday", "runs");
    const [run] = readdirSync(runs);
    const { pid } = JSON.parse(readFileSync(join(runs, run!, "run.json"), "utf8")) as { pid: number };
    process.kill(pid, "SIGKILL");
    const r = await running.done;
    expect(r.code, r.stdout + r.stderr).toBe(4);
    // Its fault (the marker) is still in force, and nothing was started on top of it.
    expect(existsSync(marker)).toBe(true);
    expect(existsSync(second)).toBe(false);
    const { json, md } = recordIn(dir, r.stdout);
    expect(json.steps.map((s) => [s.name, s.verdict])).toEqual([["marker", "killed by SIGKILL (run `chaos recover`)"]]);
    expect(json.status).toBe("aborted");
    expect(json.abortReason).toMatch(/^step marker \(experiments\/gamedays\/drill\.yaml:\d+\) left undo steps pending in \.gameday\/runs\/marker-[0-9a-f]+; its faults may still be in force: run `chaos recover`; no further step was started$/);
    expect(md).toContain("- Outcome: **aborted**: step marker");
    expect(r.stdout).toMatch(/^game day aborted: step marker .*chaos recover/m);
  });

  it("SIGINT to the process group during a step rolls the step back and writes the record as aborted", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    markerExperiment(dir, marker);
    quickExperiment(dir, "never");
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../marker.yaml\n  - experiment: ../../never.yaml\n`);
    const child = spawn(process.execPath, [CLI, "gameday", "drill", "--auto", "--speed", "1"], { cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    onTestFinished(() => void (child.exitCode === null && process.kill(-child.pid!, "SIGKILL")));
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await until(() => existsSync(marker) && /pause/.test(stdout), "the step to place its marker and pause");
    // As a terminal's Ctrl-C does: the signal goes to the whole foreground process group.
    process.kill(-child.pid!, "SIGINT");
    expect(await done, stdout).toBe(130);
    expect(existsSync(marker)).toBe(false);
    const { json } = recordIn(dir, stdout);
    expect(json.status).toBe("aborted");
    expect(json.abortReason).toBe("interrupted by SIGINT");
    expect(json.steps.map((s) => [s.name, s.verdict])).toEqual([["marker", "interrupted (rollbacks ran)"]]);
  });
});

/** Kills the step runs a test left going (a step runs in its own session and outlives a killed game day). */
function killStepsAfterTest(dir: string): void {
  onTestFinished(() => {
    const runs = join(dir, ".gameday", "runs");
    for (const run of existsSync(runs) ? readdirSync(runs) : []) {
      try {
        process.kill((JSON.parse(readFileSync(join(runs, run, "run.json"), "utf8")) as { pid: number }).pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  });
}

describe("SIGHUP (the terminal closed, the SSH session dropped)", () => {
  it("chaos gameday killed with SIGKILL mid-step: the step goes on to its end and its own rollbacks", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    // The marker experiment with a 6-second pause instead of an hour.
    writeFileSync(join(dir, "short.yaml"), readFileSync(markerExperiment(dir, marker), "utf8").replace("pause: PT1H", "pause: PT6S"));
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../short.yaml\n`);
    const running = start(["gameday", "drill", "--auto", "--speed", "1"], { cwd: dir });
    await until(() => existsSync(marker), "the step to place its marker");
    await running.waitFor(/pause/);
    running.child.kill("SIGKILL");
    await running.done;
    // Its output pipe is gone with chaos gameday; the step still finishes and rolls back.
    await until(() => !existsSync(marker), "the step's rollback");
    const journal = join(dir, ".gameday", "gamedays", readdirSync(join(dir, ".gameday", "gamedays"))[0]!, "01-short.journal.json");
    await until(() => JSON.parse(readFileSync(journal, "utf8")).gameday.complete === true, "the step's journal to be complete");
  });

  it("to chaos gameday: the running step rolls back and the record says interrupted by SIGHUP", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    markerExperiment(dir, marker);
    quickExperiment(dir, "never");
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../marker.yaml\n  - experiment: ../../never.yaml\n`);
    const running = start(["gameday", "drill", "--auto", "--speed", "1"], { cwd: dir });
    onTestFinished(() => void (running.child.exitCode === null && running.child.kill("SIGKILL")));
    killStepsAfterTest(dir);
    await until(() => existsSync(marker), "the step to place its marker");
    await running.waitFor(/pause/);
    running.child.kill("SIGHUP");
    const r = await running.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(existsSync(marker)).toBe(false);
    const { json } = recordIn(dir, r.stdout);
    expect(json.status).toBe("aborted");
    expect(json.abortReason).toBe("interrupted by SIGHUP");
    expect(json.steps.map((s) => [s.name, s.verdict])).toEqual([["marker", "interrupted (rollbacks ran)"]]);
    const journal = JSON.parse(readFileSync(join(dir, json.steps[0]!.journal), "utf8"));
    expect(journal.gameday.complete).toBe(true);
  });

  it("a terminal that hangs up during a step: the step still rolls back, and the record says so", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    markerExperiment(dir, marker);
    quickExperiment(dir, "never");
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../marker.yaml\n  - experiment: ../../never.yaml\n`);
    const pty = inPty(["gameday", "drill", "--speed", "1"], dir);
    onTestFinished(() => void pty.child.kill("SIGKILL"));
    killStepsAfterTest(dir);
    await until(() => existsSync(marker), "the step to place its marker");
    await pty.waitFor("pause");
    // The terminal goes away: its master side closes, and the kernel hangs up the session
    // (SIGHUP); every write to it from then on fails (EIO), the step's included.
    pty.child.kill("SIGKILL");
    await pty.done;
    const records = join(dir, ".gameday", "gamedays");
    const record = () => JSON.parse(readFileSync(join(records, readdirSync(records)[0]!, "record.json"), "utf8")) as Record;
    await until(() => record().status !== "running", "the game day to end");
    expect(existsSync(marker)).toBe(false);
    const json = record();
    expect(json.status).toBe("aborted");
    expect(json.abortReason).toBe("interrupted by SIGHUP");
    expect(json.steps.map((s) => [s.name, s.verdict])).toEqual([["marker", "interrupted (rollbacks ran)"]]);
  });
});

/** The CLI at a pseudo-terminal (util-linux `script`): what a facilitator types goes to its stdin. */
function inPty(args: string[], cwd: string) {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let screen = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (screen += d));
  const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    screen: () => screen,
    /** Waits for the n-th appearance of `text` on the terminal. */
    waitFor: (text: string, n = 1) => until(() => screen.split(text).length > n, `${JSON.stringify(text)} #${n} on the terminal:\n${screen}`),
    type: (line: string) => void child.stdin.write(`${line}\n`),
    done,
  };
}

describe("chaos gameday at a terminal", () => {
  it("asks at each checkpoint; typed lines become notes with their times; no <why> aborts and the record keeps the answers and the reason", async () => {
    const dir = scratch();
    for (const n of ["one", "two", "three"]) quickExperiment(dir, n);
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../one.yaml\n  - experiment: ../../two.yaml\n    checkpoint: web still fine?\n  - experiment: ../../three.yaml\n`);
    const pty = inPty(["gameday", "drill"], dir);
    onTestFinished(() => void pty.child.kill("SIGKILL"));
    await pty.waitFor("checkpoint: continue with two?");
    pty.type("note: dashboards show the drain");
    await pty.waitFor("checkpoint: continue with two?", 2);
    pty.type("nothing odd");
    await pty.waitFor("checkpoint: continue with two?", 3);
    pty.type("y");
    await pty.waitFor("checkpoint: web still fine?");
    pty.type("No: paging storm");
    expect(await pty.done, pty.screen()).toBe(3);
    const { json, md } = recordIn(dir, pty.screen());
    expect(json.mode).toBe("interactive");
    expect(json.status).toBe("aborted");
    expect(json.abortReason).toBe("the facilitator aborted at the checkpoint after two: paging storm");
    expect(json.steps.map((s) => s.name)).toEqual(["one", "two"]);
    expect(json.checkpoints.map((c) => [c.after, c.answer, c.reason])).toEqual([
      ["one", "continue", undefined],
      ["two", "abort", "paging storm"],
    ]);
    expect(json.notes.map((n) => n.text)).toEqual(["dashboards show the drain", "nothing odd"]);
    expect(Number.isNaN(Date.parse(json.notes[0]!.at))).toBe(false);
    expect(md).toContain("dashboards show the drain");
    expect(md).toContain("web still fine? **abort**: paging storm");
    expect(md).toContain("**aborted**: the facilitator aborted at the checkpoint after two: paging storm");
  });

  it("a line typed while a step runs is a note; Ctrl-C at the terminal then rolls the step back", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    markerExperiment(dir, marker);
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../marker.yaml\n`);
    const pty = inPty(["gameday", "drill", "--speed", "1"], dir);
    onTestFinished(() => void pty.child.kill("SIGKILL"));
    await until(() => existsSync(marker), "the step to place its marker");
    pty.type("web p95 spiked to 900ms");
    await pty.waitFor("noted: web p95 spiked to 900ms");
    pty.child.stdin.write("\x03");
    expect(await pty.done, pty.screen()).toBe(130);
    expect(existsSync(marker)).toBe(false);
    const { json } = recordIn(dir, pty.screen());
    expect(json.notes.map((n) => n.text)).toEqual(["web p95 spiked to 900ms"]);
    const step = json.steps[0] as unknown as { startedAt: string; endedAt: string; verdict: string };
    expect(step.verdict).toBe("interrupted (rollbacks ran)");
    const at = Date.parse(json.notes[0]!.at);
    expect(at).toBeGreaterThan(Date.parse(step.startedAt));
    expect(at).toBeLessThan(Date.parse(step.endedAt));
    expect(json.status).toBe("aborted");
  });

  it("Ctrl-C at a checkpoint ends the game day as interrupted", async () => {
    const dir = scratch();
    for (const n of ["one", "two"]) quickExperiment(dir, n);
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../one.yaml\n  - experiment: ../../two.yaml\n`);
    const pty = inPty(["gameday", "drill"], dir);
    onTestFinished(() => void pty.child.kill("SIGKILL"));
    await pty.waitFor("checkpoint: continue with two?");
    pty.child.stdin.write("\x03");
    expect(await pty.done, pty.screen()).toBe(130);
    const { json } = recordIn(dir, pty.screen());
    expect(json.status).toBe("aborted");
    expect(json.abortReason).toBe("interrupted by SIGINT");
    expect(json.steps.map((s) => s.name)).toEqual(["one"]);
  });
});

describe("chaos gameday --dry", () => {
  it("prints the order of the day and each step's chaos run --dry on the target; runs no pre-check or step, writes nothing; exit 2 names the step the guardrails refuse", async () => {
    const dir = scratch();
    const marker = firstLeavesMarker(dir);
    const touched = join(dir, "pre-check-ran");
    // drain's default 20% of the default stack's 6 instances is 2: over the default cap of 1.
    writeFileSync(join(dir, "drain.yaml"), "title: drain\ndescription: d\nmethod:\n  - fault: drain\n    target: { cluster: prod }\n");
    runbook(
      dir,
      `${HEADER}announcement: { message: "Drill at ten", file: announce.txt }\npre-checks:\n  - command: [${JSON.stringify(NODE)}, "-e", ${JSON.stringify(`require("fs").writeFileSync(${JSON.stringify(touched)}, "")`)}]\nsteps:\n  - experiment: ../../first.yaml\n    timebox: PT10M\n  - experiment: ../../drain.yaml\n    name: drain-two\n    checkpoint: did the drain hold?\n`,
    );
    const r = await chaos(["gameday", "drill", "--dry", "--seed", "7"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const lines = r.stdout.split("\n");
    expect(lines).toEqual(expect.arrayContaining(["== Game day (dry run): Drill ==", "facilitator: Ana; observers: Bo, Cy", "target: sandbox", "announcement: Drill at ten (also to announce.txt)", "pre-checks (not run in a dry run):"]));
    expect(lines).toContain("== step 1 of 2: first (../../first.yaml), timebox 10m ==");
    expect(lines).toContain("checkpoint after first: continue with drain-two?");
    expect(lines).toContain("== step 2 of 2: drain-two (../../drain.yaml) ==");
    // Each step's own dry run, with the day's seed (7, then 8) and the guardrails' verdict.
    expect(r.stdout).toMatch(/seed {5}7\n[\s\S]*seed {5}8\n/);
    expect(r.stdout).toMatch(/REFUSED +it would hit 2 of the 6 ACTIVE container instances of cluster prod/);
    expect(lines).toContain("checkpoint after drain-two: did the drain hold?");
    expect(lines.filter((l) => l.length > 0).at(-1)).toBe("dry run of the day: 1 of 2 steps cannot run as planned: 2. drain-two (refused); nothing was changed");
    expect([existsSync(marker), existsSync(touched), existsSync(join(dir, ".gameday")), existsSync(join(dir, "experiments", "gamedays", "announce.txt"))]).toEqual([false, false, false, false]);
  });

  it("exit 0 when every step can run as planned; refuses --report and --announce-file, which a dry run would not write", async () => {
    const dir = scratch();
    firstLeavesMarker(dir);
    runbook(dir, `${HEADER}steps:\n  - experiment: ../../first.yaml\n  - experiment: task-kill\n`);
    const r = await chaos(["gameday", "drill", "--dry"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("dry run of the day: all 2 steps can run on sandbox as planned; nothing was changed");
    for (const [flag, value] of [["--report", "md"], ["--announce-file", "a.txt"]]) {
      const refused = await chaos(["gameday", "drill", "--dry", flag!, value!], { cwd: dir });
      expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(new RegExp(`^chaos: ${flag} applies to a game day that runs`))]);
    }
  });
});
