/**
 * Stop conditions: guards polled while the method runs. A breach stops the method (exit 3); a
 * guard that cannot read stops it too, as an error, because the method would run unguarded.
 * Every stop condition is watched here by gameday; this is the one place that decides how a stop
 * condition is guarded during a run.
 */
import { takeReading } from "./checks.js";
import { Monitor } from "./monitor.js";
import { stateFor, type RunContext } from "./run-context.js";

/** What guards the method: started as it begins, closed as it ends. */
export interface MethodGuard {
  start(): void;
  close(): Promise<void>;
}

/** The guard over the method: every stop condition watched by gameday, one monitor each. */
export function guardMethod(ctx: RunContext): MethodGuard {
  const monitors = watchStopConditions(ctx);
  return {
    start: () => {
      for (const m of monitors) m.start();
    },
    close: async () => {
      for (const m of monitors) await m.close();
    },
  };
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
          ctx.journal.doc.gameday.stopCondition = { probe: c.name, at: ctx.iso(r.at), reason: r.reason };
          ctx.abort({ kind: "stop-condition", probe: c.name, reason: r.reason });
        }
      },
    });
  });
}
