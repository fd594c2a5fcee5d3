/**
 * Faults and probes against the embedded sandbox, without the engine: start a fault the way a run
 * does (the FIS runner, a real ledger on disk), verify it, read a probe, and undo from the ledger.
 * Everything talks to the sandbox through the real SDK clients, as on AWS.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { harness, stackYaml, type Harness } from "../sandbox/harness.js";
import { Ledger } from "../../src/engine/ledger.js";
import { silentLogger, type InjectedFault, type RunServices, type RunView } from "../../src/engine/ports.js";
import type { ProbeModule, ProbeReading } from "../../src/engine/probe.js";
import { stateFor } from "../../src/engine/checks.js";
import { loadFault } from "../../src/faults/index.js";
import { startFault } from "../../src/faults/fis-runner.js";
import { undoFault } from "../../src/faults/undo.js";
import type { FaultModule, Verification } from "../../src/faults/types.js";
import { SeededRandom } from "../../src/random/random.js";

export { stackYaml };

export interface Started {
  fault: InjectedFault;
  module: FaultModule;
  verify(): Promise<Verification>;
}

export interface Rig {
  h: Harness;
  services: RunServices;
  ledger: Ledger;
  run: RunView & { faults: InjectedFault[] };
  start(name: string, target: Record<string, unknown>, params?: Record<string, unknown>): Promise<Started>;
  /** Carries out the ledger's pending fault undo, newest first, as `chaos recover` would. */
  undoPending(filter?: (type: string) => boolean): Promise<{ description: string; ok: boolean; detail: string }[]>;
  /** A probe reading with the state a monitor keeps between readings (and the run's, shared by a probe's readers). */
  reader<P>(probe: ProbeModule<P>, withParams: Record<string, unknown>): (final?: boolean) => Promise<ProbeReading>;
  close(): Promise<void>;
}

const ACCOUNT = "123456789012";

export async function rig(yaml: string = stackYaml(), options: { seed?: number } = {}): Promise<Rig> {
  const h = await harness(yaml, options.seed === undefined ? {} : { seed: options.seed });
  const region = h.sandbox.kernel.region;
  const services: RunServices = {
    clock: h.clock,
    random: new SeededRandom(options.seed ?? 11),
    aws: h.clients,
    traffic: h.sandbox.traffic,
    log: silentLogger,
    targetKind: "sandbox",
    region,
  };
  const dir = mkdtempSync(join(tmpdir(), "gameday-faults-"));
  const ledger = Ledger.create(dir, { runId: "rig", experiment: "rig.yaml", title: "rig", seed: 7, target: { kind: "sandbox", region }, pid: process.pid, startedAt: h.clock.now(), journalPath: join(dir, "journal.json") });
  const faults: InjectedFault[] = [];
  const run = { runId: "rig", startedAt: h.clock.now(), configuration: {}, faults, chaosWindow: undefined };
  const signal = new AbortController().signal;
  const runStates = new Map<string, Record<string, unknown>>();
  let steps = 0;
  return {
    h,
    services,
    ledger,
    run,
    async start(name, rawTarget, rawParams = {}) {
      // Loading a module is real I/O: a virtual clock would jump ahead meanwhile.
      const release = h.clock.hold();
      const module = (await loadFault(name).finally(release))!;
      const params = module.params.parse(rawParams);
      const target = module.target.parse(rawTarget);
      const fragment = module.compile({ params, target, configuration: {}, region, accountId: ACCOUNT });
      const fault = await startFault({ runId: "rig", stepName: `${name}-${++steps}`, module, params, target, fragment, services, run, ledger, signal, accountId: ACCOUNT, configuration: {} });
      faults.push(fault);
      return { fault, module, verify: () => module.verify({ ...services, params, target, run, fault, signal }) };
    },
    async undoPending(filter = () => true) {
      const out = [];
      for (const intent of ledger.pending()) {
        if (intent.undo.type === "declared-rollbacks" || !filter(intent.undo.type)) continue;
        const r = await undoFault(intent.undo, h.clients, h.clock);
        ledger.markUndone(intent.id, h.clock.now(), r.ok, r.ok ? undefined : r.detail);
        out.push({ description: intent.description, ...r });
      }
      return out;
    },
    reader(probe, withParams) {
      const params = probe.params.parse(withParams);
      const state: Record<string, unknown> = {};
      const since = h.clock.now();
      const runState = stateFor(runStates, probe.name);
      return (final = false) => probe.run({ ...services, params, run, signal, state, runState, mode: "on-chaos", since, final });
    },
    close: () => h.close(),
  };
}
