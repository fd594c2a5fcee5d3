/**
 * The resilience score, as Litmus computes it for a workflow: each experiment's probe success
 * percentage (the share of its probes that passed), weighted by the experiment's weight (0 to 10):
 * score = Σ(weight × probe success %) / Σ weights. gameday counts as probes each probe verdict by
 * mode and each steady-state check; a run that could not be judged scores 0%.
 */
import type { RunReport } from "../report/index.js";

export function probeSuccessPercent(run: RunReport | undefined): number {
  if (!run) return 0;
  const probes = run.probes.filter((p) => p.verdict !== "not-run");
  const passed = probes.filter((p) => p.verdict === "passed").length + run.steadyStates.filter((s) => s.met).length;
  const total = probes.length + run.steadyStates.length;
  return total === 0 ? (run.verdict === "held" ? 100 : 0) : (100 * passed) / total;
}

/** Σ(weight × success %) / Σ weights; with every weight 0, the plain mean. */
export function resilienceScore(items: readonly { weight: number; percent: number }[]): number {
  if (items.length === 0) return 100;
  const weights = items.reduce((s, i) => s + i.weight, 0);
  if (weights === 0) return items.reduce((s, i) => s + i.percent, 0) / items.length;
  return items.reduce((s, i) => s + i.weight * i.percent, 0) / weights;
}
