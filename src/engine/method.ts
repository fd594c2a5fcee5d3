/**
 * The method: its steps in order (background steps alongside), guarded by the stop conditions,
 * with the hypothesis polled during it and on-chaos probes over the chaos window; then the faults
 * are allowed to finish. As in chaoslib's activity.py, each step is journaled as it starts.
 * Throws MethodAborted when the method was stopped early.
 */
import type { ActivityStep, ProbeStep, Step } from "../experiment/model.js";
import type { RunEntry } from "./journal.js";
import { runActivityProvider, summarise, takeReading } from "./checks.js";
import { errorMessage, raceAbort, StepTimeout, timeoutSignal } from "./signals.js";
import { activityRecord } from "./activity-record.js";
import { MethodAborted, type RunContext } from "./run-context.js";
import type { Hypothesis } from "./hypothesis.js";
import { prepareOnChaos } from "./probe-modes.js";
import { guardMethod } from "./stop-conditions.js";
import { recordDeclaredRollbacks } from "./rollback-phase.js";
import { endFaultWatches, runFaultStep, waitForFaults } from "./fault-step.js";

export async function runMethod(ctx: RunContext, hypothesis: Hypothesis): Promise<void> {
  ctx.methodStarted = true;
  recordDeclaredRollbacks(ctx);
  const guard = guardMethod(ctx);
  // Before any fault: the stop conditions' alarms must exist for the faults' templates to name them.
  await guard.start();
  const during = hypothesis.duringMonitor();
  during?.start();
  // On-chaos probes watch the chaos window wherever they sit in the method; with no fault at all,
  // the window is the whole method.
  prepareOnChaos(ctx);
  if (ctx.o.plan.faults.size === 0) ctx.openChaosWindow();
  const background: Promise<void>[] = [];
  try {
    for (const step of ctx.e.method) {
      if (ctx.hard.aborted) break;
      // Probes with a mode are scheduled by their mode, not by their place in the list.
      if (step.kind === "probe" && step.mode !== undefined) continue;
      const work = withPauses(ctx, step, () => runStep(ctx, step));
      if (step.background) background.push(work.catch((err: unknown) => methodError(ctx, step, err)));
      else await work.catch((err: unknown) => methodError(ctx, step, err));
      ctx.save();
    }
    await Promise.all(background);
    if (!ctx.hard.aborted) {
      if (!ctx.chaosWindow) ctx.openChaosWindow();
      await waitForFaults(ctx);
    }
  } finally {
    await endFaultWatches(ctx);
    if (ctx.chaosWindow && ctx.chaosWindow.end === undefined) ctx.chaosWindow.end = ctx.now();
    for (const m of ctx.onChaos) await m.close();
    await during?.close();
    await guard.close();
  }
  if (ctx.hard.aborted) {
    const reason = ctx.hard.reason;
    throw reason instanceof MethodAborted ? reason : new MethodAborted({ kind: "interrupt", signal: String(reason) });
  }
}

/** A step that failed stops the method as an error (Chaos Toolkit would carry on; gameday does not). */
function methodError(ctx: RunContext, step: Step, err: unknown): void {
  if (ctx.hard.aborted) return;
  const message = err instanceof StepTimeout ? `${step.name} ${err.message}` : `${step.name}: ${errorMessage(err)}`;
  ctx.errors.push(message);
  ctx.abort({ kind: "error", message });
}

async function withPauses(ctx: RunContext, step: Step, work: () => Promise<void>): Promise<void> {
  if (step.pauses?.before) await ctx.s.clock.sleep(step.pauses.before, ctx.hard);
  await work();
  if (step.pauses?.after) await ctx.s.clock.sleep(step.pauses.after, ctx.hard);
}

async function runStep(ctx: RunContext, step: Step): Promise<void> {
  const scoped = timeoutSignal(ctx.s.clock, ctx.hard, step.timeout);
  ctx.emit({ type: "step-started", at: ctx.now(), step: step.name, kind: step.kind === "activity" ? step.type : step.kind, ...(step.kind === "pause" ? { detail: `${step.duration / 1000}s` } : {}) });
  try {
    switch (step.kind) {
      case "pause":
        return await pause(ctx, step, scoped.signal);
      case "activity":
        return await activity(ctx, step, scoped.signal, step.timeout);
      case "probe":
        return await methodProbe(ctx, step, scoped.signal);
      case "fault":
        return await raceAbort(runFaultStep(ctx, step, scoped.signal), scoped.signal);
    }
  } catch (err) {
    if (scoped.signal.aborted && scoped.signal.reason instanceof StepTimeout) throw scoped.signal.reason;
    throw err;
  } finally {
    scoped.dispose();
  }
}

async function pause(ctx: RunContext, step: Extract<Step, { kind: "pause" }>, signal: AbortSignal): Promise<void> {
  const start = ctx.now();
  const entry: RunEntry = { activity: activityRecord(step), start: ctx.iso(start), status: "running" };
  ctx.journal.doc.run.push(entry);
  try {
    await ctx.s.clock.sleep(step.duration, signal);
    entry.status = "succeeded";
    ctx.emit({ type: "step-ended", at: ctx.now(), step: step.name, status: "succeeded" });
  } catch (err) {
    entry.status = "failed";
    entry.exception = [errorMessage(signal.reason ?? err)];
    throw err;
  } finally {
    entry.end = ctx.iso();
    entry.duration = (ctx.now() - start) / 1000;
  }
}

/** A Chaos Toolkit activity: a probe with a tolerance is a reading; an action runs its provider. */
async function activity(ctx: RunContext, step: ActivityStep, signal: AbortSignal, limit: number | undefined): Promise<void> {
  const check = ctx.o.plan.checks.get(step.name);
  if (check) {
    const reading = await takeReading(check, ctx.readingContext(signal, "once", {}, undefined, true));
    ctx.journal.doc.run.push(ctx.entryFor(step, reading));
    ctx.emitReading(check, "once", reading);
    ctx.tally(step.name, check, "once").add(reading);
    if (reading.error) throw new Error(reading.error);
    if (!reading.ok) ctx.deviations.push(`${step.name}: ${reading.reason}`);
    return;
  }
  const start = ctx.now();
  const entry: RunEntry = { activity: activityRecord(step), start: ctx.iso(start), status: "running" };
  ctx.journal.doc.run.push(entry);
  ctx.save();
  try {
    entry.output = await raceAbort(runActivityProvider(step, { services: ctx.s, cwd: ctx.o.cwd }, signal, limit), signal);
    entry.status = "succeeded";
    ctx.emit({ type: "step-ended", at: ctx.now(), step: step.name, status: "succeeded", detail: summarise(entry.output, 80) });
  } catch (err) {
    entry.status = "failed";
    entry.exception = [errorMessage(signal.reason instanceof StepTimeout ? signal.reason : err)];
    ctx.emit({ type: "step-ended", at: ctx.now(), step: step.name, status: "failed", detail: entry.exception[0]! });
    throw signal.reason instanceof StepTimeout ? signal.reason : err;
  } finally {
    entry.end = ctx.iso();
    entry.duration = (ctx.now() - start) / 1000;
  }
}

/** A probe without a mode, read once where it sits in the method. */
async function methodProbe(ctx: RunContext, step: ProbeStep, signal: AbortSignal): Promise<void> {
  const check = ctx.planned(step.name);
  const reading = await takeReading(check, ctx.readingContext(signal, "once", {}, undefined, true));
  ctx.journal.doc.run.push(ctx.entryFor(step, reading));
  ctx.emitReading(check, "once", reading);
  ctx.tally(step.name, check, "once").add(reading);
  if (!reading.ok && (step.stopOnFailure || ctx.failFast)) ctx.abort({ kind: "fail-fast", probe: step.name, reason: reading.reason });
}
