/**
 * The run lifecycle: steady state before, then the method (with stop conditions, the hypothesis
 * during it, continuous and on-chaos probes alongside), the faults allowed to finish, steady state
 * after, rollbacks from the ledger, and the steady state re-checked after rollback. The engine
 * orchestrates; faults and probes act; the journal is rewritten after every step.
 *
 * Outcomes and exit codes: held 0, deviated 1 (also when the steady state did not hold before the
 * method: reported as such, never as success), aborted by a stop condition 3, target or toolkit
 * error 4, interrupted 130 (after rollbacks).
 */
import type { ActivityStep, Check, Experiment, HypothesisStrategy, ProbeMode, ProbeStep, RollbackStrategy, Step } from "../experiment/model.js";
import { startFault, waitForExperiment } from "../faults/fis-runner.js";
import { StopExperimentCommand } from "@aws-sdk/client-fis";
import type { RunEvent, RunListener, Phase } from "./events.js";
import type { InjectedFault, RunServices, RunView } from "./ports.js";
import type { Ledger } from "./ledger.js";
import { executeUndo } from "./undo.js";
import { Journal, journalExperiment, type FaultRecord, type RunEntry, type SteadyStateRecord } from "./journal.js";
import { runActivityProvider, summarise, takeReading, type PlannedCheck, type Reading } from "./checks.js";
import { Monitor } from "./monitor.js";
import { ProbeTally } from "./tally.js";
import { errorMessage, raceAbort, StepTimeout, timeoutSignal } from "./signals.js";
import type { Plan } from "./plan.js";

/**
 * Lateness of polled readings worth a warning in the journal. Probes judge at a second's grain, so
 * readings a second late start to shift what they measure; virtual time is never late at all.
 */
const LATE_READING_MS = 1_000;

export type Verdict = "held" | "deviated" | "not-steady-before" | "aborted" | "interrupted" | "error";

export const EXIT_CODES: Readonly<Record<Verdict, number>> = {
  held: 0,
  deviated: 1,
  "not-steady-before": 1,
  aborted: 3,
  error: 4,
  interrupted: 130,
};

export interface RunOptions {
  plan: Plan;
  services: RunServices;
  runId: string;
  seed: number;
  journal: Journal;
  ledger: Ledger;
  /** Aborted (with the signal name as reason) on SIGINT/SIGTERM. */
  interrupt: AbortSignal;
  listener?: RunListener;
  cwd: string;
  accountId: string;
  overrides?: { hypothesis?: HypothesisStrategy; rollbacks?: RollbackStrategy; failFast?: boolean; interval?: number };
}

export interface RunResult {
  verdict: Verdict;
  exitCode: number;
  summary: string;
  journal: Journal;
}

/** Why the method stopped early. */
type Abort =
  | { kind: "interrupt"; signal: string }
  | { kind: "stop-condition"; probe: string; reason: string }
  | { kind: "fail-fast"; probe: string; reason: string }
  | { kind: "error"; message: string };

class MethodAborted extends Error {
  constructor(readonly abort: Abort) {
    super(describeAbort(abort));
  }
}

function describeAbort(a: Abort): string {
  switch (a.kind) {
    case "interrupt":
      return `interrupted by ${a.signal}`;
    case "stop-condition":
      return `stop condition ${a.probe} breached`;
    case "fail-fast":
      return `${a.probe} failed (fail fast)`;
    case "error":
      return a.message;
  }
}

/** Grace beyond a fault's expected duration before gameday stops its experiment itself. */
const FAULT_GRACE_MS = 60_000;

export async function runExperiment(options: RunOptions): Promise<RunResult> {
  return new ExperimentRun(options).execute();
}

class ExperimentRun {
  private readonly e: Experiment;
  private readonly s: RunServices;
  private readonly journal: Journal;
  private readonly tallies = new Map<string, ProbeTally>();
  private readonly faults: InjectedFault[] = [];
  private readonly faultRecords: FaultRecord[] = [];
  private readonly verifications: Promise<void>[] = [];
  private chaosWindow: { start: number; end?: number } | undefined;
  private readonly onChaos: Monitor[] = [];
  private readonly methodAbort = new AbortController();
  private readonly hard: AbortSignal;
  private abortInfo: Abort | undefined;
  private methodStarted = false;
  private deviations: string[] = [];
  private errors: string[] = [];
  /** Undo that did not complete: the target may still be changed, whatever the hypothesis said. */
  private rollbackFailures: string[] = [];
  /** The ledger intent for the declared rollbacks, which are run from memory (the ledger copy is redacted). */
  private declaredIntent: string | undefined;
  /** Probe state kept across one stop condition's or one hypothesis probe's readings, as for monitored probes. */
  private readonly stopStates = new Map<string, Record<string, unknown>>();
  private readonly duringStates = new Map<string, Record<string, unknown>>();
  private journalUnwritable = false;
  private readonly strategy: HypothesisStrategy;
  private readonly rollbackStrategy: RollbackStrategy;
  private readonly failFast: boolean;
  private readonly interval: number;
  /** The latest any polled reading came after its interval, in the clock's milliseconds. */
  private worstLateReading = 0;

  constructor(private readonly o: RunOptions) {
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

  private get view(): RunView {
    return {
      runId: this.o.runId,
      startedAt: this.startedAt,
      configuration: this.e.configuration,
      faults: this.faults,
      chaosWindow: this.chaosWindow,
    };
  }

  private startedAt = 0;

  /** Every event leaves the engine redacted: timelines and JSON logs never carry a secret. */
  private emit(event: RunEvent): void {
    this.o.listener?.(this.journal.redactValue(event));
  }

  private now(): number {
    return this.s.clock.now();
  }

  private iso(at = this.now()): string {
    return new Date(at).toISOString();
  }

  private save(): void {
    const failure = this.journal.write();
    if (!failure || this.journalUnwritable) return;
    // A run whose record is lost cannot be called a success; said once, not on every step.
    this.journalUnwritable = true;
    this.warn(`could not write the journal: ${failure}`);
    this.errors.push(`the journal could not be written: ${failure}`);
  }

  /** A polled reading came late: the worst is reported once the run has finished (see finish). */
  private noteLate(ms: number): void {
    if (ms > this.worstLateReading) this.worstLateReading = ms;
  }

  private warn(message: string): void {
    if (!this.journal.doc.gameday.warnings.includes(message)) this.journal.doc.gameday.warnings.push(message);
    this.emit({ type: "warning", at: this.now(), message });
  }

  private abort(reason: Abort): void {
    if (this.abortInfo) return;
    this.abortInfo = reason;
    this.methodAbort.abort(new MethodAborted(reason));
  }

  private phase(phase: Phase): void {
    this.emit({ type: "phase", at: this.now(), phase });
  }

  async execute(): Promise<RunResult> {
    this.startedAt = this.now();
    this.emit({
      type: "run-started",
      at: this.startedAt,
      runId: this.o.runId,
      title: this.e.title,
      seed: this.o.seed,
      target: this.journal.doc.gameday.target.kind,
      clock: this.s.clock.kind,
    });
    this.save();
    let notSteadyBefore = false;
    const continuous = this.modeChecks("continuous");
    const continuousMonitors: Monitor[] = [];
    try {
      // --- Steady state before, and the single readings that open each probe's window.
      if (this.runsBefore()) {
        this.phase("steady-state-before");
        const before = await this.steadyState("before");
        this.journal.doc.steady_states.before = before;
        notSteadyBefore = !before.steady_state_met;
        this.save();
      }
      if (!notSteadyBefore) {
        for (const c of [...this.modeChecks("sot"), ...this.modeChecks("edge")]) await this.single(c, c.step.kind === "probe" && c.step.mode === "edge" ? "edge" : "sot");
        // A start-of-test reading that failed with stopOnFailure (or --fail-fast) keeps the method from starting.
        if (this.hard.aborted) throw this.hard.reason;
        for (const c of continuous) continuousMonitors.push(this.monitorFor(c, "continuous", this.hard));
        for (const m of continuousMonitors) m.start();

        // --- The method.
        this.phase("method");
        await this.method();
      }
    } catch (err) {
      if (!(err instanceof MethodAborted) && !this.hard.aborted) {
        this.errors.push(errorMessage(err));
        this.abort({ kind: "error", message: errorMessage(err) });
      }
    }

    // --- After the method: let probes finish their windows, then the steady state after.
    await Promise.allSettled(this.verifications);
    for (const m of this.onChaos) await m.close();
    if (this.methodStarted && !this.abortInfo) {
      if (this.runsAfter()) {
        this.phase("steady-state-after");
        const after = await this.steadyState("after").catch((err: unknown) => this.failedState(err));
        this.journal.doc.steady_states.after = after;
        if (!after.steady_state_met) this.deviations.push("the steady state did not hold after the method");
      }
      for (const c of [...this.modeChecks("eot"), ...this.modeChecks("edge")]) {
        await this.single(c, c.step.kind === "probe" && c.step.mode === "edge" ? "edge" : "eot").catch(() => undefined);
      }
    }
    for (const m of continuousMonitors) await m.close();
    // Probe verdicts are in before the rollbacks: `rollbacks: deviated` must see a failed probe.
    this.judgeProbes();
    this.save();

    // --- Rollbacks, then is the system back?
    const rolledBack = await this.rollbacks(notSteadyBefore);
    if (rolledBack && this.e.steadyStateHypothesis && this.e.steadyStateHypothesis.probes.length > 0 && !this.o.interrupt.aborted) {
      this.phase("steady-state-after-rollback");
      const again = await this.steadyState("after-rollback").catch((err: unknown) => this.failedState(err));
      this.journal.doc.gameday.steadyStateAfterRollback = again;
      if (!again.steady_state_met) this.deviations.push("the steady state did not come back after the rollbacks");
    }
    return this.finish(notSteadyBefore);
  }

  // ---------------------------------------------------------------- hypothesis

  private runsBefore(): boolean {
    return ["default", "before-method-only", "continuously"].includes(this.strategy);
  }

  private runsAfter(): boolean {
    return ["default", "after-method-only", "continuously"].includes(this.strategy);
  }

  private runsDuring(): boolean {
    return this.strategy === "continuously" || this.strategy === "during-method-only";
  }

  private hypothesisChecks(): PlannedCheck[] {
    return (this.e.steadyStateHypothesis?.probes ?? []).map((p) => this.o.plan.checks.get(p.name)!).filter(Boolean);
  }

  private async steadyState(when: "before" | "after" | "after-rollback" | "during", signal = when === "after-rollback" ? this.o.interrupt : this.hard): Promise<SteadyStateRecord> {
    const probes: RunEntry[] = [];
    let met = true;
    for (const check of this.hypothesisChecks()) {
      const mode: ProbeMode = when === "before" ? "sot" : when === "during" ? "continuous" : "eot";
      // Readings during the method are one series per probe (a window, a baseline); the others stand alone.
      const state = when === "during" ? stateFor(this.duringStates, check.step.name) : {};
      const reading = await takeReading(check, this.readingContext(signal, mode, state, undefined, when !== "during"));
      if (when !== "during") this.emitReading(check, `steady-state ${when}`, reading);
      if (reading.unreadable && when === "during") {
        // One of a series: a reading that could not be taken counts neither way (as in a tally).
        this.warn(`${check.step.name} (steady state during the method) could not take a reading: ${reading.reason}`);
        probes.push(this.entryFor(check.step, reading));
        continue;
      }
      if (reading.unreadable) this.unreadable(check.step.name, `steady state ${when}`, reading.reason);
      met &&= reading.ok;
      probes.push(this.entryFor(check.step, reading));
    }
    return { steady_state_met: met, probes };
  }

  /** A probe that could not measure at all: the run cannot say whether the system held. */
  private unreadable(name: string, where: string, reason: string): void {
    const message = `${name} (${where}) could not take a reading: ${reason}`;
    if (!this.errors.includes(message)) this.errors.push(message);
  }

  private failedState(err: unknown): SteadyStateRecord {
    this.warn(`the steady state could not be checked: ${errorMessage(err)}`);
    return { steady_state_met: false, probes: [] };
  }

  // ---------------------------------------------------------------- method

  private async method(): Promise<void> {
    this.methodStarted = true;
    if (this.e.rollbacks.length > 0) {
      // The ledger is a file on disk: it gets the steps with secrets masked. This run undoes from
      // memory; `chaos recover` has to be given the secrets again (see recover-command).
      const steps = this.journal.redactValue(this.e.rollbacks);
      this.declaredIntent = this.o.ledger.intend(this.now(), "run the experiment's declared rollbacks", {
        type: "declared-rollbacks",
        steps,
        ...(steps !== this.e.rollbacks && JSON.stringify(steps) !== JSON.stringify(this.e.rollbacks) ? { secretsMasked: true } : {}),
      });
    }
    const stopMonitors = this.e.stopConditions.map((c) => {
      const check = this.o.plan.checks.get(c.name)!;
      return new Monitor({
        clock: this.s.clock,
        interval: (c.kind === "probe" ? c.interval : undefined) ?? this.interval,
        hardStop: this.hard,
        onLate: (ms) => this.noteLate(ms),
        read: (final, since) => takeReading(check, this.readingContext(this.hard, "continuous", stateFor(this.stopStates, c.name), since, final)),
        onReading: (r) => {
          this.tally(c.name, check, "stop-condition").add(r);
          if (r.unreadable) {
            // A guard that cannot see is no guard: stop the method, but call it what it is.
            const message = `stop condition ${c.name} could not take a reading (${r.reason}); the method was stopped because it ran unguarded`;
            this.errors.push(message);
            this.abort({ kind: "error", message });
          } else if (!r.ok) {
            this.emit({ type: "stop-condition", at: this.now(), probe: c.name, reason: r.reason });
            this.journal.doc.gameday.stopCondition = { probe: c.name, at: this.iso(r.at), reason: r.reason };
            this.abort({ kind: "stop-condition", probe: c.name, reason: r.reason });
          }
        },
      });
    });
    const during = this.runsDuring() && this.hypothesisChecks().length > 0 ? this.duringMonitor() : undefined;
    for (const m of stopMonitors) m.start();
    during?.start();
    // On-chaos probes watch the chaos window wherever they sit in the method; with no fault at all,
    // the window is the whole method.
    for (const step of this.e.method) if (step.kind === "probe" && step.mode === "on-chaos") this.prepareOnChaos(step);
    if (this.o.plan.faults.size === 0) this.openChaosWindow();
    const background: Promise<void>[] = [];
    try {
      for (const step of this.e.method) {
        if (this.hard.aborted) break;
        // Probes with a mode are scheduled by their mode, not by their place in the list.
        if (step.kind === "probe" && step.mode !== undefined) continue;
        const work = this.withPauses(step, () => this.step(step));
        if (step.background) background.push(work.catch((err: unknown) => this.methodError(step, err)));
        else await work.catch((err: unknown) => this.methodError(step, err));
        this.save();
      }
      await Promise.all(background);
      if (!this.hard.aborted) {
        if (!this.chaosWindow) this.openChaosWindow();
        await this.waitForFaults();
      }
    } finally {
      if (this.chaosWindow && this.chaosWindow.end === undefined) this.chaosWindow.end = this.now();
      for (const m of this.onChaos) await m.close();
      await during?.close();
      for (const m of stopMonitors) await m.close();
    }
    if (this.hard.aborted) {
      const reason = this.hard.reason;
      throw reason instanceof MethodAborted ? reason : new MethodAborted({ kind: "interrupt", signal: String(reason) });
    }
  }

  private methodError(step: Step, err: unknown): void {
    if (this.hard.aborted) return;
    const message = err instanceof StepTimeout ? `${step.name} ${err.message}` : `${step.name}: ${errorMessage(err)}`;
    this.errors.push(message);
    this.abort({ kind: "error", message });
  }

  private async withPauses(step: Step, work: () => Promise<void>): Promise<void> {
    if (step.pauses?.before) await this.s.clock.sleep(step.pauses.before, this.hard);
    await work();
    if (step.pauses?.after) await this.s.clock.sleep(step.pauses.after, this.hard);
  }

  private async step(step: Step): Promise<void> {
    const scoped = timeoutSignal(this.s.clock, this.hard, step.timeout);
    this.emit({ type: "step-started", at: this.now(), step: step.name, kind: step.kind === "activity" ? step.type : step.kind, ...(step.kind === "pause" ? { detail: `${step.duration / 1000}s` } : {}) });
    try {
      switch (step.kind) {
        case "pause":
          return await this.pause(step, scoped.signal);
        case "activity":
          return await this.activity(step, scoped.signal, step.timeout);
        case "probe":
          return await this.methodProbe(step, scoped.signal);
        case "fault":
          return await raceAbort(this.fault(step, scoped.signal), scoped.signal);
      }
    } catch (err) {
      if (scoped.signal.aborted && scoped.signal.reason instanceof StepTimeout) throw scoped.signal.reason;
      throw err;
    } finally {
      scoped.dispose();
    }
  }

  private async pause(step: Extract<Step, { kind: "pause" }>, signal: AbortSignal): Promise<void> {
    const start = this.now();
    const entry: RunEntry = { activity: activityRecord(step), start: this.iso(start), status: "running" };
    this.journal.doc.run.push(entry);
    try {
      await this.s.clock.sleep(step.duration, signal);
      entry.status = "succeeded";
      this.emit({ type: "step-ended", at: this.now(), step: step.name, status: "succeeded" });
    } catch (err) {
      entry.status = "failed";
      entry.exception = [errorMessage(signal.reason ?? err)];
      throw err;
    } finally {
      entry.end = this.iso();
      entry.duration = (this.now() - start) / 1000;
    }
  }

  private async activity(step: ActivityStep, signal: AbortSignal, limit: number | undefined): Promise<void> {
    const check = this.o.plan.checks.get(step.name);
    if (check) {
      const reading = await takeReading(check, this.readingContext(signal, "once", {}, undefined, true));
      this.journal.doc.run.push(this.entryFor(step, reading));
      this.emitReading(check, "once", reading);
      this.tally(step.name, check, "once").add(reading);
      if (reading.error) throw new Error(reading.error);
      if (!reading.ok) this.deviations.push(`${step.name}: ${reading.reason}`);
      return;
    }
    const start = this.now();
    const entry: RunEntry = { activity: activityRecord(step), start: this.iso(start), status: "running" };
    this.journal.doc.run.push(entry);
    this.save();
    try {
      entry.output = await raceAbort(runActivityProvider(step, { services: this.s, cwd: this.o.cwd }, signal, limit), signal);
      entry.status = "succeeded";
      this.emit({ type: "step-ended", at: this.now(), step: step.name, status: "succeeded", detail: summarise(entry.output, 80) });
    } catch (err) {
      entry.status = "failed";
      entry.exception = [errorMessage(signal.reason instanceof StepTimeout ? signal.reason : err)];
      this.emit({ type: "step-ended", at: this.now(), step: step.name, status: "failed", detail: entry.exception[0]! });
      throw signal.reason instanceof StepTimeout ? signal.reason : err;
    } finally {
      entry.end = this.iso();
      entry.duration = (this.now() - start) / 1000;
    }
  }

  private async methodProbe(step: ProbeStep, signal: AbortSignal): Promise<void> {
    const check = this.o.plan.checks.get(step.name)!;
    const reading = await takeReading(check, this.readingContext(signal, "once", {}, undefined, true));
    this.journal.doc.run.push(this.entryFor(step, reading));
    this.emitReading(check, "once", reading);
    this.tally(step.name, check, "once").add(reading);
    if (!reading.ok && (step.stopOnFailure || this.failFast)) this.abort({ kind: "fail-fast", probe: step.name, reason: reading.reason });
  }

  // ---------------------------------------------------------------- faults and the chaos window

  private async fault(step: Extract<Step, { kind: "fault" }>, signal: AbortSignal): Promise<void> {
    const planned = this.o.plan.faults.get(step.name)!;
    const record: FaultRecord = { step: step.name, fault: step.fault, startedAt: this.iso(), targets: [], template: planned.fragment };
    this.faultRecords.push(record);
    this.journal.doc.gameday.faults = this.faultRecords;
    // Chaos Toolkit journals list every method activity as it starts; a fault is gameday's action.
    const start = this.now();
    const entry: RunEntry = { activity: activityRecord(step), start: this.iso(start), status: "running" };
    this.journal.doc.run.push(entry);
    const ended = (status: RunEntry["status"], output?: unknown, exception?: string) => {
      entry.status = status;
      if (output !== undefined) entry.output = output;
      if (exception !== undefined) entry.exception = [exception];
      entry.end = this.iso();
      entry.duration = (this.now() - start) / 1000;
    };
    let injected: InjectedFault;
    try {
      injected = await startFault({
        runId: this.o.runId,
        stepName: step.name,
        module: planned.module,
        params: planned.params,
        target: planned.target,
        fragment: planned.fragment,
        services: this.s,
        run: this.view,
        ledger: this.o.ledger,
        signal,
        accountId: this.o.accountId,
        configuration: this.e.configuration,
        onStarted: (ids) => Object.assign(record, ids),
      });
    } catch (err) {
      const cut = signal.aborted && signal.reason instanceof MethodAborted ? signal.reason.message : undefined;
      record.error =
        cut === undefined
          ? errorMessage(err)
          : record.experimentId
            ? `started as FIS experiment ${record.experimentId}, ${cut} before it was seen running (the rollbacks stop it)`
            : `not started: ${cut}`;
      ended("failed", undefined, record.error);
      this.emit({ type: "step-ended", at: this.now(), step: step.name, status: "failed", detail: record.error });
      throw err;
    }
    this.faults.push(injected);
    ended("succeeded", { experimentId: injected.experimentId, templateId: injected.templateId, targets: injected.targets.map((t) => t.arn || t.targetName) });
    Object.assign(record, {
      experimentId: injected.experimentId,
      templateId: injected.templateId,
      status: injected.status,
      targets: injected.targets.map((t) => ({ resourceType: t.resourceType, arn: t.arn, targetName: t.targetName })),
    });
    this.openChaosWindow(injected.startedAt);
    this.emit({
      type: "fault-started",
      at: this.now(),
      step: step.name,
      fault: step.fault,
      ...(injected.experimentId ? { experimentId: injected.experimentId } : {}),
      targets: injected.targets.map((t) => t.arn || t.targetName),
    });
    this.emit({ type: "step-ended", at: this.now(), step: step.name, status: "succeeded", detail: `FIS experiment ${injected.experimentId}` });
    const deadline = this.now() + planned.module.expectedDurationMs(planned.params) + FAULT_GRACE_MS;
    // Checking stops with the method: after a stop condition the faults are rolled back now, not
    // when the last check would have seen them land (a spot notice's check waits for the interruption).
    const verifySignal = timeoutSignal(this.s.clock, this.hard, deadline - this.now());
    this.verifications.push(
      planned.module
        .verify({ ...this.s, params: planned.params, target: planned.target, run: this.view, fault: injected, signal: verifySignal.signal })
        .then(
          (v) => {
            record.verification = v;
            this.emit({ type: "fault-verified", at: this.now(), step: step.name, landed: v.landed, detail: v.detail });
            if (!v.landed) this.errors.push(`${step.name} did not land: ${v.detail}`);
          },
          (err: unknown) => {
            if (this.hard.aborted) {
              record.verification = { landed: false, detail: `not verified: ${describeAbort(this.abortInfo ?? { kind: "interrupt", signal: "SIGINT" })}` };
              return;
            }
            const detail = verifySignal.signal.aborted ? "could not be verified before its deadline" : errorMessage(err);
            record.verification = { landed: false, detail };
            this.emit({ type: "fault-verified", at: this.now(), step: step.name, landed: false, detail });
            this.errors.push(`${step.name} did not land: ${detail}`);
          },
        )
        .finally(() => verifySignal.dispose()),
    );
  }

  private openChaosWindow(at = this.now()): void {
    if (this.chaosWindow) return;
    this.chaosWindow = { start: at };
    for (const m of this.onChaos) m.start();
  }

  private prepareOnChaos(step: ProbeStep): void {
    const check = this.o.plan.checks.get(step.name)!;
    const monitor = this.monitorFor(check, "on-chaos", this.hard);
    this.onChaos.push(monitor);
    if (this.chaosWindow) monitor.start();
  }

  /** Every fault's experiment runs to its end (bounded), so the steady state after means something. */
  private async waitForFaults(): Promise<void> {
    for (const f of this.faults) {
      if (!f.experimentId) continue;
      const planned = this.o.plan.faults.get(f.step)!;
      const deadline = f.startedAt + planned.module.expectedDurationMs(planned.params) + FAULT_GRACE_MS;
      const end = await waitForExperiment(this.s, f.experimentId, deadline, this.hard);
      f.status = end.status;
      f.endedAt = this.now();
      const record = this.faultRecords.find((r) => r.step === f.step);
      if (record) Object.assign(record, { status: end.status, endedAt: this.iso(f.endedAt) });
      if (!["completed", "stopped", "failed", "cancelled"].includes(end.status)) {
        this.warn(`FIS experiment ${f.experimentId} was still ${end.status} after its expected duration; stopping it`);
        const fis = await this.s.aws.fis();
        await fis.send(new StopExperimentCommand({ id: f.experimentId })).catch((err: unknown) => this.warn(`could not stop ${f.experimentId}: ${errorMessage(err)}`));
      } else if (end.status === "failed") {
        this.errors.push(`FIS experiment ${f.experimentId} for ${f.step} failed: ${end.reason ?? "no reason given"}`);
      }
    }
    if (this.chaosWindow) this.chaosWindow.end = this.now();
  }

  // ---------------------------------------------------------------- probes by mode

  private modeChecks(mode: ProbeMode): PlannedCheck[] {
    return this.e.method
      .filter((s): s is ProbeStep => s.kind === "probe" && s.mode === mode)
      .map((s) => this.o.plan.checks.get(s.name)!)
      .filter(Boolean);
  }

  private async single(check: PlannedCheck, mode: "sot" | "eot" | "edge"): Promise<void> {
    const tally = this.tally(check.step.name, check, mode);
    if (mode === "edge") tally.expected = 2;
    const reading = await takeReading(check, this.readingContext(this.hard, mode, {}, undefined, true));
    tally.add(reading);
    this.emitReading(check, mode, reading);
    this.save();
    const step = check.step as ProbeStep;
    // Only before the method is there anything left to stop.
    if (!reading.ok && !reading.unreadable && !this.methodStarted && (step.stopOnFailure || this.failFast)) {
      this.abort({ kind: "fail-fast", probe: step.name, reason: reading.reason });
    }
  }

  private monitorFor(check: PlannedCheck, mode: "continuous" | "on-chaos", hardStop: AbortSignal): Monitor {
    const step = check.step as ProbeStep;
    const state: Record<string, unknown> = {};
    const tally = this.tally(step.name, check, mode);
    return new Monitor({
      clock: this.s.clock,
      interval: step.interval ?? this.interval,
      ...(step.initialDelay !== undefined ? { initialDelay: step.initialDelay } : {}),
      hardStop,
      onLate: (ms) => this.noteLate(ms),
      read: (final, since) => takeReading(check, this.readingContext(this.hard, mode, state, mode === "on-chaos" ? (this.chaosWindow?.start ?? since) : since, final)),
      onReading: (r, final) => {
        tally.add(r);
        if (!r.ok || final) this.emitReading(check, mode, r);
        for (const o of r.observations) this.emit({ type: "observation", at: o.at, source: step.name, observation: o });
        if (!r.ok && !r.unreadable && (step.stopOnFailure || this.failFast)) this.abort({ kind: "fail-fast", probe: step.name, reason: r.reason });
      },
    });
  }

  private duringMonitor(): Monitor {
    return new Monitor({
      clock: this.s.clock,
      interval: this.interval,
      hardStop: this.hard,
      onLate: (ms) => this.noteLate(ms),
      read: async () => {
        const state = await this.steadyState("during");
        this.journal.addDuring(state);
        if (!state.steady_state_met) {
          const failed = state.probes.filter((p) => p.tolerance_met === false).map((p) => String((p.activity as { name?: string }).name));
          this.deviations.push(`the steady state did not hold during the method (${failed.join(", ")})`);
          this.emit({ type: "reading", at: this.now(), probe: failed.join(", "), mode: "during", ok: false, summary: "steady state not met during the method" });
          if (this.failFast) this.abort({ kind: "fail-fast", probe: failed.join(", "), reason: "steady state not met during the method" });
        }
        return [];
      },
      onReading: () => {},
    });
  }

  private tally(step: string, check: PlannedCheck, mode: string): ProbeTally {
    const key = `${step}\u0000${mode}`;
    let t = this.tallies.get(key);
    if (!t) {
      t = new ProbeTally(step, check.step.kind === "probe" ? check.step.probe : check.step.name, mode);
      this.tallies.set(key, t);
    }
    return t;
  }

  private readingContext(signal: AbortSignal, mode: ProbeMode | "once", state: Record<string, unknown>, since: number | undefined, final: boolean) {
    return { services: this.s, run: this.view, signal, state, mode, final, cwd: this.o.cwd, ...(since !== undefined ? { since } : {}) };
  }

  private emitReading(check: PlannedCheck, mode: string, r: Reading): void {
    this.emit({ type: "reading", at: r.end, probe: check.step.name, mode, ok: r.ok, summary: r.ok ? summarise(r.value, 100) : r.reason });
  }

  private entryFor(step: Check, r: Reading): RunEntry {
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

  // ---------------------------------------------------------------- rollbacks

  /**
   * The rollback strategy is Chaos Toolkit's, about the experiment's declared rollbacks. Undoing
   * gameday's own faults (stopping FIS experiments, reactivating drained instances, deleting
   * templates) is not optional: a run never leaves its faults behind.
   */
  private shouldRunDeclaredRollbacks(): boolean {
    if (this.rollbackStrategy === "never") return false;
    if (this.rollbackStrategy === "always") return true;
    // "deviated": roll back whenever the run did not simply hold; an interrupted run is unknown ground.
    return this.deviations.length > 0 || this.abortInfo !== undefined || this.errors.length > 0;
  }

  private async rollbacks(notSteadyBefore: boolean): Promise<boolean> {
    let pending = this.o.ledger.pending();
    if (pending.length === 0) {
      if (notSteadyBefore && this.e.rollbacks.length > 0) this.warn("declared rollbacks were not run: the method never started, so there was nothing to undo");
      return false;
    }
    if (!this.shouldRunDeclaredRollbacks()) {
      const declared = pending.filter((p) => p.undo.type === "declared-rollbacks");
      for (const intent of declared) this.o.ledger.markSkipped(intent.id, this.now(), `not run: rollback strategy ${this.rollbackStrategy}`);
      if (declared.length > 0) this.warn(`declared rollbacks skipped (strategy ${this.rollbackStrategy})`);
      pending = pending.filter((p) => p.undo.type !== "declared-rollbacks");
      if (pending.length === 0) return false;
    }
    this.phase("rollbacks");
    for (const original of pending) {
      const at = this.now();
      // The declared rollbacks run from memory, secrets and all; the ledger holds a masked copy.
      const intent = original.id === this.declaredIntent ? { ...original, undo: { type: "declared-rollbacks" as const, steps: this.e.rollbacks } } : original;
      try {
        const result = await executeUndo(intent, {
          services: this.s,
          cwd: this.o.cwd,
          // Rollbacks run to the end even after a signal; a second signal exits the process.
          signal: new AbortController().signal,
          onRollbackEntry: (entry) => this.journal.doc.rollbacks.push(entry),
        });
        this.o.ledger.markUndone(intent.id, this.now(), result.ok, result.ok ? undefined : result.detail);
        this.journal.doc.gameday.rollbackResults.push({ description: intent.description, ok: result.ok, detail: result.detail, at: this.iso(at) });
        this.emit({ type: "rollback", at: this.now(), description: result.detail, ok: result.ok });
        if (!result.ok) this.rollbackFailures.push(`${intent.description}: ${result.detail}`);
      } catch (err) {
        const error = errorMessage(err);
        this.o.ledger.markUndone(intent.id, this.now(), false, error);
        this.journal.doc.gameday.rollbackResults.push({ description: intent.description, ok: false, error, at: this.iso(at) });
        this.emit({ type: "rollback", at: this.now(), description: intent.description, ok: false, error });
        this.rollbackFailures.push(`${intent.description}: ${error}`);
      }
      this.save();
    }
    return true;
  }

  // ---------------------------------------------------------------- verdict

  /** What the probes' tallies add up to, before the rollbacks (whose strategy may depend on it). */
  private judgeProbes(): void {
    for (const t of this.tallies.values()) {
      if (t.mode === "stop-condition") continue;
      if (t.verdict === "error") this.errors.push(`${t.step} (${t.mode}) ${t.summary()}`);
      else if (t.verdict === "failed") this.deviations.push(`${t.step} (${t.mode}): ${t.summary()}`);
      else if (t.verdict === "not-run" && this.methodStarted && !this.abortInfo) this.deviations.push(`${t.step} (${t.mode}): ${t.summary()}`);
    }
  }

  private finish(notSteadyBefore: boolean): RunResult {
    if (this.worstLateReading >= LATE_READING_MS) {
      this.warn(
        `readings were taken up to ${(this.worstLateReading / 1000).toFixed(1)} s later than their interval asked: this process could not keep up with its ${this.s.clock.kind} clock, so the timings this run measured are stretched by as much (a lower --speed, or a less busy machine)`,
      );
    }
    const probes = [...this.tallies.values()];
    const iso = (at: number) => this.iso(at);
    const g = this.journal.doc.gameday;
    g.probes = probes.map((t) => t.record(iso));
    for (const t of probes) if (t.readings > 0 || t.mode !== "stop-condition") this.emit({ type: "probe-verdict", at: this.now(), probe: t.step, mode: t.mode, verdict: t.verdict, summary: t.summary() });

    let verdict: Verdict;
    let summary: string;
    const a = this.abortInfo;
    const leftBehind = this.rollbackFailures.length > 0 ? `; ${this.rollbackFailures.length} rollback(s) failed, the target may still be changed: run \`chaos recover\` (${this.rollbackFailures[0]})` : "";
    if (a?.kind === "interrupt") {
      verdict = "interrupted";
      summary = `interrupted by ${a.signal}${leftBehind}`;
      g.interrupted = { signal: a.signal, at: this.iso() };
    } else if (this.rollbackFailures.length > 0) {
      // Whatever the hypothesis said, a target left with a fault in it is the news.
      verdict = "error";
      summary = `rollback failed: ${this.rollbackFailures[0]}; the target may still be changed: run \`chaos recover\`${this.rollbackFailures.length > 1 ? ` (${this.rollbackFailures.length} failed)` : ""}`;
    } else if (a?.kind === "stop-condition") {
      verdict = "aborted";
      summary = `aborted: stop condition ${a.probe} breached (${a.reason})`;
    } else if (this.errors.length > 0) {
      verdict = "error";
      summary = this.errors[0]!;
    } else if (notSteadyBefore) {
      verdict = "not-steady-before";
      summary = "the steady state did not hold before the method; the method was not run";
    } else if (this.deviations.length > 0 || a?.kind === "fail-fast") {
      verdict = "deviated";
      summary = a?.kind === "fail-fast" ? `deviated: ${a.probe}: ${a.reason}` : `deviated: ${this.deviations[0]}`;
    } else {
      verdict = "held";
      summary = "the steady state held";
    }
    const end = this.now();
    const doc = this.journal.doc;
    doc.end = this.iso(end);
    doc.duration = (end - this.startedAt) / 1000;
    doc.deviated = verdict === "deviated";
    doc.status = verdict === "interrupted" ? "interrupted" : verdict === "aborted" ? "aborted" : verdict === "error" || verdict === "not-steady-before" ? "failed" : "completed";
    g.verdict = verdict;
    g.exitCode = EXIT_CODES[verdict];
    summary = this.journal.redact(summary);
    g.summary = summary;
    g.complete = true;
    // An open ledger is what `chaos recover` looks for: close it only when nothing is left to undo.
    if (this.o.ledger.pending().length === 0) this.o.ledger.close(end, verdict);
    this.save();
    this.emit({ type: "verdict", at: end, verdict, exitCode: EXIT_CODES[verdict], summary });
    return { verdict, exitCode: EXIT_CODES[verdict], summary, journal: this.journal };
  }
}

/** The activity as Chaos Toolkit journals show it: name, type and provider (or gameday's step). */
function activityRecord(step: Step): Record<string, unknown> {
  switch (step.kind) {
    case "activity":
      return { type: step.type, name: step.name, provider: step.provider, ...(step.tolerance ? { tolerance: step.tolerance } : {}) };
    case "probe":
      return { type: "probe", name: step.name, probe: step.probe, with: step.with, ...(step.mode ? { mode: step.mode } : {}) };
    case "fault":
      return { type: "action", name: step.name, fault: step.fault, target: step.target, with: step.with };
    case "pause":
      return { type: "pause", name: step.name, duration: step.duration / 1000 };
  }
}

export { journalExperiment };

function stateFor(states: Map<string, Record<string, unknown>>, name: string): Record<string, unknown> {
  let state = states.get(name);
  if (!state) {
    state = {};
    states.set(name, state);
  }
  return state;
}
