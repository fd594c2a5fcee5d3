/**
 * A fault step of the method: the fault starts through FIS (faults/fis-runner.ts owns every FIS
 * call), opens the chaos window, and is verified in the background; at the method's end each
 * fault's experiment is waited for, and stopped if it outlives its expected duration. While the
 * method runs, each fault's experiment is watched: one stopped before its planned end (`chaos
 * stop`, the FIS console, a FIS stop condition) stops the method, and the run is aborted.
 */
import type { Step } from "../experiment/model.js";
import { experimentState, isTerminal, startFault, stopExperiment, waitForExperiment } from "../faults/fis-runner.js";
import { MIN_INTERVAL_MS } from "../experiment/schema.js";
import type { InjectedFault } from "./ports.js";
import type { FaultRecord, RunEntry } from "./journal.js";
import { errorMessage, timeoutSignal } from "./signals.js";
import { activityRecord } from "./activity-record.js";
import { describeAbort, MethodAborted, type RunContext } from "./run-context.js";

/** Grace beyond a fault's expected duration before gameday stops its experiment itself. */
export const FAULT_GRACE_MS = 60_000;

export async function runFaultStep(ctx: RunContext, step: Extract<Step, { kind: "fault" }>, signal: AbortSignal): Promise<void> {
  const planned = ctx.o.plan.faults.get(step.name)!;
  const record: FaultRecord = { step: step.name, fault: step.fault, startedAt: ctx.iso(), targets: [], template: planned.fragment };
  ctx.faultRecords.push(record);
  ctx.journal.doc.gameday.faults = ctx.faultRecords;
  // Chaos Toolkit journals list every method activity as it starts; a fault is gameday's action.
  const start = ctx.now();
  const entry: RunEntry = { activity: activityRecord(step), start: ctx.iso(start), status: "running" };
  ctx.journal.doc.run.push(entry);
  const ended = (status: RunEntry["status"], output?: unknown, exception?: string) => {
    entry.status = status;
    if (output !== undefined) entry.output = output;
    if (exception !== undefined) entry.exception = [exception];
    entry.end = ctx.iso();
    entry.duration = (ctx.now() - start) / 1000;
  };
  let injected: InjectedFault;
  try {
    injected = await startFault({
      runId: ctx.o.runId,
      stepName: step.name,
      module: planned.module,
      params: planned.params,
      target: planned.target,
      fragment: planned.fragment,
      services: ctx.s,
      run: ctx.view,
      ledger: ctx.o.ledger,
      signal,
      accountId: ctx.o.accountId,
      configuration: ctx.e.configuration,
      experiment: ctx.e.title,
      stopAlarmArns: ctx.stopAlarmArns,
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
    ctx.emit({ type: "step-ended", at: ctx.now(), step: step.name, status: "failed", detail: record.error });
    throw err;
  }
  ctx.faults.push(injected);
  ended("succeeded", { experimentId: injected.experimentId, templateId: injected.templateId, targets: injected.targets.map((t) => t.arn || t.targetName) });
  Object.assign(record, {
    experimentId: injected.experimentId,
    templateId: injected.templateId,
    status: injected.status,
    targets: injected.targets.map((t) => ({ resourceType: t.resourceType, arn: t.arn, targetName: t.targetName })),
  });
  ctx.openChaosWindow(injected.startedAt);
  ctx.emit({
    type: "fault-started",
    at: ctx.now(),
    step: step.name,
    fault: step.fault,
    ...(injected.experimentId ? { experimentId: injected.experimentId } : {}),
    targets: injected.targets.map((t) => t.arn || t.targetName),
  });
  const started = injected.experimentId ? `FIS experiment ${injected.experimentId}` : "no FIS action: gameday made the change itself";
  ctx.emit({ type: "step-ended", at: ctx.now(), step: step.name, status: "succeeded", detail: started });
  verifyInBackground(ctx, step.name, injected, record);
  if (injected.experimentId) watchFault(ctx, injected, record);
}

/**
 * Reads the fault's FIS experiment every interval (as stop conditions are read) until it ends or
 * the method does. Ended `stopped` means someone or something cut it short: the hypothesis cannot
 * be said to have held under a fault that did not run as planned.
 */
function watchFault(ctx: RunContext, f: InjectedFault, record: FaultRecord): void {
  const ended = AbortSignal.any([ctx.hard, ctx.faultWatchEnd.signal]);
  const interval = Math.max(ctx.interval, MIN_INTERVAL_MS);
  const watch = async () => {
    for (;;) {
      try {
        await ctx.s.clock.sleep(interval, ended);
      } catch {
        return;
      }
      let state: Awaited<ReturnType<typeof experimentState>>;
      try {
        state = await experimentState(ctx.s, f.experimentId!, ended);
      } catch {
        // A read that failed says nothing: the next one, or the wait at the method's end, will tell.
        if (ended.aborted) return;
        continue;
      }
      if (ended.aborted) return;
      if (state.status === "stopped") return faultStopped(ctx, f, record, state);
      if (isTerminal(state.status)) {
        // Recorded now, not at the method's end: the journal (and a report's shading) says when the fault really ended.
        faultEnded(ctx, f, record, state.status, state.endedAt);
        ctx.save();
        return;
      }
    }
  };
  ctx.faultWatches.push(watch());
}

/**
 * Records the end of a fault's experiment: FIS's end time (in the run's clock: the sandbox's, or
 * AWS's, which real time reads alike), kept between the fault's start and now so that a skewed
 * clock cannot put it outside the run; now when FIS gave none.
 */
function faultEnded(ctx: RunContext, f: InjectedFault, record: FaultRecord | undefined, status: string, fisEnd: number | undefined): number {
  const now = ctx.now();
  const endedAt = fisEnd === undefined ? now : Math.min(Math.max(fisEnd, f.startedAt), now);
  f.status = status;
  f.endedAt = endedAt;
  if (record) Object.assign(record, { status, endedAt: ctx.iso(endedAt) });
  return endedAt;
}

/** The fault's experiment was stopped early: say which, when and why, and stop the method (aborted, exit 3). */
async function faultStopped(ctx: RunContext, f: InjectedFault, record: FaultRecord | undefined, state: { reason?: string; endedAt?: number }): Promise<void> {
  const endedAt = faultEnded(ctx, f, record, "stopped", state.endedAt);
  // A FIS stop condition that is one of the run's own stop alarms: the stop condition names the
  // probe that breached, which says more than FIS's reason; gameday's reading of it aborts the run.
  await ctx.checkStopAlarms?.().catch(() => undefined);
  if (ctx.abortInfo) return;
  const planned = ctx.o.plan.faults.get(f.step)!;
  const plannedEnd = ctx.iso(f.startedAt + planned.module.expectedDurationMs(planned.params));
  const at = ctx.iso(endedAt);
  const reason = state.reason ?? "FIS gave no reason";
  ctx.journal.doc.gameday.faultStopped = { step: f.step, experimentId: f.experimentId!, at, plannedEnd, reason };
  ctx.warn(
    `fault ${f.step}: FIS experiment ${f.experimentId} was stopped at ${at}, before its planned end at ${plannedEnd} (FIS: "${reason}"; by \`chaos stop\`, the FIS console or a FIS stop condition); the method was stopped and the run is aborted: the steady state cannot be judged under a fault that did not run as planned`,
  );
  ctx.abort({ kind: "fault-stopped", step: f.step, experimentId: f.experimentId!, at, reason });
  ctx.save();
}

/**
 * Checks that the fault landed, within its expected duration and grace. Checking stops with the
 * method: after a stop condition the faults are rolled back now, not when the last check would
 * have seen them land (a spot notice's check waits for the interruption).
 */
function verifyInBackground(ctx: RunContext, stepName: string, injected: InjectedFault, record: FaultRecord): void {
  const planned = ctx.o.plan.faults.get(stepName)!;
  const deadline = ctx.now() + planned.module.expectedDurationMs(planned.params) + FAULT_GRACE_MS;
  const verifySignal = timeoutSignal(ctx.s.clock, ctx.hard, deadline - ctx.now());
  ctx.verifications.push(
    planned.module
      .verify({ ...ctx.s, params: planned.params, target: planned.target, run: ctx.view, fault: injected, signal: verifySignal.signal })
      .then(
        (v) => {
          record.verification = v;
          ctx.emit({ type: "fault-verified", at: ctx.now(), step: stepName, landed: v.landed, detail: v.detail });
          if (!v.landed) ctx.errors.push(`${stepName} did not land: ${v.detail}`);
        },
        (err: unknown) => {
          if (ctx.hard.aborted) {
            record.verification = { landed: false, detail: `not verified: ${describeAbort(ctx.abortInfo ?? { kind: "interrupt", signal: "SIGINT" })}` };
            return;
          }
          const detail = verifySignal.signal.aborted ? "could not be verified before its deadline" : errorMessage(err);
          record.verification = { landed: false, detail };
          ctx.emit({ type: "fault-verified", at: ctx.now(), step: stepName, landed: false, detail });
          ctx.errors.push(`${stepName} did not land: ${detail}`);
        },
      )
      .finally(() => verifySignal.dispose()),
  );
}

/** Every fault's experiment runs to its end (bounded), so the steady state after means something. */
export async function waitForFaults(ctx: RunContext): Promise<void> {
  // From here the wait below reads each experiment itself (and may stop one that overran).
  await endFaultWatches(ctx);
  for (const f of ctx.faults) {
    if (ctx.hard.aborted) break;
    if (!f.experimentId) continue;
    const planned = ctx.o.plan.faults.get(f.step)!;
    const deadline = f.startedAt + planned.module.expectedDurationMs(planned.params) + FAULT_GRACE_MS;
    const end = await waitForExperiment(ctx.s, f.experimentId, deadline, ctx.hard);
    const record = ctx.faultRecords.find((r) => r.step === f.step);
    // One that is still running is stopped below, now: that is its end.
    faultEnded(ctx, f, record, end.status, isTerminal(end.status) ? (end.endedAt ?? (isTerminal(f.status) ? f.endedAt : undefined)) : undefined);
    if (end.status === "stopped") {
      await faultStopped(ctx, f, record, end);
      break;
    }
    if (!isTerminal(end.status)) {
      ctx.warn(`FIS experiment ${f.experimentId} was still ${end.status} after its expected duration; stopping it`);
      await stopExperiment(ctx.s, f.experimentId).catch((err: unknown) => ctx.warn(`could not stop ${f.experimentId}: ${errorMessage(err)}`));
    } else if (end.status === "failed") {
      ctx.errors.push(`FIS experiment ${f.experimentId} for ${f.step} failed: ${end.reason ?? "no reason given"}`);
    }
  }
  if (ctx.chaosWindow) ctx.chaosWindow.end = ctx.now();
}

/** Ends the faults' watches (the method is over or stopped) and waits for them. */
export async function endFaultWatches(ctx: RunContext): Promise<void> {
  ctx.faultWatchEnd.abort();
  await Promise.allSettled(ctx.faultWatches);
}
