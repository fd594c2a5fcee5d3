/**
 * The run lifecycle: steady state before, then the method (with stop conditions, the hypothesis
 * during it, continuous and on-chaos probes alongside), the faults allowed to finish, steady state
 * after, rollbacks from the ledger, and the steady state re-checked after rollback. This module only
 * orders the phases, as chaoslib's run.py does; each phase lives in its own module (hypothesis.ts,
 * probe-modes.ts, method.ts, stop-conditions.ts, fault-step.ts, rollback-phase.ts, verdict.ts) and
 * acts on the run's shared state (run-context.ts). The journal is rewritten after every step.
 *
 * Outcomes and exit codes: held 0, deviated 1 (also when the steady state did not hold before the
 * method: reported as such, never as success), aborted by a stop condition 3, target or toolkit
 * error 4, interrupted 130 (after rollbacks).
 */
import type { HypothesisStrategy, RollbackStrategy } from "../experiment/model.js";
import type { RunListener } from "./events.js";
import type { RunServices } from "./ports.js";
import type { Clock } from "../time/clock.js";
import type { Ledger } from "./ledger.js";
import { Journal, journalExperiment } from "./journal.js";
import type { Monitor } from "./monitor.js";
import { errorMessage } from "./signals.js";
import type { Plan } from "./plan.js";
import { MethodAborted, RunContext } from "./run-context.js";
import { Hypothesis } from "./hypothesis.js";
import { modeChecks, monitorFor, readSingle, singleMode } from "./probe-modes.js";
import { runMethod } from "./method.js";
import { runRollbacks } from "./rollback-phase.js";
import { concludeRun, judgeProbes, type Verdict } from "./verdict.js";

export { EXIT_CODES, type Verdict } from "./verdict.js";

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
  /**
   * A real clock, for the journal's wall-clock times (`gameday.wallClock`): the services' clock is
   * the run's own (virtual on the embedded sandbox), which CI must not read as when the run
   * happened or how long it took. Without it the journal has no wall-clock times.
   */
  wallClock?: Clock;
  overrides?: { hypothesis?: HypothesisStrategy; rollbacks?: RollbackStrategy; failFast?: boolean; interval?: number };
}

export interface RunResult {
  verdict: Verdict;
  exitCode: number;
  summary: string;
  journal: Journal;
}

export async function runExperiment(options: RunOptions): Promise<RunResult> {
  const ctx = new RunContext(options);
  const hypothesis = new Hypothesis(ctx);
  ctx.startedAt = ctx.now();
  ctx.startWallClock();
  ctx.emit({
    type: "run-started",
    at: ctx.startedAt,
    runId: options.runId,
    title: ctx.e.title,
    seed: options.seed,
    target: ctx.journal.doc.gameday.target.kind,
    clock: ctx.s.clock.kind,
  });
  ctx.save();
  let notSteadyBefore = false;
  const continuous = modeChecks(ctx, "continuous");
  const continuousMonitors: Monitor[] = [];
  try {
    // --- Steady state before, and the single readings that open each probe's window.
    if (hypothesis.schedule.before) {
      ctx.phase("steady-state-before");
      const before = await hypothesis.check("before");
      ctx.journal.doc.steady_states.before = before;
      notSteadyBefore = !before.steady_state_met;
      ctx.save();
    }
    if (!notSteadyBefore) {
      for (const c of [...modeChecks(ctx, "sot"), ...modeChecks(ctx, "edge")]) await readSingle(ctx, c, singleMode(c, "sot"));
      // A start-of-test reading that failed with stopOnFailure (or --fail-fast) keeps the method from starting.
      if (ctx.hard.aborted) throw ctx.hard.reason;
      for (const c of continuous) continuousMonitors.push(monitorFor(ctx, c, "continuous", ctx.hard));
      for (const m of continuousMonitors) m.start();

      // --- The method.
      ctx.phase("method");
      await runMethod(ctx, hypothesis);
    }
  } catch (err) {
    if (!(err instanceof MethodAborted) && !ctx.hard.aborted) {
      ctx.errors.push(errorMessage(err));
      ctx.abort({ kind: "error", message: errorMessage(err) });
    }
  }

  // --- After the method: let probes finish their windows, then the steady state after.
  await Promise.allSettled(ctx.verifications);
  for (const m of ctx.onChaos) await m.close();
  if (ctx.methodStarted && !ctx.abortInfo) {
    if (hypothesis.schedule.after) {
      ctx.phase("steady-state-after");
      const after = await hypothesis.check("after").catch((err: unknown) => ctx.failedState(err));
      ctx.journal.doc.steady_states.after = after;
      if (!after.steady_state_met) ctx.deviations.push("the steady state did not hold after the method");
    }
    for (const c of [...modeChecks(ctx, "eot"), ...modeChecks(ctx, "edge")]) {
      await readSingle(ctx, c, singleMode(c, "eot")).catch(() => undefined);
    }
  }
  for (const m of continuousMonitors) await m.close();
  // Probe verdicts are in before the rollbacks: `rollbacks: deviated` must see a failed probe.
  judgeProbes(ctx);
  ctx.save();

  // --- Rollbacks, then is the system back?
  const rolledBack = await runRollbacks(ctx, notSteadyBefore);
  if (rolledBack && (ctx.e.steadyStateHypothesis?.probes.length ?? 0) > 0 && !options.interrupt.aborted) {
    ctx.phase("steady-state-after-rollback");
    const again = await hypothesis.check("after-rollback").catch((err: unknown) => ctx.failedState(err));
    ctx.journal.doc.gameday.steadyStateAfterRollback = again;
    if (!again.steady_state_met) ctx.deviations.push("the steady state did not come back after the rollbacks");
  }
  return concludeRun(ctx, notSteadyBefore);
}

export { journalExperiment };
