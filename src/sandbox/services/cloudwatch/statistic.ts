/**
 * CloudWatch's statistic names and how each is computed from an aggregate. Supported: SampleCount,
 * Sum, Average, Minimum, Maximum, percentiles pNN / pNN.NN (nearest rank) and the trimmed count
 * with absolute bounds, TC(a:b), either bound optional, lower exclusive and upper inclusive
 * (Statistics-definitions.html: "TM(150:1000) ... removing data points ≤150 or >1000"). Other
 * extended statistics (trimmed means, IQM, PR, TC with % bounds) are refused by name rather than
 * answered wrongly.
 */
import type { Aggregate } from "./aggregate.js";

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
export function computeStatistic(a: Aggregate, s: Statistic, sorted: (a: Aggregate) => SortedValues = sortValues): number | undefined {
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

/**
 * An aggregate's distinct values in ascending order, each one's count beside it, and the counts'
 * total (added up in that order): what a percentile reads. Several percentiles of one period
 * share it (computeStatistic's `sorted` may remember it).
 */
export interface SortedValues {
  values: Float64Array;
  counts: Float64Array;
  total: number;
}

/**
 * The values sorted by the typed array's own numeric sort, their counts looked up after: the
 * comparator sort of [value, count] pairs this replaced called back into JavaScript n log n times
 * per merged period, which a short run pays in full in the interpreter (TurboFan is held off,
 * src/cli/tiering.ts). The order is the pairs' (values are distinct Map keys, never -0); a NaN,
 * which the numeric sort would place otherwise, takes the pairs' path.
 */
export function sortValues(a: Aggregate): SortedValues {
  const map = a.values;
  const n = map ? map.size : 0;
  const values = new Float64Array(n);
  if (map) {
    let i = 0;
    for (const v of map.keys()) {
      if (v !== v) return sortValuesAsPairs(map);
      values[i++] = v;
    }
  }
  values.sort();
  const counts = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const c = map!.get(values[i]!)!;
    counts[i] = c;
    total += c;
  }
  return { values, counts, total };
}

/** sortValues by a comparator over [value, count] pairs: for values a numeric sort would order otherwise (NaN). */
function sortValuesAsPairs(map: Map<number, number>): SortedValues {
  const pairs = [...map].sort((x, y) => x[0] - y[0]);
  const values = new Float64Array(pairs.length);
  const counts = new Float64Array(pairs.length);
  let total = 0;
  pairs.forEach(([v, c], i) => {
    values[i] = v;
    counts[i] = c;
    total += c;
  });
  return { values, counts, total };
}

function percentile(a: Aggregate, p: number, sortedOf: (a: Aggregate) => SortedValues): number | undefined {
  if (!a.values || a.minimum < 0) return undefined;
  const { values, counts, total } = sortedOf(a);
  // Nearest rank: the smallest value with at least p% of the samples at or below it.
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return values[i]!;
  }
  return values[values.length - 1];
}

/** How many values lie in (above, atMost]; needs the values, as a percentile does. */
function trimmedCount(a: Aggregate, above: number, atMost: number): number | undefined {
  if (!a.values) return undefined;
  let n = 0;
  for (const [v, c] of a.values) if (v > above && v <= atMost) n += c;
  return n;
}
