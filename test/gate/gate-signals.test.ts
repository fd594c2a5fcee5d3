/**
 * runGate with a stand-in for `chaos run`: how a run ended by a signal is reported, depending on
 * whether the gate itself was interrupted.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runGate, type GateOptions, type Spawned } from "../../src/gate/gate.js";
import type { Suite } from "../../src/gate/suite.js";
import { VirtualClock } from "../../src/time/clock.js";

const suite: Suite = {
  file: "suite.yaml",
  title: "Two runs",
  runs: [
    { id: "first", experiment: "task-kill", seed: 1, vars: {}, weight: 1 },
    { id: "second", experiment: "spot-interrupt", seed: 1, vars: {}, weight: 1 },
  ],
  gate: { allHeld: true, margin: 0.2 },
};

function options(runChaos: (args: string[]) => Promise<Spawned>, over: Partial<GateOptions> = {}): GateOptions {
  return { outDir: mkdtempSync(join(tmpdir(), "gameday-gate-")), concurrency: 1, clock: new VirtualClock(), runChaos, progress: () => {}, resolveExperiment: (n) => `/catalog/${n}.yaml`, ...over };
}

describe("a run ended by a signal", () => {
  it("passed on by an interrupted gate before the run wrote anything: not run, not an error saying it exited with null", async () => {
    const interrupt = new AbortController();
    const result = await runGate(
      suite,
      suite.runs,
      options(async () => {
        interrupt.abort("SIGINT");
        return { code: null, signal: "SIGINT", stdout: "", stderr: "" };
      }, { signal: interrupt.signal }),
    );
    expect(result.exitCode).toBe(130);
    expect(result.outcomes).toEqual([]);
    expect(result.errors).toEqual(["first: not run (the gate was interrupted by SIGINT)", "second: not run (the gate was interrupted by SIGINT)"]);
  });

  it("from elsewhere (the OOM killer's SIGKILL), while the gate goes on: an error naming the signal", async () => {
    let n = 0;
    const result = await runGate(suite, suite.runs, options(async () => (n++ === 0 ? { code: null, signal: "SIGKILL", stdout: "", stderr: "" } : { code: 2, stdout: "", stderr: "chaos: bad input" })));
    expect(result.exitCode).toBe(4);
    expect(result.errors).toEqual(["first: could not be judged (ended by SIGKILL): chaos run was ended by SIGKILL", "second: could not be judged (exit 2): chaos: bad input"]);
  });
});
