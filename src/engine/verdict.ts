/**
 * The verdict: what the probes' tallies, the method's abort, the errors and the rollbacks add up
 * to, and the exit code that goes with it. The rules are pure functions so that they can be read
 * (and tested) apart from the run that feeds them; concludeRun writes them into the journal.
 */
import type { JournalStatus } from "./journal.js";
import type { ProbeTally } from "./tally.js";
import { describeAbort, type Abort, type RunContext } from "./run-context.js";
import type { RunResult } from "./run.js";

export type Verdict = "held" | "deviated" | "not-steady-before" | "aborted" | "interrupted" | "error";

export const EXIT_CODES: Readonly<Record<Verdict, number>> = {
  held: 0,
  deviated: 1,
  "not-steady-before": 1,
  aborted: 3,
  error: 4,
  interrupted: 130,
};

/**
 * Lateness of polled readings worth a warning in the journal. Probes judge at a second's grain, so
 * readings a second late start to shift what they measure; virtual time is never late at all.
 */
export const LATE_READING_MS = 1_000;

/**
 * What the probes' tallies say, before the rollbacks (whose strategy may depend on it). Stop
 * conditions are guards, not findings; a probe that never read counts only when the method ran
 * to its end (after an abort, not having read is expected).
 */
export function judgeTallies(tallies: Iterable<ProbeTally>, methodRanToEnd: boolean): { errors: string[]; deviations: string[] } {
  const errors: string[] = [];
  const deviations: string[] = [];
  for (const t of tallies) {
    if (t.mode === "stop-condition") continue;
    if (t.verdict === "error") errors.push(`${t.step} (${t.mode}) ${t.summary()}`);
    else if (t.verdict === "failed") deviations.push(`${t.step} (${t.mode}): ${t.summary()}`);
    else if (t.verdict === "not-run" && methodRanToEnd) deviations.push(`${t.step} (${t.mode}): ${t.summary()}`);
  }
  return { errors, deviations };
}

export interface Outcome {
  /** Why the method stopped early, if it did. */
  abort: Abort | undefined;
  rollbackFailures: readonly string[];
  errors: readonly string[];
  deviations: readonly string[];
  /** The steady state did not hold before the method, so the method never ran. */
  notSteadyBefore: boolean;
  /** Whether any probe was read; with none (no hypothesis, no probes) there was nothing to judge. Default true. */
  judged?: boolean;
}

/**
 * In order of precedence: an interrupt, then a rollback that failed (a target left with a fault in
 * it is the news, whatever the hypothesis said), a stop condition or a fault's FIS experiment
 * stopped early (by an operator or a FIS stop condition), an error, a steady state that
 * did not hold before, a deviation; otherwise the steady state held.
 */
export function decideVerdict(o: Outcome): { verdict: Verdict; summary: string } {
  const a = o.abort;
  const failures = o.rollbackFailures;
  const leftBehind = failures.length > 0 ? `; ${failures.length} rollback(s) failed, the target may still be changed: run \`chaos recover\` (${failures[0]})` : "";
  if (a?.kind === "interrupt") return { verdict: "interrupted", summary: `interrupted by ${a.signal}${leftBehind}` };
  if (failures.length > 0) {
    return {
      verdict: "error",
      summary: `rollback failed: ${failures[0]}; the target may still be changed: run \`chaos recover\`${failures.length > 1 ? ` (${failures.length} failed)` : ""}`,
    };
  }
  if (a?.kind === "stop-condition") return { verdict: "aborted", summary: `aborted: stop condition ${a.probe} breached (${a.reason})` };
  // The fault did not run as planned, so the probes cannot say the steady state held through it.
  if (a?.kind === "fault-stopped") return { verdict: "aborted", summary: `aborted: ${describeAbort(a)}, before its planned end; the method was stopped` };
  if (o.errors.length > 0) return { verdict: "error", summary: o.errors[0]! };
  if (o.notSteadyBefore) return { verdict: "not-steady-before", summary: "the steady state did not hold before the method; the method was not run" };
  if (o.deviations.length > 0 || a?.kind === "fail-fast") {
    return { verdict: "deviated", summary: a?.kind === "fail-fast" ? `deviated: ${a.probe}: ${a.reason}` : `deviated: ${o.deviations[0]}` };
  }
  // Chaos Toolkit's "completed": an experiment of actions alone (a team's FIS template) has no
  // steady state to have held.
  if (o.judged === false) return { verdict: "held", summary: "completed: nothing to judge (no steady-state hypothesis and no probe was read)" };
  return { verdict: "held", summary: "the steady state held" };
}

/** The journal's Chaos Toolkit status for a verdict. */
export function journalStatus(verdict: Verdict): JournalStatus {
  if (verdict === "interrupted") return "interrupted";
  if (verdict === "aborted") return "aborted";
  if (verdict === "error" || verdict === "not-steady-before") return "failed";
  return "completed";
}

/** Folds the probes' verdicts into the run's findings, before the rollbacks. */
export function judgeProbes(ctx: RunContext): void {
  const found = judgeTallies(ctx.tallies.values(), ctx.methodStarted && !ctx.abortInfo);
  ctx.errors.push(...found.errors);
  ctx.deviations.push(...found.deviations);
}

/** Writes the verdict into the journal, closes the ledger when nothing is left to undo, and tells the listener. */
export function concludeRun(ctx: RunContext, notSteadyBefore: boolean): RunResult {
  if (ctx.worstLateReading >= LATE_READING_MS) {
    ctx.warn(
      `readings were taken up to ${(ctx.worstLateReading / 1000).toFixed(1)} s later than their interval asked: this process could not keep up with its ${ctx.s.clock.kind} clock, so the timings this run measured are stretched by as much (a lower --speed, or a less busy machine)`,
    );
  }
  // The load generator's own shortfall: readings it polluted are errors, and the run says why.
  for (const w of ctx.s.traffic.warnings?.() ?? []) ctx.warn(w);
  const probes = [...ctx.tallies.values()];
  const iso = (at: number) => ctx.iso(at);
  const g = ctx.journal.doc.gameday;
  g.probes = probes.map((t) => t.record(iso));
  for (const t of probes) if (t.readings > 0 || t.mode !== "stop-condition") ctx.emit({ type: "probe-verdict", at: ctx.now(), probe: t.step, mode: t.mode, verdict: t.verdict, summary: t.summary() });

  // A steady-state check that read a probe judged the run as much as a probe verdict does (a
  // hypothesis checked before and after only has no tally); one without a hypothesis read nothing.
  const steady = ctx.journal.doc.steady_states;
  const hypothesisRead = [steady.before, steady.after, ...steady.during, g.steadyStateAfterRollback].some((s) => (s?.probes.length ?? 0) > 0);
  const decided = decideVerdict({ abort: ctx.abortInfo, rollbackFailures: ctx.rollbackFailures, errors: ctx.errors, deviations: ctx.deviations, notSteadyBefore, judged: hypothesisRead || probes.some((t) => t.readings > 0) });
  const { verdict } = decided;
  if (verdict === "interrupted" && ctx.abortInfo?.kind === "interrupt") g.interrupted = { signal: ctx.abortInfo.signal, at: ctx.iso() };
  const end = ctx.now();
  const doc = ctx.journal.doc;
  doc.end = ctx.iso(end);
  doc.duration = (end - ctx.startedAt) / 1000;
  ctx.endWallClock();
  doc.deviated = verdict === "deviated";
  doc.status = journalStatus(verdict);
  g.verdict = verdict;
  g.exitCode = EXIT_CODES[verdict];
  const summary = ctx.journal.redact(decided.summary);
  g.summary = summary;
  g.complete = true;
  // An open ledger is what `chaos recover` looks for: close it only when nothing is left to undo.
  if (ctx.o.ledger.pending().length === 0) ctx.o.ledger.close(end, verdict);
  ctx.save();
  ctx.emit({ type: "verdict", at: end, verdict, exitCode: EXIT_CODES[verdict], summary });
  return { verdict, exitCode: EXIT_CODES[verdict], summary, journal: ctx.journal };
}
