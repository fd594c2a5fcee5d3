/**
 * What every publisher shares: AWS's own metrics have 60-second resolution, so publishers add up
 * per minute and put one datum per metric, dimension set and minute (never one per event).
 */
import type { MetricDatum, MetricSink } from "../services/cloudwatch/sink.js";
import type { Timers } from "../timers.js";

export const MINUTE = 60_000;

/** The start of the minute `t` falls in. */
export function minuteOf(t: number): number {
  return Math.floor(t / MINUTE) * MINUTE;
}

/** Runs `fn` at the start of every minute of the clock's time (when publishers put the minute that ended); returns a cancel function. */
export function everyMinute(timers: Timers, fn: () => void): () => void {
  const now = timers.clock.now();
  return timers.every(MINUTE, fn, minuteOf(now) + MINUTE - now);
}

/** PutMetricData's limit on Values/Counts in one datum. */
const MAX_VALUES = 150;

/** A count of events, each worth 1, as AWS sends its *Count metrics (Minimum = Maximum = Average = 1). */
export function countStatistics(n: number): NonNullable<MetricDatum["statistics"]> {
  return { sampleCount: n, sum: n, minimum: 1, maximum: 1 };
}

/**
 * Puts a distribution (value -> how many times it was seen) as Values/Counts, each value over
 * `divisor` (milliseconds kept, seconds put), in as many datums as PutMetricData's 150-value limit
 * needs; CloudWatch merges datums with the same timestamp.
 */
export function putDistribution(sink: MetricSink, base: Omit<MetricDatum, "value" | "values" | "counts" | "statistics">, histogram: ReadonlyMap<number, number>, divisor = 1): void {
  const keys = [...histogram.keys()].sort((a, b) => a - b);
  putSortedDistribution(sink, base, keys, keys.map((k) => histogram.get(k)!), divisor);
}

/** putDistribution for a distribution already in increasing order of value, as parallel arrays (`counts[i]` times `keys[i]`). */
export function putSortedDistribution(sink: MetricSink, base: Omit<MetricDatum, "value" | "values" | "counts" | "statistics">, keys: readonly number[], counts: readonly number[], divisor = 1): void {
  for (let i = 0; i < keys.length; i += MAX_VALUES) {
    const chunk = keys.slice(i, i + MAX_VALUES);
    sink.put({ ...base, values: chunk.map((k) => k / divisor), counts: counts.slice(i, i + MAX_VALUES) });
  }
}
