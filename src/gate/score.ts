/**
 * The resilience score, as Litmus computes it for a workflow: each experiment's probe success
 * percentage (the share of its probes that passed), weighted by the experiment's weight (0 to 10):
 * score = Σ(weight × probe success %) / Σ weights. gameday counts as probes each probe verdict by
 * mode and each steady-state check that read a probe (report/run-report.ts probeSuccess); a run that
 * could not be judged (no journal, or a `chaos run` exit other than 0, 1 or 3: gate.ts wasJudged)
 * scores 0%. A run that held with nothing to judge (no hypothesis, no probe)
 * scores 100%, as Litmus scores an experiment without probes that passed; reports show it as
 * "nothing to judge", not as a rate (probeSuccessCell).
 */
import { nothingJudgedText, probeSuccess, type RunReport } from "../report/run-report.js";

export function probeSuccessPercent(run: RunReport | undefined): number {
  if (!run) return 0;
  const { passed, total } = probeSuccess(run);
  return total === 0 ? (run.verdict === "held" ? 100 : 0) : (100 * passed) / total;
}

/** Whether a finished run judged nothing: it held with no hypothesis and no probe read. */
export function nothingToJudge(run: RunReport | undefined): boolean {
  return run !== undefined && run.complete && run.verdict === "held" && probeSuccess(run).total === 0;
}

/** A run's probe success for the gate's tables and progress lines: "75%", or no rate for a run that judged nothing. */
export function probeSuccessCell(run: RunReport, percent: number): string {
  return probeSuccess(run).total === 0 ? nothingJudgedText(run) : `${percent.toFixed(0)}%`;
}

/** Σ(weight × success %) / Σ weights; with every weight 0, the plain mean. */
export function resilienceScore(items: readonly { weight: number; percent: number }[]): number {
  if (items.length === 0) return 100;
  const weights = items.reduce((s, i) => s + i.weight, 0);
  if (weights === 0) return items.reduce((s, i) => s + i.percent, 0) / items.length;
  return items.reduce((s, i) => s + i.weight * i.percent, 0) / weights;
}
