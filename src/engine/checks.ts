/**
 * Takes one reading of a check: a Chaos Toolkit activity (http/process provider) or a gameday
 * probe module. A probe gets `attempts` tries, `interval` apart, each bounded by its timeout; the
 * reading passes when the value meets the tolerance (or, without a tolerance, when it was read).
 */
import type { ActivityStep, Check, ProbeMode, ProbeStep, Tolerance } from "../experiment/model.js";
import { evaluateTolerance } from "../experiment/tolerance.js";
import type { Observation, RunServices, RunView } from "./ports.js";
import type { ProbeModule } from "./probe.js";
import { errorMessage, raceAbort, StepTimeout, timeoutSignal } from "./signals.js";
import { whileHolding } from "../time/clock.js";
import { MIN_INTERVAL_MS } from "../experiment/schema.js";

export interface PlannedCheck {
  step: Check;
  /** For `probe:` steps: the module and its validated parameters. */
  probe?: ProbeModule<any>;
  params?: unknown;
  /** The step's tolerance, or the probe's default. */
  tolerance?: Tolerance;
}

export interface Reading {
  at: number;
  end: number;
  ok: boolean;
  value?: unknown;
  /** Why it passed or missed, in words. */
  reason: string;
  /** Set when the value could not be read at all. */
  error?: string;
  /**
   * A gameday probe module threw or timed out: it could not measure on this target (no traffic
   * generator, no fault to watch, an AWS call refused), which is a toolkit or target error, not a
   * deviation. A Chaos Toolkit provider's failure stays a failed reading, as in Chaos Toolkit: an
   * HTTP probe that cannot connect is measuring an outage.
   */
  unreadable?: boolean;
  observations: Observation[];
  attempts: number;
}

export interface ReadingContext {
  services: RunServices;
  run: RunView;
  signal: AbortSignal;
  state: Record<string, unknown>;
  /** Each probe's run-scoped state, by probe name (ProbeContext.runState). */
  runStates: Map<string, Record<string, unknown>>;
  mode: ProbeMode | "once";
  since?: number;
  final: boolean;
  cwd: string;
}

const DEFAULT_ATTEMPT_INTERVAL = 1_000;

export async function takeReading(check: PlannedCheck, ctx: ReadingContext): Promise<Reading> {
  const { clock } = ctx.services;
  const at = clock.now();
  const step = check.step;
  const attempts = step.kind === "probe" ? Math.max(1, step.attempts) : 1;
  let last: Omit<Reading, "at" | "end" | "attempts"> = { ok: false, reason: "not read", observations: [] };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    last = await attemptOnce(check, ctx);
    if (last.ok || attempt === attempts) return { ...last, at, end: clock.now(), attempts: attempt };
    // At least the minimum interval, as the monitor's: retries with no pause would hold a virtual clock still.
    await clock.sleep(Math.max((step as ProbeStep).interval ?? DEFAULT_ATTEMPT_INTERVAL, MIN_INTERVAL_MS), ctx.signal);
  }
  return { ...last, at, end: clock.now(), attempts };
}

function timeoutOf(step: Check): number | undefined {
  return step.kind === "probe" ? (step.probeTimeout ?? step.timeout) : step.timeout;
}

async function attemptOnce(check: PlannedCheck, ctx: ReadingContext): Promise<Omit<Reading, "at" | "end" | "attempts">> {
  const limit = timeoutOf(check.step);
  const scoped = timeoutSignal(ctx.services.clock, ctx.signal, limit);
  try {
    const { value, observations } = await raceAbort(readValue(check, ctx, scoped.signal, limit), scoped.signal);
    return judge(check.tolerance, value, observations);
  } catch (err) {
    // The run itself was interrupted or aborted: not a reading, let the caller unwind.
    if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
    const reason = err instanceof StepTimeout ? `no reading within ${err.ms} ms` : errorMessage(err);
    return { ok: false, reason, error: reason, observations: [], ...(check.probe ? { unreadable: true } : {}) };
  } finally {
    scoped.dispose();
  }
}

function judge(tolerance: Tolerance | undefined, value: unknown, observations: Observation[]) {
  if (!tolerance) return { ok: true, value, reason: "read (no tolerance to judge)", observations };
  const verdict = evaluateTolerance(tolerance, value);
  return { ok: verdict.ok, value, reason: verdict.reason, observations };
}

async function readValue(check: PlannedCheck, ctx: ReadingContext, signal: AbortSignal, limit: number | undefined): Promise<{ value: unknown; observations: Observation[] }> {
  const step = check.step;
  if (step.kind === "activity") return { value: await runActivityProvider(step, ctx, signal, limit), observations: [] };
  if (!check.probe) throw new Error(`probe ${step.probe} was not planned`);
  const reading = await check.probe.run({
    ...ctx.services,
    params: check.params,
    run: ctx.run,
    signal,
    state: ctx.state,
    runState: stateFor(ctx.runStates, check.probe.name),
    mode: ctx.mode,
    ...(ctx.since !== undefined ? { since: ctx.since } : {}),
    final: ctx.final,
  });
  return { value: reading.value, observations: reading.observations ?? [] };
}

/** Probe state kept under a name: one series of readings, or one probe's whole run. */
export function stateFor(states: Map<string, Record<string, unknown>>, name: string): Record<string, unknown> {
  let state = states.get(name);
  if (!state) {
    state = {};
    states.set(name, state);
  }
  return state;
}

/** Runs a Chaos Toolkit activity's provider; its output is the value. */
export async function runActivityProvider(step: ActivityStep, ctx: { services: RunServices; cwd: string }, signal: AbortSignal, limit: number | undefined): Promise<unknown> {
  const options = { signal, ...(limit !== undefined ? { timeoutMs: limit } : {}) };
  // Imported when a run has such a step (most have none: node:child_process and the HTTP client
  // stay unloaded); the import is real I/O, so virtual time stands still meanwhile.
  if (step.provider.type === "process") {
    const { runProcess } = await whileHolding(ctx.services.clock, () => import("./providers/process.js"));
    return runProcess(step.provider, ctx.services.clock, { ...options, cwd: ctx.cwd });
  }
  const { runHttp } = await whileHolding(ctx.services.clock, () => import("./providers/http.js"));
  return runHttp(step.provider, ctx.services.clock, options);
}

function scalar(v: unknown): string | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === "boolean" || v === null) return String(v);
  if (typeof v === "string") return v.length > 40 ? JSON.stringify(`${v.slice(0, 39)}…`) : JSON.stringify(v);
  return undefined;
}

/** A short, single-line rendering of a value for timelines: `key=value` for an object's scalars. */
export function summarise(value: unknown, max = 120): string {
  let text: string;
  if (value === undefined) text = "nothing";
  else if (value && typeof value === "object" && !Array.isArray(value)) {
    const parts = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => [k, scalar(v)] as const)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    text = parts.join(" ") || "{…}";
  } else {
    text = scalar(value) ?? (() => {
      try {
        return JSON.stringify(value);
      } catch {
        return String(value);
      }
    })();
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
