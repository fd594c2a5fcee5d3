/**
 * What CloudWatch keeps for one metric in one time bucket: the sample count, sum, minimum and
 * maximum, and (unless the data came as pre-aggregated StatisticValues) the values themselves as a
 * value -> count map, which percentiles need. Merging two aggregates is exact.
 */
export interface Aggregate {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
  /** Value -> how many times it was put; undefined once any StatisticValues set fell in (no percentiles then). */
  values: Map<number, number> | undefined;
}

export function emptyAggregate(): Aggregate {
  return { sampleCount: 0, sum: 0, minimum: Infinity, maximum: -Infinity, values: new Map() };
}

/** Adds `count` samples of `value`. */
export function addValue(a: Aggregate, value: number, count = 1): void {
  if (count <= 0) return;
  a.sampleCount += count;
  a.sum += value * count;
  if (value < a.minimum) a.minimum = value;
  if (value > a.maximum) a.maximum = value;
  a.values?.set(value, (a.values.get(value) ?? 0) + count);
}

/**
 * Adds a StatisticValues set. A set of one sample, or one whose minimum equals its maximum, still
 * says exactly which values were put, so percentiles survive it (as CloudWatch documents).
 */
export function addStatistics(a: Aggregate, s: { sampleCount: number; sum: number; minimum: number; maximum: number }): void {
  if (s.minimum === s.maximum && a.values) {
    a.sampleCount += s.sampleCount;
    a.sum += s.sum;
    if (s.minimum < a.minimum) a.minimum = s.minimum;
    if (s.maximum > a.maximum) a.maximum = s.maximum;
    a.values.set(s.minimum, (a.values.get(s.minimum) ?? 0) + s.sampleCount);
    return;
  }
  a.sampleCount += s.sampleCount;
  a.sum += s.sum;
  if (s.minimum < a.minimum) a.minimum = s.minimum;
  if (s.maximum > a.maximum) a.maximum = s.maximum;
  a.values = undefined;
}

/** Folds `from` into `into`. */
export function mergeInto(into: Aggregate, from: Aggregate): void {
  into.sampleCount += from.sampleCount;
  into.sum += from.sum;
  if (from.minimum < into.minimum) into.minimum = from.minimum;
  if (from.maximum > into.maximum) into.maximum = from.maximum;
  if (!into.values || !from.values) {
    into.values = undefined;
    return;
  }
  for (const [v, n] of from.values) into.values.set(v, (into.values.get(v) ?? 0) + n);
}
