/**
 * The MetricStore before the put fast paths (packed buckets, seconds in per-minute arrays, an index
 * of series), kept unchanged with the modules it used (seconds, aggregate, bucket-codec) as the
 * oracle of store-differential.test.ts and the baseline of bench/cloudwatch.ts.
 */
/**
 * The sandbox's CloudWatch metric storage: a MetricSink that the sandbox's services publish into
 * and PutMetricData writes to, and the statistics GetMetricData, GetMetricStatistics and alarms read.
 *
 * Per metric (namespace, name, dimensions) and unit, a time series of buckets. High-resolution
 * data keeps 1-second buckets for 3 hours and standard data 60-second buckets, as CloudWatch's
 * retention does; older 1-second buckets fold into minutes and minutes older than 15 days go, so a
 * 17-hour simulated run holds at most 10,800 + 1,020 buckets per metric. The seconds are held in
 * arrays of a minute's slots (seconds.ts), and a put finds its metric without building a key.
 *
 * A bucket that is no longer being written (its period ended a few minutes ago) is packed into one
 * array of numbers: its values as a Map cost about four times as much, and over 17 hours the
 * buckets of per-request latencies were most of the run's memory. A late put unpacks it again.
 * That array is held as a string of bytes (bucket-codec.ts): latencies in whole milliseconds and
 * small counts take about 3 bytes a value there instead of 16.
 */
import { addStatistics, addValue, emptyAggregate, MAX_DISTINCT_VALUES, mergeFlat, mergeInto, type Aggregate } from "./aggregate.js";
import { decodeBucket, decodeScalars, encodeBucket } from "./bucket-codec.js";
import type { MetricDatum, MetricSink } from "../../../../../src/sandbox/services/cloudwatch/sink.js";
import { SecondBuckets } from "./seconds.js";
import { computeStatistic, readsValues, sortedValues, type Statistic } from "../statistic.js";

const SECOND = 1_000;
const MINUTE = 60_000;
/** How long 1-second data stays at that resolution. */
export const HIGH_RESOLUTION_RETENTION_MS = 3 * 3_600_000;
/** How long 1-minute data is kept (the sandbox keeps no coarser tiers). */
export const MINUTE_RETENTION_MS = 15 * 86_400_000;

export interface MetricId {
  namespace: string;
  name: string;
  dimensions: Readonly<Record<string, string>>;
}

export interface StatisticQuery extends MetricId {
  /** Seconds: a multiple of 60, or 1, 5, 10, 20, 30 (which only high-resolution data can fill). */
  period: number;
  /** Milliseconds, inclusive. */
  start: number;
  /** Milliseconds, exclusive. */
  end: number;
  statistic: Statistic;
  /** Only data put with this unit; all units when absent. */
  unit?: string;
}

export interface Datapoint {
  /** Start of the period, in milliseconds. */
  timestamp: number;
  value: number;
}

export interface ListFilter {
  namespace?: string;
  name?: string;
  /** Each named dimension must be present, with this value when one is given. */
  dimensions?: { name: string; value?: string }[];
  /** Only metrics with data put within this many milliseconds. */
  recentlyActiveMs?: number;
}

/**
 * A bucket's aggregate packed: [sampleCount, sum, minimum, maximum, flags, value, count, value,
 * count, ...] with the values in the Map's order (flags: 1 = values kept, 2 = values rounded).
 * A bucket of one sample, what most buckets hold (a gauge put every few seconds, a count per
 * second), is packed as that value alone: an array for it cost about 100 bytes more. The array
 * is kept encoded as a string (bucket-codec.ts) unless a count is not a whole number.
 */
type Packed = number[] | number | string;
type Bucket = Aggregate | Packed;

function isPacked(b: Bucket): b is Packed {
  return typeof b === "number" || typeof b === "string" || Array.isArray(b);
}

/** A packed array as it is held: encoded when it can be. */
function held(flat: number[]): Packed {
  return encodeBucket(flat) ?? flat;
}

/** Buckets whose period ended this long ago are packed: puts are rarely later than that. */
const PACK_AFTER_MS = 5 * MINUTE;

/** Buckets by start, as the two tiers hold them. */
interface BucketMap {
  get(start: number): Bucket | undefined;
  set(start: number, bucket: Bucket): void;
}

interface Buckets {
  /** 1-second buckets (high-resolution data), by bucket start. */
  fine: SecondBuckets<Bucket>;
  /** 60-second buckets, by bucket start. */
  coarse: Map<number, Bucket>;
  /** Starts of buckets created or unpacked since the last packing, per map. */
  freshFine: number[];
  freshCoarse: number[];
}

interface Series {
  /** metricKey(id): the order ListMetrics answers in. */
  key: string;
  id: MetricId;
  byUnit: Map<string, Buckets>;
  lastPut: number;
}

export class PackedMetricStore implements MetricSink {
  private readonly series: Series[] = [];
  /** Namespace -> name -> dimensionsKey -> series: a put finds its series without building a key string. */
  private readonly index = new Map<string, Map<string, Map<string, Series>>>();
  private lastCompaction = -Infinity;
  private readonly beforeReads: (() => void)[] = [];
  /** Inside snapshot(): the publishers already put what was due. */
  private reading = 0;
  /**
   * Inside snapshot(), nothing is put: one request's queries of the same metric and period (p50,
   * p95, p99 and Maximum of one latency) share its periods' merged buckets and their sorted values.
   */
  private periodsRead: Map<string, Map<number, Aggregate>> | undefined;
  private readonly sortedRead = new WeakMap<Aggregate, [number, number][]>();

  /**
   * `now` is the sandbox's clock: retention is measured against it. `packAfterMs`: how long after
   * its period ends a bucket is packed (tests compare a store that never packs).
   */
  constructor(
    private readonly now: () => number,
    private readonly packAfterMs = PACK_AFTER_MS,
  ) {
    this.packs = Number.isFinite(packAfterMs);
  }

  /** False for a store that never packs (tests compare one): every bucket stays an aggregate. */
  private readonly packs: boolean;

  /**
   * `fn` runs before every read (queries, alarms, ListMetrics): publishers that aggregate lazily put
   * what is due, so a read sees every period that ended by now, as if each had been put on time.
   */
  onBeforeRead(fn: () => void): void {
    this.beforeReads.push(fn);
  }

  /**
   * Runs `read` on one publication: the before-read publishers put what is due once, before it,
   * not again before each of its queries. One request reads several metrics (GetMetricData's
   * RequestCount and HTTPCode_2XX_Count, an alarm's metric math), and on a scaled clock time moves
   * between those reads: publishing again in between put requests into the second metric that the
   * first had not counted (availability 1.032 on a served sandbox).
   */
  snapshot<T>(read: () => T): T {
    this.publishDue();
    if (this.reading === 0) this.periodsRead = new Map();
    this.reading++;
    try {
      return read();
    } finally {
      this.reading--;
      if (this.reading === 0) this.periodsRead = undefined;
    }
  }

  private publishDue(): void {
    if (this.reading > 0) return;
    for (const fn of this.beforeReads) fn();
  }

  put(datum: MetricDatum): void {
    // A put during a read (none is known) must not leave it answering from merges made before.
    this.periodsRead?.clear();
    let names = this.index.get(datum.namespace);
    if (!names) this.index.set(datum.namespace, (names = new Map()));
    let byDimensions = names.get(datum.name);
    if (!byDimensions) names.set(datum.name, (byDimensions = new Map()));
    const dimensions = this.keyOfDimensions(datum.dimensions);
    let s = byDimensions.get(dimensions);
    if (!s) {
      s = { key: metricKey(datum), id: { namespace: datum.namespace, name: datum.name, dimensions: sortedDimensions(datum.dimensions) }, byUnit: new Map(), lastPut: 0 };
      byDimensions.set(dimensions, s);
      this.series.push(s);
    }
    s.lastPut = Math.max(s.lastPut, this.now());
    const unit = datum.unit ?? "None";
    let buckets = s.byUnit.get(unit);
    if (!buckets) s.byUnit.set(unit, (buckets = { fine: new SecondBuckets(), coarse: new Map(), freshFine: [], freshCoarse: [] }));
    const highRes = datum.storageResolution === 1;
    const size = highRes ? SECOND : MINUTE;
    const start = Math.floor(datum.timestamp / size) * size;
    if (this.packs) {
      // A bucket's first datum is stored packed at once: most buckets get no second put, and an
      // aggregate with a Map for them was most of what the store allocated.
      const map: BucketMap = highRes ? buckets.fine : buckets.coarse;
      if (map.get(start) === undefined) {
        const packed = packedDatum(datum);
        if (packed !== undefined) {
          map.set(start, packed);
          this.compactIfDue();
          return;
        }
      }
    }
    const a = highRes ? writable(buckets.fine, buckets.freshFine, start) : writable(buckets.coarse, buckets.freshCoarse, start);
    if (datum.value !== undefined) addValue(a, datum.value);
    if (datum.values) datum.values.forEach((v, i) => addValue(a, v, datum.counts?.[i] ?? 1));
    if (datum.statistics) addStatistics(a, datum.statistics);
    this.compactIfDue();
  }

  /** The statistic per period over [start, end), oldest first; periods without data are absent. */
  query(q: StatisticQuery): Datapoint[] {
    this.publishDue();
    const s = this.seriesOf(q);
    if (!s) return [];
    // Only percentiles and trimmed counts read the values: for the other statistics folding each
    // bucket's value map into the period's was most of GetMetricData's time (a 30-second period of
    // latencies merges 30).
    const withValues = readsValues(q.statistic);
    const readKey = `${s.key}\u0000${q.unit ?? ""}\u0000${q.period}\u0000${q.start}\u0000${q.end}\u0000${withValues}`;
    let perPeriod = this.periodsRead?.get(readKey);
    if (!perPeriod) {
      perPeriod = this.periods(s, q, withValues);
      this.periodsRead?.set(readKey, perPeriod);
    }
    const out: Datapoint[] = [];
    for (const [timestamp, a] of perPeriod) {
      const value = computeStatistic(a, q.statistic, this.sorted);
      if (value !== undefined) out.push({ timestamp, value });
    }
    return out.sort((x, y) => x.timestamp - y.timestamp);
  }

  /** Sorted values, computed once per merged period while a snapshot lasts (nothing changes them meanwhile). */
  private readonly sorted = (a: Aggregate): [number, number][] => {
    if (this.periodsRead === undefined) return sortedValues(a);
    let sorted = this.sortedRead.get(a);
    if (!sorted) this.sortedRead.set(a, (sorted = sortedValues(a)));
    return sorted;
  };

  /** Each period's buckets in [start, end) merged; the values kept only when `withValues`. */
  private periods(s: Series, q: StatisticQuery, withValues: boolean): Map<number, Aggregate> {
    const periodMs = q.period * SECOND;
    // Periods start on whole minutes (whole periods below a minute), counted from the start time.
    const align = periodMs >= MINUTE ? MINUTE : periodMs;
    const first = Math.floor(q.start / align) * align;
    const perPeriod = new Map<number, Aggregate>();
    const take = (t: number, b: Bucket): void => {
      if (t < first || t >= q.end) return;
      const p = first + Math.floor((t - first) / periodMs) * periodMs;
      let into = perPeriod.get(p);
      if (!into) perPeriod.set(p, (into = withValues ? emptyAggregate() : { ...emptyAggregate(), values: undefined }));
      if (withValues) mergeBucket(into, b);
      else mergeScalars(into, b);
    };
    for (const [unit, buckets] of s.byUnit) {
      if (q.unit !== undefined && q.unit !== unit) continue;
      buckets.fine.each(first, q.end, take);
      // Minute buckets cannot be split: only periods of whole minutes read them.
      if (periodMs >= MINUTE) eachBucket(buckets.coarse, MINUTE, first, q.end, take);
    }
    return perPeriod;
  }

  /** The units data was put with for a metric. */
  units(id: MetricId): string[] {
    return [...(this.seriesOf(id)?.byUnit.keys() ?? [])];
  }

  private seriesOf(id: MetricId): Series | undefined {
    return this.index.get(id.namespace)?.get(id.name)?.get(this.keyOfDimensions(id.dimensions));
  }

  /**
   * The last frozen dimension set put and its key: a publisher puts its metrics one after the
   * other with one set (a load generator's { Service }, an EMF line's sets), which is then keyed
   * once, not at every put. Only a frozen set: nothing can change it after its key is taken.
   */
  private lastDimensions: Readonly<Record<string, string>> | undefined;
  private lastDimensionsKey = "";

  private keyOfDimensions(d: Readonly<Record<string, string>>): string {
    if (d === this.lastDimensions) return this.lastDimensionsKey;
    const key = dimensionsKey(d);
    if (Object.isFrozen(d)) {
      this.lastDimensions = d;
      this.lastDimensionsKey = key;
    }
    return key;
  }

  /** Metrics matching the filter, in a stable order (namespace, name, dimensions). */
  list(filter: ListFilter = {}): MetricId[] {
    this.publishDue();
    const since = filter.recentlyActiveMs === undefined ? -Infinity : this.now() - filter.recentlyActiveMs;
    const out: [string, MetricId][] = [];
    for (const s of this.series) {
      if (filter.namespace !== undefined && s.id.namespace !== filter.namespace) continue;
      if (filter.name !== undefined && s.id.name !== filter.name) continue;
      if (s.lastPut < since) continue;
      const dims = s.id.dimensions;
      if (filter.dimensions?.some((d) => !(d.name in dims) || (d.value !== undefined && dims[d.name] !== d.value))) continue;
      out.push([s.key, s.id]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, id]) => id);
  }

  /** How many buckets are held in all: what bounds memory. */
  get bucketCount(): number {
    let n = 0;
    for (const s of this.series) for (const b of s.byUnit.values()) n += b.fine.size + b.coarse.size;
    return n;
  }

  /**
   * At most once a simulated minute: 1-second buckets past 3 hours fold into minutes; minutes past
   * 15 days go; buckets that ended packAfterMs ago are packed.
   */
  private compactIfDue(): void {
    const now = this.now();
    if (now - this.lastCompaction < MINUTE) return;
    this.lastCompaction = now;
    const fineBefore = now - HIGH_RESOLUTION_RETENTION_MS;
    const coarseBefore = now - MINUTE_RETENTION_MS;
    for (const s of this.series) {
      for (const b of s.byUnit.values()) {
        // Oldest-created first, which is time order for data put as it happens: stop at the first
        // young bucket. (A late put of old data waits until those before it age out.)
        b.fine.removeOldest(fineBefore, (t, a) => mergeBucket(writable(b.coarse, b.freshCoarse, Math.floor(t / MINUTE) * MINUTE), a));
        // Maps iterate in insertion order: the same for the minutes.
        for (const t of b.coarse.keys()) {
          if (t >= coarseBefore) break;
          b.coarse.delete(t);
        }
        b.freshFine = packEnded(b.fine, b.freshFine, SECOND, now - this.packAfterMs);
        b.freshCoarse = packEnded(b.coarse, b.freshCoarse, MINUTE, now - this.packAfterMs);
      }
    }
  }
}

/** The aggregate of bucket `start` to add to: created, or unpacked, and then noted as fresh. */
function writable(map: BucketMap, fresh: number[], start: number): Aggregate {
  const b = map.get(start);
  if (b !== undefined && !isPacked(b)) return b;
  const a = b === undefined ? emptyAggregate() : unpack(b);
  // Replacing a bucket keeps its place in the (time) order of its tier.
  map.set(start, a);
  fresh.push(start);
  return a;
}

/**
 * Packs the fresh buckets whose period ended before `before`; returns those still fresh. Fresh
 * buckets are listed as they were created, which is time order for data put as it happens, so
 * this stops at the first young one instead of checking every young one again each minute (a
 * late put's bucket behind it waits for the next packing).
 */
function packEnded(map: BucketMap, fresh: number[], size: number, before: number): number[] {
  // A store that never packs (before = -Infinity) keeps no list either.
  if (fresh.length === 0 || before === Number.NEGATIVE_INFINITY) return [];
  let i = 0;
  for (; i < fresh.length; i++) {
    const t = fresh[i]!;
    if (t + size > before) break;
    const b = map.get(t);
    if (b !== undefined && !isPacked(b)) map.set(t, pack(b));
  }
  return i === 0 ? fresh : fresh.slice(i);
}

function pack(a: Aggregate): Packed {
  if (a.sampleCount === 1 && a.values?.size === 1 && !a.rounded) {
    const v = a.sum;
    // Exactly one sample of v, and nothing else to remember (-0 keeps the long form: a Map key loses its sign).
    if (a.values.get(v) === 1 && Object.is(a.minimum, v) && Object.is(a.maximum, v)) return v;
  }
  const out: number[] = [a.sampleCount, a.sum, a.minimum, a.maximum, (a.values ? 1 : 0) | (a.rounded ? 2 : 0)];
  if (!a.values) return held(out);
  for (const [v, n] of a.values) out.push(v, n);
  return held(out);
}

/**
 * A datum as a new bucket packed, as pack() would give for the aggregate it makes, built without
 * the aggregate's Map: a single value, a distribution whose values ascend (as publishers put
 * them, so none repeats), or a statistic set. Undefined for anything else (a mix, unordered
 * values), which goes through an aggregate.
 */
function packedDatum(d: MetricDatum): Packed | undefined {
  const v = d.value;
  if (v !== undefined) {
    if (d.values || d.statistics || v !== v || Object.is(v, -0)) return undefined;
    return v;
  }
  if (d.values) return d.statistics ? undefined : packedValues(d.values, d.counts);
  const s = d.statistics;
  if (!s) return undefined;
  // addStatistics: a set with minimum = maximum says which value was put, sampleCount times.
  if (s.minimum === s.maximum) return packedValues([s.minimum], [s.sampleCount]);
  return held([0 + s.sampleCount, 0 + s.sum, s.minimum < Infinity ? s.minimum : Infinity, s.maximum > -Infinity ? s.maximum : -Infinity, 0]);
}

/** addValue of each value with its count into an empty aggregate, then pack(); undefined unless the values ascend. */
function packedValues(values: readonly number[], counts: readonly number[] | undefined): Packed | undefined {
  if (values.length > MAX_DISTINCT_VALUES) return undefined;
  for (let i = 1; i < values.length; i++) if (!(values[i - 1]! < values[i]!)) return undefined;
  let sampleCount = 0;
  let sum = 0;
  let minimum = Infinity;
  let maximum = -Infinity;
  const out: number[] = [0, 0, 0, 0, 1];
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const count = counts?.[i] ?? 1;
    if (count <= 0) continue;
    sampleCount += count;
    sum += value * count;
    if (value < minimum) minimum = value;
    if (value > maximum) maximum = value;
    // A Map key has no sign: -0 is kept as 0.
    out.push(value === 0 ? 0 : value, count);
  }
  // One sample, nothing else to remember: its bare value (see pack).
  if (sampleCount === 1 && out.length === 7 && out[5] === sum && Object.is(minimum, sum) && Object.is(maximum, sum)) return sum;
  out[0] = sampleCount;
  out[1] = sum;
  out[2] = minimum;
  out[3] = maximum;
  return held(out);
}

function unpack(b: Packed): Aggregate {
  if (typeof b === "number") return { sampleCount: 1, sum: b, minimum: b, maximum: b, values: new Map([[b, 1]]) };
  const p = typeof b === "string" ? decodeBucket(b) : b;
  const a: Aggregate = { sampleCount: p[0]!, sum: p[1]!, minimum: p[2]!, maximum: p[3]!, values: undefined };
  if (p[4]! & 1) {
    const values = new Map<number, number>();
    for (let i = 5; i < p.length; i += 2) values.set(p[i]!, p[i + 1]!);
    a.values = values;
  }
  if (p[4]! & 2) a.rounded = true;
  return a;
}

/** mergeInto of a bucket, read where it is: a packed one is not unpacked. */
function mergeBucket(into: Aggregate, b: Bucket): void {
  // One sample: merging it is adding it.
  if (typeof b === "number") addValue(into, b);
  else if (typeof b === "string") mergeBucket(into, decodeBucket(b));
  else if (Array.isArray(b)) mergeFlat(into, b[0]!, b[1]!, b[2]!, b[3]!, (b[4]! & 2) !== 0, b[4]! & 1 ? b : undefined, 5);
  else mergeInto(into, b);
}

/** Folds a bucket's count, sum, minimum and maximum into `into`, in mergeInto's order (so the same sums). */
function mergeScalars(into: Aggregate, b: Bucket): void {
  if (typeof b === "number") {
    // One sample, packed as its value (see Packed).
    into.sampleCount += 1;
    into.sum += b;
    if (b < into.minimum) into.minimum = b;
    if (b > into.maximum) into.maximum = b;
    return;
  }
  const scalars = typeof b === "string" ? decodeScalars(b) : b;
  const packed = Array.isArray(scalars);
  into.sampleCount += packed ? scalars[0]! : scalars.sampleCount;
  into.sum += packed ? scalars[1]! : scalars.sum;
  const minimum = packed ? scalars[2]! : scalars.minimum;
  const maximum = packed ? scalars[3]! : scalars.maximum;
  if (minimum < into.minimum) into.minimum = minimum;
  if (maximum > into.maximum) into.maximum = maximum;
}

/** Visits the buckets in [from, to): by stepping when the range is shorter than the map, else by scanning it. */
function eachBucket(map: Map<number, Bucket>, size: number, from: number, to: number, fn: (t: number, b: Bucket) => void): void {
  const steps = Math.ceil((to - from) / size);
  if (steps < map.size) {
    for (let t = Math.ceil(from / size) * size; t < to; t += size) {
      const a = map.get(t);
      if (a !== undefined) fn(t, a);
    }
    return;
  }
  for (const [t, a] of map) if (t >= from && t < to) fn(t, a);
}

function sortedDimensions(d: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(d).sort()) out[k] = d[k]!;
  return out;
}

/** Identity of a metric: namespace, name and its dimensions in name order. */
export function metricKey(id: MetricId): string {
  return `${id.namespace}\u0000${id.name}\u0000${dimensionsKey(id.dimensions)}`;
}

/** A metric's dimensions in name order, as one string. */
function dimensionsKey(d: Readonly<Record<string, string>>): string {
  return Object.keys(d)
    .sort()
    .map((k) => `${k}=${d[k]}`)
    .join("\u0001");
}
