/**
 * What CloudWatch keeps for one metric in one time bucket: the sample count, sum, minimum and
 * maximum, and (unless the data came as pre-aggregated StatisticValues) the values themselves as a
 * value -> count map, which percentiles need. Merging two aggregates is exact, except that a map
 * past MAX_DISTINCT_VALUES keeps values to 3 significant digits (percentiles then within 0.5%),
 * so that a long run's minute buckets of per-request latencies cannot grow without bound.
 */

/** Distinct values a bucket keeps exactly; beyond, they are rounded to 3 significant digits. */
export const MAX_DISTINCT_VALUES = 2_048;
export interface Aggregate {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
  /** Value -> how many times it was put; undefined once any StatisticValues set fell in (no percentiles then). */
  values: Map<number, number> | undefined;
  /** True once the values were rounded to keep the map small. */
  rounded?: boolean;
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
  if (!a.values) return;
  const key = a.rounded ? round3(value) : value;
  a.values.set(key, (a.values.get(key) ?? 0) + count);
  if (a.values.size > MAX_DISTINCT_VALUES && !a.rounded) roundValues(a);
}

function round3(v: number): number {
  return v === 0 ? 0 : Number(v.toPrecision(3));
}

/** Re-keys the values to 3 significant digits, from now on. */
function roundValues(a: Aggregate): void {
  const rounded = new Map<number, number>();
  for (const [v, n] of a.values!) {
    const k = round3(v);
    rounded.set(k, (rounded.get(k) ?? 0) + n);
  }
  a.values = rounded;
  a.rounded = true;
}

/**
 * Adds a StatisticValues set. A set of one sample, or one whose minimum equals its maximum, still
 * says exactly which values were put, so percentiles survive it (as CloudWatch documents).
 */
export function addStatistics(a: Aggregate, s: { sampleCount: number; sum: number; minimum: number; maximum: number }): void {
  if (s.minimum === s.maximum && a.values) {
    addValue(a, s.minimum, s.sampleCount);
    return;
  }
  a.sampleCount += s.sampleCount;
  a.sum += s.sum;
  if (s.minimum < a.minimum) a.minimum = s.minimum;
  if (s.maximum > a.maximum) a.maximum = s.maximum;
  a.values = undefined;
}

/** What mergeInto reads of the aggregate it folds in: its values need only be iterable (a store may keep them packed). */
export interface MergeSource extends Omit<Aggregate, "values"> {
  values: Iterable<readonly [number, number]> | undefined;
}

/**
 * mergeInto of an aggregate kept flat (a store's packed bucket): its count, sum and extremes, and
 * its values as `flat[offset..]` = value, count, value, count... (undefined: none kept). Reads
 * them in place: a view and an iterator per bucket cost more than the merge.
 */
export function mergeFlat(into: Aggregate, sampleCount: number, sum: number, minimum: number, maximum: number, rounded: boolean, flat: readonly number[] | undefined, offset: number): void {
  into.sampleCount += sampleCount;
  into.sum += sum;
  if (minimum < into.minimum) into.minimum = minimum;
  if (maximum > into.maximum) into.maximum = maximum;
  if (!into.values || !flat) {
    into.values = undefined;
    return;
  }
  if (rounded && !into.rounded) roundValues(into);
  const values = into.values;
  for (let i = offset; i < flat.length; i += 2) {
    const k = into.rounded ? round3(flat[i]!) : flat[i]!;
    values.set(k, (values.get(k) ?? 0) + flat[i + 1]!);
  }
  if (values.size > MAX_DISTINCT_VALUES && !into.rounded) roundValues(into);
}

/** Folds `from` into `into`. */
export function mergeInto(into: Aggregate, from: MergeSource): void {
  into.sampleCount += from.sampleCount;
  into.sum += from.sum;
  if (from.minimum < into.minimum) into.minimum = from.minimum;
  if (from.maximum > into.maximum) into.maximum = from.maximum;
  if (!into.values || !from.values) {
    into.values = undefined;
    return;
  }
  if (from.rounded && !into.rounded) roundValues(into);
  for (const [v, n] of from.values) {
    const k = into.rounded ? round3(v) : v;
    into.values.set(k, (into.values.get(k) ?? 0) + n);
  }
  if (into.values.size > MAX_DISTINCT_VALUES && !into.rounded) roundValues(into);
}
