/**
 * Builds runs for engine tests without the loader or a target: experiments are written as the
 * model the engine consumes, probes come from test/fixtures/probes, time is virtual.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Check, Experiment, LoadedExperiment, ProbeStep, SteadyStateHypothesis, Step } from "../../src/experiment/model.js";
import { parseTolerance } from "../../src/experiment/tolerance.js";
import { planExperiment } from "../../src/engine/plan.js";
import { Journal } from "../../src/engine/journal.js";
import { Ledger } from "../../src/engine/ledger.js";
import { runExperiment, type RunOptions, type RunResult } from "../../src/engine/run.js";
import type { RunEvent } from "../../src/engine/events.js";
import { noTraffic, type TrafficPort } from "../../src/engine/ports.js";
import { AwsClients } from "../../src/aws/clients.js";
import { Dispatcher } from "../../src/sandbox/protocol/dispatcher.js";
import { VirtualClock, type Clock } from "../../src/time/clock.js";
import { SeededRandom } from "../../src/random/random.js";

export const TEST_PROBES = fileURLToPath(new URL("../fixtures/probes/", import.meta.url));

let n = 0;
export function probe(script: string, extra: Omit<Partial<ProbeStep>, "tolerance"> & { tolerance?: unknown } = {}): ProbeStep {
  const { tolerance, ...rest } = extra;
  const name = rest.name ?? `${script}-${++n}`;
  return {
    kind: "probe",
    name,
    at: [],
    background: false,
    probe: "scripted",
    with: { script },
    attempts: 1,
    stopOnFailure: false,
    ...rest,
    ...(tolerance !== undefined ? { tolerance: parseTolerance(tolerance, []) } : {}),
  } as ProbeStep;
}

export function pause(ms: number, extra: Partial<Step> = {}): Step {
  return { kind: "pause", name: `pause-${++n}`, at: [], background: false, duration: ms, ...extra } as Step;
}

export function processAction(name: string, script: string, extra: Partial<Step> = {}): Step {
  return {
    kind: "activity",
    type: "action",
    name,
    at: [],
    background: false,
    provider: { type: "process", path: process.execPath, arguments: ["-e", script] },
    ...extra,
  } as Step;
}

export function experiment(e: Partial<Experiment>): Experiment {
  return {
    title: "engine test",
    description: "",
    tags: [],
    configuration: {},
    secrets: {},
    method: [],
    rollbacks: [],
    stopConditions: [],
    runtime: { hypothesis: "default", interval: 5_000, rollbacks: "always", failFast: false },
    ...e,
  };
}

export function hypothesis(...probes: Check[]): SteadyStateHypothesis {
  return { title: "steady", probes };
}


export interface TestRun extends RunResult {
  events: RunEvent[];
  clock: VirtualClock;
  ledger: Ledger;
  dir: string;
}

export interface RunSetup {
  options: RunOptions;
  clock: VirtualClock;
  ledger: Ledger;
  events: RunEvent[];
  dir: string;
}

export interface SetupOptions {
  seed?: number;
  interrupt?: AbortSignal;
  secrets?: string[];
  start?: (clock: VirtualClock) => void;
  journalPath?: (dir: string) => string;
  prepare?: (dir: string) => void;
  /** The clock the run sees, built on the virtual one (a LateClock, for scaled real time). */
  clock?: (virtual: VirtualClock) => Clock;
  /** The run's traffic port (none by default). */
  traffic?: TrafficPort;
  /** A real clock for the journal's wall-clock times (none by default, as in journals of older gameday). */
  wallClock?: Clock;
}

/** Everything a run needs (plan, services, journal, ledger), not yet run: for testing one phase alone. */
export async function setup(e: Experiment, options: SetupOptions = {}): Promise<RunSetup> {
  const dir = mkdtempSync(join(tmpdir(), "gameday-engine-"));
  options.prepare?.(dir);
  const loaded: LoadedExperiment = { file: "test.yaml", experiment: e, raw: { title: e.title }, positionOf: () => undefined, secretValues: options.secrets ?? [] };
  const plan = await planExperiment(loaded, { probeDirs: [TEST_PROBES], region: "us-east-1", accountId: "123456789012" });
  const clock = new VirtualClock();
  options.start?.(clock);
  const random = new SeededRandom(options.seed ?? 7);
  const runClock = options.clock?.(clock) ?? clock;
  const aws = new AwsClients({ kind: "local", region: "us-east-1", dispatch: new Dispatcher().dispatch }, { clock: runClock, random });
  const runId = `test-${n}`;
  const ledger = Ledger.create(dir, { runId, experiment: "test.yaml", title: e.title, seed: 7, target: { kind: "sandbox", region: "us-east-1" }, pid: process.pid, startedAt: clock.now(), journalPath: join(dir, "journal.json") });
  const journal = new Journal(options.journalPath?.(dir) ?? join(dir, "journal.json"), { experiment: loaded.raw, start: new Date(clock.now()).toISOString(), runId, seed: 7, target: { kind: "sandbox", region: "us-east-1" }, clock: "virtual", ledger: ledger.dir, secrets: loaded.secretValues });
  const events: RunEvent[] = [];
  return {
    options: {
      plan,
      services: { clock: runClock, random, aws, traffic: options.traffic ?? noTraffic, log: { info() {}, warn() {}, debug() {} }, targetKind: "sandbox", region: "us-east-1" },
      runId,
      seed: 7,
      journal,
      ledger,
      interrupt: options.interrupt ?? new AbortController().signal,
      listener: (ev) => events.push(ev),
      cwd: dir,
      accountId: "123456789012",
      ...(options.wallClock ? { wallClock: options.wallClock } : {}),
    },
    clock,
    ledger,
    events,
    dir,
  };
}

export async function run(e: Experiment, options: SetupOptions = {}): Promise<TestRun> {
  const { options: runOptions, clock, ledger, events, dir } = await setup(e, options);
  const result = await runExperiment(runOptions);
  clock.stop();
  return { ...result, events, clock, ledger, dir };
}
