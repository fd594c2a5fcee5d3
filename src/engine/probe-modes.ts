/**
 * Probes scheduled by their Litmus mode rather than by their place in the method: single readings
 * at the start (sot), the end (eot) or both (edge), and monitors that poll throughout the method
 * (continuous) or over the chaos window (on-chaos).
 */
import type { ProbeMode, ProbeStep } from "../experiment/model.js";
import { takeReading, type PlannedCheck } from "./checks.js";
import { Monitor } from "./monitor.js";
import type { RunContext } from "./run-context.js";

/** The method's probes with this mode, in the order the method lists them. */
export function modeChecks(ctx: RunContext, mode: ProbeMode): PlannedCheck[] {
  return ctx.e.method
    .filter((s): s is ProbeStep => s.kind === "probe" && s.mode === mode)
    .map((s) => ctx.o.plan.checks.get(s.name)!)
    .filter(Boolean);
}

/** Edge probes read at both ends; at each end they are journaled as edge, the others as sot or eot. */
export function singleMode(check: PlannedCheck, end: "sot" | "eot"): "sot" | "eot" | "edge" {
  return check.step.kind === "probe" && check.step.mode === "edge" ? "edge" : end;
}

/** One reading of a sot, eot or edge probe. */
export async function readSingle(ctx: RunContext, check: PlannedCheck, mode: "sot" | "eot" | "edge"): Promise<void> {
  const tally = ctx.tally(check.step.name, check, mode);
  if (mode === "edge") tally.expected = 2;
  const reading = await takeReading(check, ctx.readingContext(ctx.hard, mode, {}, undefined, true));
  tally.add(reading);
  ctx.emitReading(check, mode, reading);
  ctx.save();
  const step = check.step as ProbeStep;
  // Only before the method is there anything left to stop.
  if (!reading.ok && !reading.unreadable && !ctx.methodStarted && (step.stopOnFailure || ctx.failFast)) {
    ctx.abort({ kind: "fail-fast", probe: step.name, reason: reading.reason });
  }
}

/** A continuous or on-chaos probe's monitor; an on-chaos probe's window starts with the chaos window. */
export function monitorFor(ctx: RunContext, check: PlannedCheck, mode: "continuous" | "on-chaos", hardStop: AbortSignal): Monitor {
  const step = check.step as ProbeStep;
  const state: Record<string, unknown> = {};
  const tally = ctx.tally(step.name, check, mode);
  return new Monitor({
    clock: ctx.s.clock,
    interval: step.interval ?? ctx.interval,
    ...(step.initialDelay !== undefined ? { initialDelay: step.initialDelay } : {}),
    hardStop,
    onLate: (ms) => ctx.noteLate(ms),
    read: (final, since) => takeReading(check, ctx.readingContext(ctx.hard, mode, state, mode === "on-chaos" ? (ctx.chaosWindow?.start ?? since) : since, final)),
    onReading: (r, final) => {
      tally.add(r);
      if (!r.ok || final) ctx.emitReading(check, mode, r);
      for (const o of r.observations) ctx.emit({ type: "observation", at: o.at, source: step.name, observation: o });
      if (!r.ok && !r.unreadable && (step.stopOnFailure || ctx.failFast)) ctx.abort({ kind: "fail-fast", probe: step.name, reason: r.reason });
    },
  });
}

/** On-chaos probes watch the chaos window wherever they sit in the method. */
export function prepareOnChaos(ctx: RunContext): void {
  for (const step of ctx.e.method) {
    if (step.kind !== "probe" || step.mode !== "on-chaos") continue;
    const monitor = monitorFor(ctx, ctx.planned(step.name), "on-chaos", ctx.hard);
    ctx.onChaos.push(monitor);
    if (ctx.chaosWindow) monitor.start();
  }
}
