import { vi, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch } from "./cli.js";

// An explore runs a dozen experiments in-process; allow for a busy 2-core machine.
vi.setConfig({ testTimeout: 600_000 });

const summaryOf = (out: string) => JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));

describe("chaos explore", () => {
  it("finds that two overlapping spot interruptions in different zones break spot-headroom's stack, writes a file chaos run replays to the same verdict, and gives the same result for the same seed with any number of workers", async () => {
    const dir = scratch();
    // Few runs: enough to find and take a few shrink steps, not to shrink all the way. Seed 42's
    // COUNT(1) picks land on one instance for the first two steps: only the zones tell them apart.
    const flags = ["--seed", "42", "--runs", "6", "--shrink-runs", "3"];
    const r = await chaos(["explore", "spot-headroom", ...flags, "--workers", "2", "--out", "a"], { cwd: dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/space: interrupt-one-spot-instance; up to 3 faults .* in one of us-east-1a, us-east-1b, us-east-1c;/);
    const a = summaryOf(join(dir, "a"));
    expect(a.stoppedBy).toBe("found");
    // One interruption at a time always fits on this stack: a failure needs at least two.
    expect(a.found.minimal.faults.length).toBeGreaterThanOrEqual(2);
    expect(a.found.minimal.faults.every((f: { count: number }) => f.count === 1)).toBe(true);
    // ... on two different instances: one spot instance per zone.
    expect(new Set(a.found.minimal.faults.map((f: { az: string }) => f.az)).size).toBeGreaterThanOrEqual(2);
    expect([1, 3]).toContain(a.found.minimalVerdict.exitCode);
    expect(a.replayExitCode).toBe(a.found.minimalVerdict.exitCode);
    expect(existsSync(join(dir, "a", "journal.json"))).toBe(true);
    expect(existsSync(join(dir, "a", ".candidates"))).toBe(false);

    const replay = await chaos(["run", a.replay, "--seed", "42", "--stack", join(REPO, "fixtures", "stacks", "spot-headroom.yaml")], { cwd: dir });
    expect(replay.code).toBe(a.found.minimalVerdict.exitCode);
    expect(replay.stdout).toContain(a.found.minimalVerdict.summary);

    const again = await chaos(["explore", "spot-headroom", ...flags, "--workers", "1", "--out", "b"], { cwd: dir });
    expect(again.code).toBe(1);
    expect(summaryOf(join(dir, "b")).found).toEqual(a.found);
    // The same experiment file, less the header comment naming where it was written.
    const body = (out: string) => readFileSync(join(dir, out, "spot-headroom-explored.yaml"), "utf8").replace(/^#.*\n/gm, "");
    expect(body("b")).toBe(body("a"));
  });

  it("is listed in chaos --help, and its own help shows its flags and exit codes", async () => {
    const top = await chaos(["--help"], { cwd: scratch() });
    expect(top.stdout).toMatch(/\n\s+explore <experiment>\s+Search fault schedules/);
    const help = await chaos(["explore", "--help"], { cwd: scratch() });
    expect(help.code).toBe(0);
    for (const flag of ["--seed", "--budget", "--runs", "--shrink-runs", "--workers", "--stack", "--max-faults", "--window", "--out"]) expect(help.stdout).toContain(flag);
    expect(help.stdout.slice(help.stdout.indexOf("Exit codes:"))).toMatch(/0 +no schedule tried broke the hypothesis\n +1 +a failing schedule was found/);
  });

  it("refuses bad flags, a space file with mistakes and an experiment with nothing to vary, before running anything (exit 2)", async () => {
    const dir = scratch();
    // A bare number has no unit; "5m" and "PT5M" are both durations, as in experiment files.
    const budget = await chaos(["explore", "spot-interrupt", "--budget", "5"], { cwd: dir });
    expect(budget.code).toBe(2);
    expect(budget.stderr).toBe('chaos: --budget: expected a positive duration such as PT5M or 5m, found "5"\n');
    const short = await chaos(["explore", "spot-interrupt", "--budget", "1m", "--window", "3m", "--runs", "1", "--workers", "1", "--seed", "9"], { cwd: dir });
    expect(short.code, short.stderr).toBe(0);

    writeFileSync(join(dir, "space.yaml"), "explore: spot-interrupt\nfaults: [interrupt-all]\nwindow: PT1M\n");
    const space = await chaos(["explore", "space.yaml"], { cwd: dir });
    expect(space.code).toBe(2);
    expect(space.stderr).toMatch(/space\.yaml:2:\d+: faults\[0\]: expected the name of a fault step of spot-interrupt\.yaml \(interrupt-one-spot-instance\), found "interrupt-all"/);

    writeFileSync(join(dir, "calm.yaml"), "title: nothing happens\nmethod:\n  - pause: PT1M\n");
    const calm = await chaos(["explore", "calm.yaml"], { cwd: dir });
    expect(calm.code).toBe(2);
    expect(calm.stderr).toMatch(/calm\.yaml: its method has no fault step to vary/);

    mkdirSync(join(dir, "spaces"));
    const folder = await chaos(["explore", "spaces/"], { cwd: dir });
    expect([folder.code, folder.stderr]).toEqual([2, "spaces/: (document): expected a readable experiment or space file, found a directory\n1 error\n"]);
  });
});

describe("chaos explore with variables and crashes", () => {
  it("passes --var to every candidate and writes it into the replay file, which chaos run replays without it", async () => {
    const dir = scratch();
    // spot-interrupt aimed at a cluster that does not exist: without --var every candidate errors.
    const text = readFileSync(join(REPO, "experiments", "spot-interrupt.yaml"), "utf8").replace("cluster: prod", "cluster: staging");
    expect(text).toContain("cluster: staging");
    writeFileSync(join(dir, "elsewhere.yaml"), text);
    const stack = join(REPO, "fixtures", "stacks", "spot-headroom.yaml");
    const flags = ["--seed", "1", "--runs", "6", "--shrink-runs", "3", "--workers", "1", "--stack", stack];
    const r = await chaos(["explore", "elsewhere.yaml", ...flags, "--var", "cluster=prod", "--out", "v"], { cwd: dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    const s = summaryOf(join(dir, "v"));
    expect(readFileSync(join(dir, s.replay), "utf8")).toMatch(/\n  cluster: prod\n/);
    expect(s.replayCommand).not.toContain("--var");
    const replay = await chaos(["run", s.replay, "--seed", "1", "--stack", stack], { cwd: dir });
    expect(replay.code).toBe(s.found.minimalVerdict.exitCode);
    expect(replay.stdout).toContain(s.found.minimalVerdict.summary);
  });

  it("a search again with the same seed leaves the earlier one's files: a directory of its own, or --out cleared of them", async () => {
    const dir = scratch();
    const search = (...extra: string[]) => chaos(["explore", "spot-interrupt", "--seed", "5", "--runs", "1", "--workers", "1", ...extra], { cwd: dir });
    expect((await search()).code).toBe(0);
    const again = await search();
    expect(again.stdout).toMatch(/^summary: \.gameday\/explore\/spot-interrupt-00000005\.1\/summary\.json$/m);
    for (const d of ["spot-interrupt-00000005", "spot-interrupt-00000005.1"]) expect(existsSync(join(dir, ".gameday", "explore", d, "summary.json")), d).toBe(true);
    // An earlier finding in the --out directory is not left beside a search that found nothing.
    mkdirSync(join(dir, "o"));
    for (const f of ["spot-interrupt-explored.yaml", "journal.json"]) writeFileSync(join(dir, "o", f), "from an earlier search\n");
    expect((await search("--out", "o")).code).toBe(0);
    expect(["spot-interrupt-explored.yaml", "journal.json", "summary.json"].map((f) => existsSync(join(dir, "o", f)))).toEqual([false, false, true]);
  });

  it("says how many candidates could not be judged, and why the first could not, instead of 'held in every schedule'", async () => {
    const dir = scratch();
    // Kills aimed at the worker service's two tasks while the web SLO is judged: a schedule of
    // three kills leaves its third nothing to kill, and FIS fails that candidate (exit 4), which
    // says nothing about the hypothesis (seed 1 has such schedules among its first 8).
    const text = readFileSync(join(REPO, "experiments", "task-kill.yaml"), "utf8").replace('target: { cluster: "${cluster}", service: "${service}", select: COUNT(1) }', "target: { cluster: \"${cluster}\", service: worker, select: COUNT(1) }");
    expect(text).toContain("service: worker,");
    writeFileSync(join(dir, "kill-worker.yaml"), text);
    const r = await chaos(["explore", "kill-worker.yaml", "--seed", "1", "--runs", "8", "--workers", "1", "--out", "o"], { cwd: dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const line = /no failing schedule found: the hypothesis held in (\d+) of 8 schedules; (\d+) could not be judged, the first: (.+) \(schedule: .+\)/.exec(r.stdout);
    expect(line, r.stdout).not.toBeNull();
    const [held, notJudged] = [Number(line![1]), Number(line![2])];
    expect(held + notJudged).toBe(8);
    expect(notJudged).toBeGreaterThan(0);
    const s = summaryOf(join(dir, "o"));
    expect(s.notJudged.count).toBe(notJudged);
    expect(line![3]).toBe(s.notJudged.first.summary);
    expect(s.notJudged.first.exitCode).not.toBe(0);
  });

  it("places log shipper crashes when the experiment has a log-delivery probe, and takes --max-crashes, --var and --var-file in its help", async () => {
    const dir = scratch();
    // The experiment itself (by name, shipper-crash is its space file): one candidate shows the space.
    const r = await chaos(["explore", join(REPO, "experiments", "shipper-crash.yaml"), "--seed", "3", "--runs", "1", "--workers", "1", "--out", "c"], { cwd: dir });
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toMatch(/space: throttle-app-logs, crash-one-shipper; up to 2 crashes of crash-web-log-shipper \(SIGKILL\)/);
    const none = await chaos(["explore", "shipper-crash", "--max-crashes", "11"], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('chaos: --max-crashes: expected a whole number from 0 to 10, found "11"\n');
    const help = await chaos(["explore", "--help"], { cwd: dir });
    for (const flag of ["--max-crashes", "--var <key=value>", "--var-file <file>"]) expect(help.stdout).toContain(flag);
  });
});

describe("chaos explore shipper-crash", () => {
  it("finds, within its default budget, that the memory-only shipper drops records under a hard throttle, shrinks crashes that do not matter away, and writes a replay file chaos run reproduces", async () => {
    const dir = scratch();
    const r = await chaos(["explore", "shipper-crash", "--seed", "1", "--out", "s"], { cwd: dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    const s = summaryOf(join(dir, "s"));
    expect(s.stoppedBy).toBe("found");
    // Crashes were in the space; the minimal schedule keeps only what the failure needs.
    expect(s.faultsTried["crash-web-log-shipper"]).toBeGreaterThan(0);
    expect(s.found.minimal.faults.map((f: { fault: string }) => f.fault)).toEqual(["kinesis-throttle"]);
    expect(Number(s.found.minimal.faults[0].with.percentage)).toBeLessThan(Number(s.found.original.faults.find((f: { fault: string }) => f.fault === "kinesis-throttle").with.percentage));
    expect(s.found.minimalVerdict.summary).toMatch(/deviated/);
    // The space's vars (a one-minute throttle, a one-minute settle) are in the replay file.
    const replayText = readFileSync(join(dir, s.replay), "utf8");
    expect(replayText).toMatch(/\n  settle: PT1M\n/);
    const noSpool = join(REPO, "fixtures", "stacks", "no-spool.yaml");
    const replay = await chaos(["run", s.replay, "--seed", "1", "--stack", noSpool], { cwd: dir });
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/logs-delivered \(steady-state after\) dropped was \d+, expected 0/);
    // The hand-written schedule (half the calls throttled, one crash thirty seconds in) holds there.
    const handWritten = await chaos(["run", "shipper-crash", "--seed", "1", "--stack", noSpool], { cwd: dir });
    expect(handWritten.stdout).toMatch(/verdict: held/);
    expect(handWritten.code).toBe(0);
  });
});

describe("chaos explore of a file that cannot be read", () => {
  // A file even root may not read (write-only): /proc/sys/vm/drop_caches, on Linux.
  it.runIf(process.platform === "linux")("says why in words, naming the file, not a bare errno code", async () => {
    const r = await chaos(["explore", "/proc/sys/vm/drop_caches"], { cwd: scratch() });
    expect([r.code, r.stderr]).toEqual([2, "/proc/sys/vm/drop_caches: (document): expected a readable experiment or space file, found a file that cannot be read: permission denied: /proc/sys/vm/drop_caches\n1 error\n"]);
    expect(r.stderr).not.toMatch(/\bE[A-Z]{3,}\b/);
  });
});
