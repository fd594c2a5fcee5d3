/**
 * Stop conditions: guards polled while the method runs. A breach stops the method (exit 3); a
 * guard that cannot read stops it too, as an error, because the method would run unguarded.
 * This is the one place that decides how a stop condition is guarded during a run:
 * - every stop condition is watched by gameday, as a probe polled every interval;
 * - those a CloudWatch metric alarm can express (the probe's `alarm` hook) also become alarms,
 *   created before any fault, which every fault's FIS template names as a stop condition, so that
 *   FIS halts the faults even when gameday dies. The alarms are deleted by the rollbacks.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { Experiment } from "../experiment/model.js";
import { alarmsThatFired, MAX_FIS_STOP_CONDITIONS, putStopAlarms, stopAlarmName, type StopAlarm } from "../aws/stop-alarms.js";
import { takeReading, type PlannedCheck } from "./checks.js";
import { Monitor, type MonitorOptions } from "./monitor.js";
import { stateFor, type RunContext } from "./run-context.js";
import { errorMessage } from "./signals.js";

/** What guards the method: started (alarms created) before its first step, closed as it ends. */
export interface MethodGuard {
  start(): Promise<void>;
  close(): Promise<void>;
}

/** How the stop conditions will be guarded: which parts become FIS alarms, which gameday alone watches. */
export interface StopAlarmPlan {
  alarms: StopAlarm[];
  /** Parts of stop conditions no alarm guards (gameday's watch does), with why. */
  watchedOnly: { stopCondition: string; part: string; why: string }[];
}

/** Alarms named in `configuration.fisStopAlarms`: they go into every template first. */
export function configuredStopAlarms(configuration: Readonly<Record<string, unknown>>): string[] {
  return Array.isArray(configuration.fisStopAlarms) ? (configuration.fisStopAlarms as string[]) : [];
}

/**
 * Compiles the stop conditions to alarms, in the order the file gives them, up to what a FIS
 * template holds beside the configured alarms; the rest stays watched by gameday alone.
 */
export function planStopAlarms(e: Experiment, checks: ReadonlyMap<string, PlannedCheck>, runId: string): StopAlarmPlan {
  const out: StopAlarmPlan = { alarms: [], watchedOnly: [] };
  let room = MAX_FIS_STOP_CONDITIONS - configuredStopAlarms(e.configuration).length;
  for (const c of e.stopConditions) {
    const check = checks.get(c.name);
    const probe = check?.probe;
    if (!probe?.alarm || !check?.tolerance) {
      const why = c.kind === "activity" ? "a Chaos Toolkit provider: no CloudWatch metric to alarm on" : `probe ${c.probe} does not compile to a CloudWatch alarm`;
      out.watchedOnly.push({ stopCondition: c.name, part: "all", why });
      continue;
    }
    const compiled = probe.alarm(check.params, check.tolerance);
    for (const n of compiled.notExpressed) out.watchedOnly.push({ stopCondition: c.name, part: n.part, why: n.why });
    const several = compiled.alarms.length > 1;
    for (const spec of compiled.alarms) {
      if (room <= 0) {
        out.watchedOnly.push({ stopCondition: c.name, part: spec.part, why: `a FIS template takes at most ${MAX_FIS_STOP_CONDITIONS} stop conditions` });
        continue;
      }
      room--;
      out.alarms.push({ name: stopAlarmName(runId, c.name, several ? spec.part : undefined), stopCondition: c.name, spec });
    }
  }
  return out;
}

/** The guard over the method: every stop condition watched by gameday, and those alarms can express guarded by FIS too. */
export function guardMethod(ctx: RunContext): MethodGuard {
  const monitors = watchStopConditions(ctx);
  return {
    start: async () => {
      const alarms = planStopAlarms(ctx.e, ctx.o.plan.checks, ctx.o.runId).alarms;
      if (alarms.length > 0) monitors.push(await createStopAlarms(ctx, alarms));
      for (const m of monitors) m.start();
    },
    close: async () => {
      for (const m of monitors) await m.close();
    },
  };
}

/**
 * Creates the alarms (the ledger says so first, so a crash mid-way still deletes them) and gives
 * their ARNs to the faults' templates. Returns a watch on the alarms: gameday keeps watching the
 * stop conditions itself too (belt and braces: its watch needs no alarm evaluation to fire, and it
 * still guards parts no alarm expresses), and whichever of the two fires first stops the run.
 */
async function createStopAlarms(ctx: RunContext, alarms: StopAlarm[]): Promise<Monitor> {
  const names = alarms.map((a) => a.name);
  ctx.o.ledger.intend(ctx.now(), `delete CloudWatch alarm ${names.join(", ")}`, { type: "cloudwatch-delete-alarms", alarmNames: names });
  const cloudwatch = await ctx.s.aws.cloudwatch();
  const createdAt = ctx.now();
  let arns: Map<string, string>;
  try {
    arns = await putStopAlarms(cloudwatch, alarms, { runId: ctx.o.runId, experiment: ctx.e.title }, ctx.hard);
  } catch (err) {
    throw new Error(`could not create the stop conditions' CloudWatch alarms, so no fault was started: ${errorMessage(err)}`);
  }
  ctx.stopAlarmArns.push(...names.map((n) => arns.get(n)!));
  return watchStopAlarms(ctx, cloudwatch, alarms, createdAt);
}

function watchStopAlarms(ctx: RunContext, cloudwatch: CloudWatchClient, alarms: StopAlarm[], createdAt: number): Monitor {
  const options: MonitorOptions = {
    clock: ctx.s.clock,
    interval: ctx.interval,
    hardStop: ctx.hard,
    read: async () => {
      const at = ctx.now();
      try {
        const firing = await alarmsThatFired(cloudwatch, alarms.map((a) => a.name), createdAt, ctx.hard);
        const reason = firing.map((f) => `alarm ${f.name} went to ALARM (${f.reason})`).join("; ");
        return { at, end: ctx.now(), ok: firing.length === 0, reason: reason || "no stop alarm went to ALARM", ...(firing[0] ? { value: firing[0].name } : {}), observations: [], attempts: 1 };
      } catch (err) {
        return { at, end: ctx.now(), ok: false, unreadable: true, reason: errorMessage(err), observations: [], attempts: 1 };
      }
    },
    onReading: (r) => {
      // Unreadable alarms are not a breach: gameday's own watch of the same stop conditions goes on.
      if (r.ok || r.unreadable) return;
      const probe = alarms.find((a) => a.name === r.value)?.stopCondition ?? String(r.value);
      const reason = `${r.reason}; FIS halts the faults' experiments on it`;
      ctx.emit({ type: "stop-condition", at: ctx.now(), probe, reason });
      ctx.journal.doc.gameday.stopCondition ??= { probe, at: ctx.iso(r.at), reason };
      ctx.abort({ kind: "stop-condition", probe, reason });
    },
  };
  // A fault's watch that finds its experiment stopped asks first whether one of these alarms did it.
  ctx.checkStopAlarms = async () => {
    if (ctx.hard.aborted) return;
    const read = await options.read(false, createdAt);
    for (const r of Array.isArray(read) ? read : [read]) options.onReading(r, false);
  };
  return new Monitor(options);
}

/** The monitors that guard the method, one per stop condition, not yet started. */
export function watchStopConditions(ctx: RunContext): Monitor[] {
  // Probe state kept across one stop condition's readings, as for monitored probes.
  const states = new Map<string, Record<string, unknown>>();
  return ctx.e.stopConditions.map((c) => {
    const check = ctx.planned(c.name);
    return new Monitor({
      clock: ctx.s.clock,
      interval: (c.kind === "probe" ? c.interval : undefined) ?? ctx.interval,
      hardStop: ctx.hard,
      onLate: (ms) => ctx.noteLate(ms),
      read: (final, since) => takeReading(check, ctx.readingContext(ctx.hard, "continuous", stateFor(states, c.name), since, final)),
      onReading: (r) => {
        ctx.tally(c.name, check, "stop-condition").add(r);
        if (r.unreadable) {
          // A guard that cannot see is no guard: stop the method, but call it what it is.
          const message = `stop condition ${c.name} could not take a reading (${r.reason}); the method was stopped because it ran unguarded`;
          ctx.errors.push(message);
          ctx.abort({ kind: "error", message });
        } else if (!r.ok) {
          ctx.emit({ type: "stop-condition", at: ctx.now(), probe: c.name, reason: r.reason });
          ctx.journal.doc.gameday.stopCondition ??= { probe: c.name, at: ctx.iso(r.at), reason: r.reason };
          ctx.abort({ kind: "stop-condition", probe: c.name, reason: r.reason });
        }
      },
    });
  });
}
