/**
 * Test oracle: the statistics as computed before sortValues (src/sandbox/services/cloudwatch/statistic.ts)
 * replaced the comparator sort of [value, count] pairs with the typed array's numeric sort. The
 * reference stores compute their statistics with it, so the store differential tests compare the
 * two ways as well as the two stores.
 */
/**
 * CloudWatch's statistic names and how each is computed from an aggregate. Supported: SampleCount,
 * Sum, Average, Minimum, Maximum, percentiles pNN / pNN.NN (nearest rank) and the trimmed count
 * with absolute bounds, TC(a:b), either bound optional, lower exclusive and upper inclusive
 * (Statistics-definitions.html: "TM(150:1000) ... removing data points ≤150 or >1000"). Other
 * extended statistics (trimmed means, IQM, PR, TC with % bounds) are refused by name rather than
 * answered wrongly.
 */
import type { Aggregate } from "../../../../src/sandbox/services/cloudwatch/aggregate.js";

export type Statistic =
  | { kind: "SampleCount" | "Sum" | "Average" | "Minimum" | "Maximum" }
  | { kind: "percentile"; p: number }
  | { kind: "trimmedCount"; above: number; atMost: number };

export const STANDARD_STATISTICS = ["SampleCount", "Sum", "Average", "Minimum", "Maximum"] as const;

/** Whether a statistic reads the individual values (percentiles, trimmed counts), not only count, sum and extremes. */
export function readsValues(s: Statistic): boolean {
  return s.kind === "percentile" || s.kind === "trimmedCount";
}

const PERCENTILE = /^p(100|\d{1,2}(\.\d{1,2})?)$/;
const TRIMMED_COUNT = /^TC\((\d+(?:\.\d+)?)?:(\d+(?:\.\d+)?)?\)$/i;

/** The statistic a name stands for, or undefined when the sandbox does not support it. */
export function parseStatistic(name: string): Statistic | undefined {
  if ((STANDARD_STATISTICS as readonly string[]).includes(name)) return { kind: name as (typeof STANDARD_STATISTICS)[number] };
  const m = PERCENTILE.exec(name);
  if (m) return { kind: "percentile", p: Number(m[1]) };
  const tc = TRIMMED_COUNT.exec(name);
  if (tc && (tc[1] !== undefined || tc[2] !== undefined)) return { kind: "trimmedCount", above: tc[1] === undefined ? -Infinity : Number(tc[1]), atMost: tc[2] === undefined ? Infinity : Number(tc[2]) };
  return undefined;
}

/**
 * The statistic's value over an aggregate, or undefined when it has none: no samples, or a
 * percentile where the values are unknown (StatisticValues) or any is negative (CloudWatch gives
 * no percentiles then).
 */
export function computeStatistic(a: Aggregate, s: Statistic, sorted: (a: Aggregate) => readonly (readonly [number, number])[] = sortedValues): number | undefined {
  if (a.sampleCount <= 0) return undefined;
  switch (s.kind) {
    case "SampleCount":
      return a.sampleCount;
    case "Sum":
      return a.sum;
    case "Average":
      return a.sum / a.sampleCount;
    case "Minimum":
      return a.minimum;
    case "Maximum":
      return a.maximum;
    case "percentile":
      return percentile(a, s.p, sorted);
    case "trimmedCount":
      return trimmedCount(a, s.above, s.atMost);
  }
}

/** The aggregate's value -> count pairs in ascending value order (computeStatistic's `sorted` may remember them). */
export function sortedValues(a: Aggregate): [number, number][] {
  return [...(a.values ?? [])].sort((x, y) => x[0] - y[0]);
}

function percentile(a: Aggregate, p: number, sortedOf: (a: Aggregate) => readonly (readonly [number, number])[]): number | undefined {
  if (!a.values || a.minimum < 0) return undefined;
  const sorted = sortedOf(a);
  const total = sorted.reduce((n, [, c]) => n + c, 0);
  // Nearest rank: the smallest value with at least p% of the samples at or below it.
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [v, c] of sorted) {
    seen += c;
    if (seen >= rank) return v;
  }
  return sorted[sorted.length - 1]![0];
}

/** How many values lie in (above, atMost]; needs the values, as a percentile does. */
function trimmedCount(a: Aggregate, above: number, atMost: number): number | undefined {
  if (!a.values) return undefined;
  let n = 0;
  for (const [v, c] of a.values) if (v > above && v <= atMost) n += c;
  return n;
}
