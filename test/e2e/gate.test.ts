/**
 * `chaos gate` as CI runs it: a small suite of catalog experiments on embedded sandboxes, the same
 * suite with a stack that makes spot-interrupt deviate, and the outputs CI reads.
 */
import { describe, expect, it, vi } from "vitest";
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { chaos, REPO, scratch, servesForThisFile } from "./cli.js";

vi.setConfig({ testTimeout: 300_000 });

const serve = servesForThisFile();

const SUITE = ["title: Small gate", "experiments:", "  - experiment: spot-interrupt", "    seeds: [7]", "    weight: 8", "  - experiment: task-kill", "    seeds: [7]", "gate:", "  minScore: 100", ""].join("\n");

function suiteDir(): string {
  const dir = scratch();
  writeFileSync(join(dir, "small.yaml"), SUITE);
  return dir;
}

describe("chaos gate", () => {
  it("passes a suite that holds, and fails it when a stack that deviates is swapped in: JUnit, step summary, annotations", async () => {
    const dir = suiteDir();
    const held = await chaos(["gate", "small.yaml", "--out-dir", "held"], { cwd: dir });
    expect(held.stderr).toBe("");
    expect(held.code).toBe(0);
    expect(held.stdout).toMatch(/^\[\d\/2\] spot-interrupt \(seed 7\): held in [\d.]+ s, probes 100%$/m);
    expect(held.stdout).toMatch(/^\[\d\/2\] task-kill \(seed 7\): held/m);
    expect(held.stdout).toMatch(/gate: passed \(exit 0\)  resilience score 100\.0 \(minimum 100\)/);

    const summary = join(dir, "summary.md");
    const failed = await chaos(["gate", "small.yaml", "--out-dir", "out", "--stack", join(REPO, "fixtures", "stacks", "dereg-300.yaml")], {
      cwd: dir,
      env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary },
    });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^::error file=small\.yaml,line=3,col=5,title=spot-interrupt \(seed 7\)::deviated: drained-in-time \(on-chaos\).*%0Areplay: chaos run \S+spot-interrupt\.yaml --seed 7 --stack \S+dereg-300\.yaml --project (\S+)$/m);
    // The replay names the project the gate's run read gameday.yaml and probes from: it runs the same from anywhere.
    expect(/--project (\S+)$/m.exec(failed.stdout)![1]).toBe(realpathSync(dir));
    expect(failed.stdout).toMatch(/gate: failed \(exit 1\)  resilience score \d+\.\d \(minimum 100\)/);
    // The spot interruption now kills a task before its replacement runs: the score drops below 100.
    expect(Number(/resilience score (\d+\.\d)/.exec(failed.stdout)![1])).toBeLessThan(100);

    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => ["testsuite", "testcase"].includes(n) }).parse(readFileSync(join(dir, "out", "junit.xml"), "utf8"));
    const suites = junit.testsuites.testsuite as { name: string; failures: string; testcase: { name: string; failure?: { message: string } }[] }[];
    const spot = suites.find((s) => s.testcase.some((c) => c.name === "drained-in-time [on-chaos]"))!;
    expect(spot.testcase.find((c) => c.name === "drained-in-time [on-chaos]")!.failure!.message).toMatch(/tasksKilledByTermination was 1, expected 0/);
    expect(suites.map((s) => s.failures).sort()).toEqual(["0", "2"]);

    const md = readFileSync(summary, "utf8");
    expect(md).toMatch(/^# Small gate: ❌ gate failed/);
    expect(md).toBe(`${readFileSync(join(dir, "out", "report.md"), "utf8")}\n`);
  });

  it("marks a regression against a baseline whose p95 was lower", async () => {
    const dir = suiteDir();
    writeFileSync(join(dir, "one.yaml"), ["title: One", "experiments:", "  - experiment: task-kill", "    seeds: [7]", ""].join("\n"));
    const first = await chaos(["gate", "one.yaml", "--out-dir", "base"], { cwd: dir });
    expect(first.code).toBe(0);
    // The same run, measured faster last time: halve every p95 the baseline recorded.
    const file = join(dir, "base", "journals", "task-kill.json");
    const journal = JSON.parse(readFileSync(file, "utf8"));
    for (const p of journal.gameday.probes) for (const pt of p.series?.points ?? []) if (pt.values.p95 !== undefined) pt.values.p95 /= 2;
    writeFileSync(file, JSON.stringify(journal));
    const again = await chaos(["gate", "one.yaml", "--out-dir", "now", "--baseline", "base", "--margin", "50%"], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/task-kill: p95 \(ms\) grew from [\d.]+ to [\d.]+, more than the 50% margin/);
    const wide = await chaos(["gate", "one.yaml", "--out-dir", "wide", "--baseline", "base", "--margin", "150%"], { cwd: dir });
    expect(wide.code).toBe(0);
  });

  it("runs that could not be judged (--target aws, refused: no allow-list) with minScore 100: exit 4 'could not be judged', not 1 'failed'", async () => {
    const dir = suiteDir();
    const r = await chaos(["gate", "small.yaml", "--target", "aws", "--out-dir", "out"], { cwd: dir, env: { AWS_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true" } });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toMatch(/^\[\d\/2\] spot-interrupt \(seed 7\): error in [\d.]+ s, could not be judged \(counts 0%\)$/m);
    expect(r.stdout).toContain("resilience score 0.0 is below the minimum 100 only because 2 runs could not be judged (they count 0%); no run that was judged fell short");
    expect(r.stdout).toMatch(/^gate: could not judge every run \(exit 4\)  resilience score 0\.0 \(minimum 100\)$/m);
    expect(readFileSync(join(dir, "out", "report.md"), "utf8")).toMatch(/^# Small gate: ⚠️ gate could not be judged/);
    // Neither run left a journal: JUnit has the gate's times for them, not the epoch's.
    const junit = readFileSync(join(dir, "out", "junit.xml"), "utf8");
    expect(junit).toMatch(/<testsuite name="spot-interrupt" [^>]*timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"/);
    expect(junit).not.toContain('timestamp="1970-');
  });

  it("refuses a bad suite, shard or experiment before running anything (exit 2)", async () => {
    const dir = suiteDir();
    writeFileSync(join(dir, "bad.yaml"), "title: Bad\nexperiments:\n  - experiment: spot-interupt\n    weight: 12\n");
    const bad = await chaos(["gate", "bad.yaml"], { cwd: dir });
    expect(bad.code).toBe(2);
    // The unknown experiment is reported at its line together with the suite's other mistakes.
    expect(bad.stderr).toBe(
      [
        "bad.yaml:3:17: experiments[0].experiment: expected an experiment's name (./experiments, then the catalog) or a path relative to the suite file (did you mean `spot-interrupt`?), found \"spot-interupt\": no experiment of that name",
        "bad.yaml:4:13: experiments[0].weight: expected a weight from 0 to 10, found 12",
        "2 errors",
        "",
      ].join("\n"),
    );
    // A margin of 20 is 20%, not 2000%: refused on the command line and in the suite, before any run.
    const margin = await chaos(["gate", "small.yaml", "--margin", "20"], { cwd: dir });
    expect(margin.code).toBe(2);
    expect(margin.stderr).toMatch(/--margin: expected a share such as 20% or 0\.2, found "20" \(a bare number is a share of 1: write 20% for 20 percent\)/);
    expect(margin.stdout).toBe("");
    writeFileSync(join(dir, "margin.yaml"), "title: Margin\nexperiments:\n  - experiment: task-kill\ngate:\n  margin: 20\n");
    const suiteMargin = await chaos(["gate", "margin.yaml"], { cwd: dir });
    expect(suiteMargin.code).toBe(2);
    expect(suiteMargin.stderr).toMatch(/^margin\.yaml:5:11: gate\.margin: expected a share such as "20%" or 0\.2 .*, found 20$/m);
    // A baseline that is not there (a CI artifact download that failed) must not turn the regression check off silently.
    const nowhere = await chaos(["gate", "small.yaml", "--baseline", "nonexistent"], { cwd: dir });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/--baseline: expected the directory of an earlier gate's journals \(its --out-dir\), found "nonexistent": no such directory/);
    expect(nowhere.stdout).toBe("");
    const file = await chaos(["gate", "small.yaml", "--baseline", "small.yaml"], { cwd: dir });
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/--baseline: .*found "small\.yaml": a file, not a directory/);
    mkdirSync(join(dir, "empty", "journals"), { recursive: true });
    writeFileSync(join(dir, "empty", "journals", "other.json"), "{}");
    const empty = await chaos(["gate", "small.yaml", "--baseline", "empty"], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--baseline: expected the journals of an earlier gate \(<run>\.json or journals\/<run>\.json\) for this gate's runs \(spot-interrupt, task-kill\), found none in "empty"; a first gate, with nothing to compare with, runs without --baseline/);
    expect(empty.stdout).toBe("");
    const shard = await chaos(["gate", "small.yaml", "--shard", "3/2"], { cwd: dir });
    expect(shard.code).toBe(2);
    expect(shard.stderr).toMatch(/--shard: expected i\/n with 1 <= i <= n/);
    writeFileSync(join(dir, "typo.yaml"), "title: Typo\nexperiments:\n  - experiment: spot-interupt\n");
    const typo = await chaos(["gate", "typo.yaml"], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^typo\.yaml:3:17: experiments\[0\]\.experiment: expected .*\(did you mean `spot-interrupt`\?\), found "spot-interupt": no experiment of that name$/m);
    expect(typo.stdout).toBe("");
    const stack = await chaos(["gate", "small.yaml", "--stack", "nope.yaml"], { cwd: dir });
    expect(stack.code).toBe(2);
    expect(stack.stderr).toMatch(/nope\.yaml: \(document\): expected a stack file, found no file at this path$/m);
    expect(stack.stdout).toBe("");
  });

  it("refuses an entry whose stack file is missing and another whose var the experiment does not declare, together, before any run (exit 2)", async () => {
    const dir = suiteDir();
    writeFileSync(
      join(dir, "refs.yaml"),
      ["title: Refs", "experiments:", "  - experiment: task-kill", "    name: tk1", "    vars: { servce: web }", "  - experiment: task-kill", "    name: tk2", "    stack: nope.yaml", ""].join("\n"),
    );
    const r = await chaos(["gate", "refs.yaml", "--out-dir", "out"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^refs\.yaml:5:13: experiments\[0\]\.vars\.servce: expected a key that \S+task-kill\.yaml declares in `configuration` or uses as \$\{name\}: .*\(did you mean `service`\?\), found `servce`, which it neither declares nor uses$/),
      'refs.yaml:8:12: experiments[1].stack: expected a stack file, relative to the suite file, found "nope.yaml": no such file',
      "2 errors",
    ]);
    // Nothing ran: no progress line, no journal, no report.
    expect(r.stdout).toBe("");
    expect(existsSync(join(dir, "out"))).toBe(false);

    // An experiment whose own stack (its gameday extension) is broken is refused the same way, on the embedded sandbox.
    writeFileSync(join(dir, "broken-stack.yaml"), "region: us-east-1\nclusters: 5\n");
    writeFileSync(join(dir, "own.yaml"), readFileSync(join(REPO, "experiments", "task-kill.yaml"), "utf8") + "\nextensions:\n  - name: gameday\n    stack: broken-stack.yaml\n");
    writeFileSync(join(dir, "own-suite.yaml"), ["title: Own", "experiments:", "  - experiment: ./own.yaml", ""].join("\n"));
    const own = await chaos(["gate", "own-suite.yaml", "--out-dir", "out"], { cwd: dir });
    expect(own.code, own.stdout + own.stderr).toBe(2);
    expect(own.stderr).toMatch(/broken-stack\.yaml:2:11: clusters: expected a list, found 5$/m);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("on a served or real target, an entry's stack (which describes the embedded sandbox) is not passed on, and --stack is refused before any run", async () => {
    const dir = suiteDir();
    // A stack that makes spot-interrupt deviate on the embedded sandbox; the served one runs the default stack.
    writeFileSync(join(dir, "staged.yaml"), ["title: Staged", "experiments:", "  - experiment: task-kill", "    seeds: [7]", `    stack: ${JSON.stringify(join(REPO, "fixtures", "stacks", "dereg-300.yaml"))}`, "gate:", "  minScore: 100", ""].join("\n"));
    const served = await serve(["--speed", "30", "--seed", "7"]);
    const r = await chaos(["gate", "staged.yaml", "--target", served.endpoint, "--out-dir", "out"], { cwd: dir });
    expect(r.stderr).not.toMatch(/--stack applies only/);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/one at a time on http:\/\/127\.0\.0\.1/);
    const refused = await chaos(["gate", "small.yaml", "--target", served.endpoint, "--stack", join(REPO, "fixtures", "stacks", "dereg-300.yaml"), "--out-dir", "no"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--stack applies only to the embedded sandbox: http:\/\/127\.0\.0\.1:\d+ has whatever stack is deployed there/);
    expect(refused.stdout).toBe("");
  });

  it("each run reads the project's gameday.yaml, though it works in a directory of its own: a cap of 0 there is refused", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "one.yaml"), ["title: One", "experiments:", "  - experiment: task-kill", "    seeds: [7]", ""].join("\n"));
    writeFileSync(join(dir, "gameday.yaml"), "guardrails:\n  maxTargets:\n    task-kill: 0\n");
    const r = await chaos(["gate", "one.yaml", "--out-dir", "out"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toMatch(/task-kill: could not be judged \(exit 2\): .*gameday\.yaml:3:\d+: guardrails\.maxTargets\.task-kill/);
  });
  it("shows a run with no hypothesis and no probe as 'nothing to judge', never '100%' beside '0 of 0', on the terminal and in every report", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "calm.yaml"), "title: calm\ndescription: d\nmethod:\n  - pause: PT1M\n");
    writeFileSync(join(dir, "calm-suite.yaml"), ["title: Calm gate", "experiments:", "  - experiment: ./calm.yaml", "    seeds: [7]", ""].join("\n"));
    const r = await chaos(["gate", "calm-suite.yaml", "--out-dir", "out"], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(/^\[1\/1\] calm \(seed 7\): held in [\d.]+ s, nothing to judge$/m);
    const md = readFileSync(join(dir, "out", "report.md"), "utf8");
    const html = readFileSync(join(dir, "out", "report.html"), "utf8");
    expect(r.stdout).not.toMatch(/100%|0 of 0/);
    // (The stylesheet has its width:100%.)
    expect(html).not.toMatch(/>100%<|0 of 0/);
    expect(html).toContain("nothing to judge");
    expect(md).not.toMatch(/\| 100% \||0 of 0/);
    expect(md).toMatch(/^\| calm \| 7 \| held \| — \(nothing to judge\) \| 5 \| — \(no --baseline\) \|/m);
    expect(readFileSync(join(dir, "out", "junit.xml"), "utf8")).toMatch(/tests="3" failures="0" errors="0" skipped="2"/);
  });
});

describe("chaos gate --baseline that cannot be read", () => {
  it("says why in words, naming the path, not a bare errno code", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "s.yaml"), "title: S\nexperiments:\n  - experiment: task-kill\n");
    const r = await chaos(["gate", "s.yaml", "--baseline", "s.yaml/sub"], { cwd: dir });
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toBe(`chaos: --baseline: expected the directory of an earlier gate's journals (its --out-dir), found "s.yaml/sub": it cannot be read: not a directory: ${join(dir, "s.yaml", "sub")}\n`);
  });
});
