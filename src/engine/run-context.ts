/**
 * What the phases of one run share: the experiment and its plan, the services, the journal, the
 * probe tallies, what went wrong so far, and the signal that stops the method. Chaos Toolkit's
 * chaoslib passes its journal and run state from phase to phase the same way. The phases (the
 * hypothesis, the method, the stop conditions, the rollbacks, the verdict) each live in their own
 * module and act on this; run.ts only orders them.
 */
import type { Check, Experiment, HypothesisStrategy, RollbackStrategy } from "../experiment/model.js";
import type { Phase, RunEvent } from "./events.js";
import type { InjectedFault, RunServices, RunView } from "./ports.js";
import type { FaultRecord, Journal, RunEntry, SteadyStateRecord } from "./journal.js";
import type { PlannedCheck, Reading, ReadingContext } from "./checks.js";
import { summarise } from "./checks.js";
export { stateFor } from "./checks.js";
import type { Monitor } from "./monitor.js";
import { ProbeTally } from "./tally.js";
import { errorMessage } from "./signals.js";
import { activityRecord } from "./activity-record.js";
import type { RunOptions } from "./run.js";

/**
 * How often, in the run's clock time, a reading makes the run rewrite its journal (with the
 * readings so far) when no step did meanwhile: a run killed mid-method loses at most this much of
 * what it read. Each rewrite is the whole file (bounded: series are thinned past MAX_POINTS).
 */
export const JOURNAL_READINGS_EVERY_MS = 30_000;

/** Why the method stopped early. */
export type Abort =
  | { kind: "interrupt"; signal: string }
  | { kind: "stop-condition"; probe: string; reason: string }
  | { kind: "fail-fast"; probe: string; reason: string }
  /** A fault's FIS experiment ended `stopped` before its planned end: `chaos stop`, the console, a FIS stop condition. */
  | { kind: "fault-stopped"; step: string; experimentId: string; at: string; reason: string }
  | { kind: "error"; message: string };

export class MethodAborted extends Error {
  constructor(readonly abort: Abort) {
    super(describeAbort(abort));
  }
}

export function describeAbort(a: Abort): string {
  switch (a.kind) {
    case "interrupt":
      return `interrupted by ${a.signal}`;
    case "stop-condition":
      return `stop condition ${a.probe} breached`;
    case "fail-fast":
      return `${a.probe} failed (fail fast)`;
    case "fault-stopped":
      return `${a.step}'s FIS experiment ${a.experimentId} was stopped at ${a.at} (${a.reason})`;
    case "error":
      return a.message;
  }
}

export class RunContext {
  readonly e: Experiment;
  readonly s: RunServices;
  readonly journal: Journal;
  readonly tallies = new Map<string, ProbeTally>();
  readonly faults: InjectedFault[] = [];
  readonly faultRecords: FaultRecord[] = [];
  /** Each started fault's check that it landed; the method's end waits for them. */
  readonly verifications: Promise<void>[] = [];
  chaosWindow: { start: number; end?: number } | undefined;
  /** The stop conditions' alarm ARNs (stop-conditions.ts), which every fault's FIS template stops on. */
  readonly stopAlarmArns: string[] = [];
  /** Each FIS fault's watch for its experiment being stopped early (fault-step.ts); they end with the method. */
  readonly faultWatches: Promise<void>[] = [];
  readonly faultWatchEnd = new AbortController();
  /** One reading of the run's stop alarms, which stops the run on one in ALARM (stop-conditions.ts); set when there are alarms. */
  checkStopAlarms: (() => Promise<void>) | undefined;
  /** On-chaos monitors: they start when the chaos window opens. */
  readonly onChaos: Monitor[] = [];
  private readonly methodAbort = new AbortController();
  /** Aborts on a signal or when the method is stopped (stop condition, fail fast, error). */
  readonly hard: AbortSignal;
  abortInfo: Abort | undefined;
  methodStarted = false;
  readonly deviations: string[] = [];
  readonly errors: string[] = [];
  /** Undo that did not complete: the target may still be changed, whatever the hypothesis said. */
  readonly rollbackFailures: string[] = [];
  /** The ledger intent for the declared rollbacks, which are run from memory (the ledger copy is redacted). */
  declaredIntent: string | undefined;
  private journalUnwritable = false;
  readonly strategy: HypothesisStrategy;
  readonly rollbackStrategy: RollbackStrategy;
  readonly failFast: boolean;
  readonly interval: number;
  /** The latest any polled reading came after its interval, in the clock's milliseconds. */
  worstLateReading = 0;
  startedAt = 0;
  /** Each probe's state for the whole run (ProbeContext.runState), by probe name. */
  private readonly probeRunStates = new Map<string, Record<string, unknown>>();

  constructor(readonly o: RunOptions) {
    this.e = o.plan.experiment;
    this.s = o.services;
    this.journal = o.journal;
    this.strategy = o.overrides?.hypothesis ?? this.e.runtime.hypothesis;
    this.rollbackStrategy = o.overrides?.rollbacks ?? this.e.runtime.rollbacks;
    this.failFast = o.overrides?.failFast ?? this.e.runtime.failFast;
    this.interval = o.overrides?.interval ?? this.e.runtime.interval;
    this.hard = AbortSignal.any([o.interrupt, this.methodAbort.signal]);
    const interrupted = () => this.abort({ kind: "interrupt", signal: String(o.interrupt.reason ?? "SIGINT") });
    // A signal that came while the run was being set up counts as much as one that comes later.
    if (o.interrupt.aborted) interrupted();
    else o.interrupt.addEventListener("abort", interrupted, { once: true });
  }

  get view(): RunView {
    return {
      runId: this.o.runId,
      startedAt: this.startedAt,
      configuration: this.e.configuration,
      faults: this.faults,
      chaosWindow: this.chaosWindow,
    };
  }

  /** Every event leaves the engine redacted: timelines and JSON logs never carry a secret. */
  emit(event: RunEvent): void {
    this.o.listener?.(this.journal.redactValue(event));
  }

  now(): number {
    return this.s.clock.now();
  }

  iso(at = this.now()): string {
    return new Date(at).toISOString();
  }

  /** When the journal was last written (clock time). */
  private savedAt: number | undefined;

  /** A reading was tallied (or the hypothesis read during the method): rewrite the journal if the last write is old enough. */
  readingTaken(): void {
    if (this.savedAt === undefined || this.now() - this.savedAt >= JOURNAL_READINGS_EVERY_MS) this.save();
  }

  /** Rewrites the journal with everything so far, the probes' tallies and readings included. */
  save(): void {
    this.savedAt = this.now();
    // A run killed from here on leaves these readings behind (concludeRun writes the final ones).
    this.journal.doc.gameday.probes = [...this.tallies.values()].map((t) => t.record((at) => this.iso(at)));
    this.journal.doc.gameday.writtenAt = this.iso(this.savedAt);
    this.recordChaosWindow();
    const wall = this.journal.doc.gameday.wallClock;
    if (wall && this.o.wallClock && wall.end === undefined) wall.writtenAt = new Date(this.o.wallClock.now()).toISOString();
    const failure = this.journal.write();
    if (!failure || this.journalUnwritable) return;
    // A run whose record is lost cannot be called a success; said once, not on every step.
    this.journalUnwritable = true;
    this.warn(`could not write the journal: ${failure}`);
    this.errors.push(`the journal could not be written: ${failure}`);
  }

  /** The run's wall-clock start (RunOptions.wallClock), when it was given one. */
  startWallClock(): void {
    const wall = this.o.wallClock;
    if (wall) this.journal.doc.gameday.wallClock = { start: new Date(wall.now()).toISOString() };
  }

  /** The run's wall-clock end and duration (seconds), as the run concludes. */
  endWallClock(): void {
    const wall = this.o.wallClock;
    const record = this.journal.doc.gameday.wallClock;
    if (!wall || !record) return;
    const end = new Date(wall.now()).toISOString();
    record.writtenAt = end;
    record.end = end;
    // From the ISO times as written, so that the three agree to the millisecond.
    record.duration = (Date.parse(end) - Date.parse(record.start)) / 1000;
  }

  /** The chaos window as the journal keeps it (run clock), once it has opened. */
  private recordChaosWindow(): void {
    const w = this.chaosWindow;
    if (w) this.journal.doc.gameday.chaosWindow = { start: this.iso(w.start), ...(w.end !== undefined ? { end: this.iso(w.end) } : {}) };
  }

  /** A polled reading came late: the worst is reported once the run has finished (see verdict.ts). */
  noteLate(ms: number): void {
    if (ms > this.worstLateReading) this.worstLateReading = ms;
  }

  warn(message: string): void {
    if (!this.journal.doc.gameday.warnings.includes(message)) this.journal.doc.gameday.warnings.push(message);
    this.emit({ type: "warning", at: this.now(), message });
  }

  /** Stops the method; the first reason given is the one the run reports. */
  abort(reason: Abort): void {
    if (this.abortInfo) return;
    this.abortInfo = reason;
    this.methodAbort.abort(new MethodAborted(reason));
  }

  phase(phase: Phase): void {
    this.emit({ type: "phase", at: this.now(), phase });
  }

  /** Readings are tallied per step and mode: one probe in two modes gets two verdicts. */
  tally(step: string, check: PlannedCheck, mode: string): ProbeTally {
    const key = `${step}\u0000${mode}`;
    let t = this.tallies.get(key);
    if (!t) {
      t = new ProbeTally(step, check.step.kind === "probe" ? check.step.probe : check.step.name, mode, check.probe?.output, () => this.readingTaken());
      this.tallies.set(key, t);
    }
    return t;
  }

  readingContext(signal: AbortSignal, mode: ReadingContext["mode"], state: Record<string, unknown>, since: number | undefined, final: boolean): ReadingContext {
    return { services: this.s, run: this.view, signal, state, runStates: this.probeRunStates, mode, final, cwd: this.o.cwd, ...(since !== undefined ? { since } : {}) };
  }

  emitReading(check: PlannedCheck, mode: string, r: Reading): void {
    this.emit({ type: "reading", at: r.end, probe: check.step.name, mode, ok: r.ok, summary: r.ok ? summarise(r.value, 100) : r.reason });
  }

  /** A reading as a Chaos Toolkit journal entry. */
  entryFor(step: Check, r: Reading): RunEntry {
    return {
      activity: activityRecord(step),
      output: r.value,
      start: this.iso(r.at),
      end: this.iso(r.end),
      duration: (r.end - r.at) / 1000,
      status: r.error ? "failed" : "succeeded",
      tolerance_met: r.ok,
      ...(r.error ? { exception: [r.error] } : {}),
    };
  }

  /** A probe that could not measure at all: the run cannot say whether the system held. */
  unreadable(name: string, where: string, reason: string): void {
    const message = `${name} (${where}) could not take a reading: ${reason}`;
    if (!this.errors.includes(message)) this.errors.push(message);
  }

  failedState(err: unknown): SteadyStateRecord {
    this.warn(`the steady state could not be checked: ${errorMessage(err)}`);
    return { steady_state_met: false, probes: [] };
  }

  /** The chaos window opens at the first fault (or the method's start when it has none). */
  openChaosWindow(at = this.now()): void {
    if (this.chaosWindow) return;
    this.chaosWindow = { start: at };
    for (const m of this.onChaos) m.start();
  }

  planned(name: string): PlannedCheck {
    return this.o.plan.checks.get(name)!;
  }
}
