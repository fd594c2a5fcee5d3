import { vi, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch } from "./cli.js";

// An explore runs a dozen experiments in-process; allow for a busy 2-core machine.
vi.setConfig({ testTimeout: 600_000 });

const summaryOf = (out: string) => JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));

describe("chaos explore", () => {
  it("finds that two overlapping spot interruptions break spot-headroom's stack, writes a file chaos run replays to the same verdict, and gives the same result for the same seed with any number of workers", async () => {
    const dir = scratch();
    // Few runs: enough to find and take a few shrink steps, not to shrink all the way.
    const flags = ["--seed", "1", "--runs", "6", "--shrink-runs", "3"];
    const r = await chaos(["explore", "spot-headroom", ...flags, "--workers", "2", "--out", "a"], { cwd: dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/space: interrupt-one-spot-instance; up to 3 fault\(s\)/);
    const a = summaryOf(join(dir, "a"));
    expect(a.stoppedBy).toBe("found");
    // One interruption at a time always fits on this stack: a failure needs at least two.
    expect(a.found.minimal.faults.length).toBeGreaterThanOrEqual(2);
    expect(a.found.minimal.faults.every((f: { count: number }) => f.count === 1)).toBe(true);
    expect([1, 3]).toContain(a.found.minimalVerdict.exitCode);
    expect(a.replayExitCode).toBe(a.found.minimalVerdict.exitCode);
    expect(existsSync(join(dir, "a", "journal.json"))).toBe(true);
    expect(existsSync(join(dir, "a", ".candidates"))).toBe(false);

    const replay = await chaos(["run", a.replay, "--seed", "1", "--stack", join(REPO, "fixtures", "stacks", "spot-headroom.yaml")], { cwd: dir });
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
    const budget = await chaos(["explore", "spot-interrupt", "--budget", "5m"], { cwd: dir });
    expect(budget.code).toBe(2);
    expect(budget.stderr).toBe('chaos: --budget: expected a positive ISO 8601 duration such as PT5M, found "5m"\n');

    writeFileSync(join(dir, "space.yaml"), "explore: spot-interrupt\nfaults: [interrupt-all]\nwindow: PT1M\n");
    const space = await chaos(["explore", "space.yaml"], { cwd: dir });
    expect(space.code).toBe(2);
    expect(space.stderr).toMatch(/space\.yaml:2:\d+: faults\[0\]: expected the name of a fault step of spot-interrupt\.yaml \(interrupt-one-spot-instance\), found "interrupt-all"/);

    writeFileSync(join(dir, "calm.yaml"), "title: nothing happens\nmethod:\n  - pause: PT1M\n");
    const calm = await chaos(["explore", "calm.yaml"], { cwd: dir });
    expect(calm.code).toBe(2);
    expect(calm.stderr).toMatch(/calm\.yaml: its method has no fault step to vary/);
  });
});
