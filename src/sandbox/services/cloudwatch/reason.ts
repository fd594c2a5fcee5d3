/**
 * The state reason CloudWatch writes on a transition, in the format of its public captures:
 * "Threshold Crossed: 1 out of the last 1 datapoints [5.0 (01/01/24 00:00:00)] was greater than
 * the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition)."
 */
import type { AlarmState, Evaluation } from "./evaluate.js";

export type ComparisonOperator = "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

export const COMPARISONS: Record<ComparisonOperator, { words: string; test: (v: number, t: number) => boolean }> = {
  GreaterThanOrEqualToThreshold: { words: "greater than or equal to", test: (v, t) => v >= t },
  GreaterThanThreshold: { words: "greater than", test: (v, t) => v > t },
  LessThanThreshold: { words: "less than", test: (v, t) => v < t },
  LessThanOrEqualToThreshold: { words: "less than or equal to", test: (v, t) => v <= t },
};

/** Numbers as CloudWatch prints them (Java doubles): 5.0, 1.5. */
export function javaDouble(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

/** dd/MM/yy HH:mm:ss in UTC. */
export function reasonDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

const plural = (n: number, one: string, many = `${one}s`) => (n === 1 ? one : many);

/** `m` and `n`: DatapointsToAlarm and EvaluationPeriods (OK needs n - m + 1 points that do not breach). */
export function stateReason(e: Evaluation, from: AlarmState, to: AlarmState, m: number, n: number, threshold: number, op: ComparisonOperator, treat: string): string {
  const words = COMPARISONS[op].words;
  if (e.basis === "all-missing") {
    if (to === "INSUFFICIENT_DATA") return `Insufficient Data: ${e.outOf} ${plural(e.outOf, "datapoint was", "datapoints were")} unknown.`;
    const as = treat === "breaching" ? "Breaching" : "NonBreaching";
    return `Threshold Crossed: no datapoints were received for ${e.outOf} ${plural(e.outOf, "period")} and ${e.outOf} missing ${plural(e.outOf, "datapoint was", "datapoints were")} treated as [${as}].`;
  }
  const toAlarm = to === "ALARM";
  const listed = e.judged.filter((p) => p.breaching === toAlarm);
  const count = toAlarm ? e.breaching : e.outOf - e.breaching;
  const points = listed.map((p) => `${javaDouble(p.value)} (${reasonDate(p.timestamp)})`).join(", ");
  const filled = e.filled > 0 ? ` (${e.filled} missing ${plural(e.filled, "datapoint was", "datapoints were")} treated as [${treat === "breaching" ? "Breaching" : "NonBreaching"}])` : "";
  const minimum = toAlarm ? m : n - m + 1;
  return `Threshold Crossed: ${count} out of the last ${e.outOf} datapoints [${points}] ${plural(count, "was", "were")} ${toAlarm ? "" : "not "}${words} the threshold (${javaDouble(threshold)})${filled} (minimum ${minimum} ${plural(minimum, "datapoint")} for ${from} -> ${to} transition).`;
}
