/**
 * The steady-state hypothesis: when it is checked (Chaos Toolkit's strategies), one check of all
 * its probes (before, after, after the rollbacks), and the series of checks during the method.
 * As in chaoslib's hypothesis.py, a check reads every probe in order and says whether all held.
 */
import type { HypothesisStrategy, ProbeMode } from "../experiment/model.js";
import type { RunEntry, SteadyStateRecord } from "./journal.js";
import { takeReading, type PlannedCheck } from "./checks.js";
import { Monitor } from "./monitor.js";
import { stateFor, type RunContext } from "./run-context.js";

export type SteadyStateWhen = "before" | "after" | "after-rollback" | "during";

/** When a strategy checks the hypothesis: before the method, during it (polled), after it. */
export function hypothesisSchedule(strategy: HypothesisStrategy): { before: boolean; during: boolean; after: boolean } {
  return {
    before: ["default", "before-method-only", "continuously"].includes(strategy),
    during: strategy === "continuously" || strategy === "during-method-only",
    after: ["default", "after-method-only", "continuously"].includes(strategy),
  };
}

export class Hypothesis {
  /** Probe state kept across one hypothesis probe's readings during the method, as for monitored probes. */
  private readonly duringStates = new Map<string, Record<string, unknown>>();

  constructor(private readonly ctx: RunContext) {}

  get schedule(): { before: boolean; during: boolean; after: boolean } {
    return hypothesisSchedule(this.ctx.strategy);
  }

  checks(): PlannedCheck[] {
    const ctx = this.ctx;
    return (ctx.e.steadyStateHypothesis?.probes ?? []).map((p) => ctx.o.plan.checks.get(p.name)!).filter(Boolean);
  }

  /** One check of every probe; readings that could not be taken are errors, except during the method. */
  async check(when: SteadyStateWhen, signal = when === "after-rollback" ? this.ctx.o.interrupt : this.ctx.hard): Promise<SteadyStateRecord> {
    const ctx = this.ctx;
    const probes: RunEntry[] = [];
    let met = true;
    for (const check of this.checks()) {
      const mode: ProbeMode = when === "before" ? "sot" : when === "during" ? "continuous" : "eot";
      // Readings during the method are one series per probe (a window, a baseline); the others stand alone.
      const state = when === "during" ? stateFor(this.duringStates, check.step.name) : {};
      const reading = await takeReading(check, ctx.readingContext(signal, mode, state, undefined, when !== "during"));
      if (when !== "during") ctx.emitReading(check, `steady-state ${when}`, reading);
      if (reading.unreadable && when === "during") {
        // One of a series: a reading that could not be taken counts neither way (as in a tally).
        ctx.warn(`${check.step.name} (steady state during the method) could not take a reading: ${reading.reason}`);
        probes.push(ctx.entryFor(check.step, reading));
        continue;
      }
      if (reading.unreadable) ctx.unreadable(check.step.name, `steady state ${when}`, reading.reason);
      met &&= reading.ok;
      probes.push(ctx.entryFor(check.step, reading));
    }
    return { steady_state_met: met, probes };
  }

  /** The hypothesis polled during the method, when the strategy asks for it and there are probes. */
  duringMonitor(): Monitor | undefined {
    const ctx = this.ctx;
    if (!this.schedule.during || this.checks().length === 0) return undefined;
    return new Monitor({
      clock: ctx.s.clock,
      interval: ctx.interval,
      hardStop: ctx.hard,
      onLate: (ms) => ctx.noteLate(ms),
      read: async () => {
        const state = await this.check("during");
        ctx.journal.addDuring(state);
        ctx.readingTaken();
        if (!state.steady_state_met) {
          const failed = state.probes.filter((p) => p.tolerance_met === false).map((p) => String((p.activity as { name?: string }).name));
          ctx.deviations.push(`the steady state did not hold during the method (${failed.join(", ")})`);
          ctx.emit({ type: "reading", at: ctx.now(), probe: failed.join(", "), mode: "during", ok: false, summary: "steady state not met during the method" });
          if (ctx.failFast) ctx.abort({ kind: "fail-fast", probe: failed.join(", "), reason: "steady state not met during the method" });
        }
        return [];
      },
      onReading: () => {},
    });
  }
}
