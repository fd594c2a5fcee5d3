/** A stand-in for `chaos run` for runGate's tests: each run ends as told, writing a journal or none. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GateOptions, Spawned } from "../../src/gate/gate.js";
import type { Suite, SuiteRun } from "../../src/gate/suite.js";
import { VirtualClock } from "../../src/time/clock.js";

export interface Fake {
  /** The exit code of `chaos run`; null with a signal. */
  code: number | null;
  signal?: NodeJS.Signals;
  /** Writes a complete journal with this verdict; none when absent (the run left no journal). */
  verdict?: string;
  /** Probe verdicts in the journal. */
  probes?: ("passed" | "failed")[];
  p95?: number;
}

export function journal(id: string, f: Fake): object {
  const at = "2024-01-01T00:00:00.000Z";
  return {
    "chaoslib-version": "1.0",
    platform: "test",
    node: "20",
    experiment: { title: id },
    start: at,
    status: f.verdict === "held" ? "completed" : "failed",
    deviated: f.verdict === "deviated",
    steady_states: { before: null, after: null, during: [] },
    run: [],
    rollbacks: [],
    gameday: {
      version: "0",
      runId: `${id}-00000001`,
      seed: 1,
      target: { kind: "sandbox", region: "us-east-1" },
      clock: "virtual",
      complete: true,
      verdict: f.verdict,
      exitCode: f.code ?? 130,
      summary: `${f.verdict}: test`,
      probes: (f.probes ?? []).map((verdict, i) => ({
        step: `p${i}`,
        probe: "http-slo",
        mode: "continuous",
        verdict,
        readings: 1,
        failed: verdict === "failed" ? 1 : 0,
        ...(f.p95 !== undefined ? { series: { units: { p95: "ms" }, points: [{ t: 0, values: { p95: f.p95 } }] } } : {}),
      })),
      faults: [],
      rollbackResults: [],
      during: { readings: 0, failed: 0 },
      warnings: [],
      ledger: "ledger.json",
    },
  };
}

export function suiteOf(ids: string[], gate: Partial<Suite["gate"]> = {}): Suite {
  const runs: SuiteRun[] = ids.map((id) => ({ id, experiment: id, seed: 1, vars: {}, weight: 5 }));
  return { file: "suite.yaml", title: "Gate", runs, gate: { allHeld: true, margin: 0.2, ...gate } };
}

/** A gate whose runs end as `fakes` says, by run id; `during(id)` is called as each run goes. */
export function options(fakes: Record<string, Fake>, over: Partial<GateOptions> = {}, during?: (id: string) => void): GateOptions {
  return {
    outDir: mkdtempSync(join(tmpdir(), "gameday-gate-")),
    concurrency: 1,
    clock: new VirtualClock(),
    progress: () => {},
    resolveExperiment: (n) => `/catalog/${n}.yaml`,
    runChaos: async (args: string[]): Promise<Spawned> => {
      const id = /\/catalog\/(.+)\.yaml$/.exec(args[1]!)![1]!;
      const path = args[args.indexOf("--journal-path") + 1]!;
      during?.(id);
      const f = fakes[id]!;
      if (f.verdict !== undefined) writeFileSync(path, JSON.stringify(journal(id, f)));
      return { code: f.code, stdout: "", stderr: f.verdict === undefined ? "chaos: the target could not be reached (no AWS credentials)" : "", ...(f.signal ? { signal: f.signal } : {}) };
    },
    ...over,
  };
}
