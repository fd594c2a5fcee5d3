/**
 * The previous MetricStore (a Map of buckets per second and per minute), kept unchanged as the
 * oracle of the differential test (store-differential.test.ts) and the baseline of
 * bench/cloudwatch.ts: the store that replaced it must answer every query exactly as this one did.
 */
/**
 * The sandbox's CloudWatch metric storage: a MetricSink that the sandbox's services publish into
 * and PutMetricData writes to, and the statistics GetMetricData, GetMetricStatistics and alarms read.
 *
 * Per metric (namespace, name, dimensions) and unit, a time series of buckets. High-resolution
 * data keeps 1-second buckets for 3 hours and standard data 60-second buckets, as CloudWatch's
 * retention does; older 1-second buckets fold into minutes and minutes older than 15 days go, so a
 * 17-hour simulated run holds at most 10,800 + 1,020 buckets per metric.
 *
 * A bucket that is no longer being written (its period ended a few minutes ago) is packed into one
 * array of numbers: its values as a Map cost about four times as much, and over 17 hours the
 * buckets of per-request latencies were most of the run's memory. A late put unpacks it again.
 */
import { addStatistics, addValue, emptyAggregate, mergeInto, type Aggregate, type MergeSource } from "../../../../src/sandbox/services/cloudwatch/aggregate.js";
import type { MetricDatum, MetricSink } from "../../../../src/sandbox/services/cloudwatch/sink.js";
import { computeStatistic, readsValues, sortedValues, type Statistic } from "./statistic.js";

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
 * second), is packed as that value alone: an array for it cost about 100 bytes more.
 */
type Packed = number[] | number;
type Bucket = Aggregate | Packed;

function isPacked(b: Bucket): b is Packed {
  return typeof b === "number" || Array.isArray(b);
}

/** Buckets whose period ended this long ago are packed: puts are rarely later than that. */
const PACK_AFTER_MS = 5 * MINUTE;

interface Buckets {
  /** 1-second buckets (high-resolution data), by bucket start. */
  fine: Map<number, Bucket>;
  /** 60-second buckets, by bucket start. */
  coarse: Map<number, Bucket>;
  /** Starts of buckets created or unpacked since the last packing, per map. */
  freshFine: number[];
  freshCoarse: number[];
}

interface Series {
  id: MetricId;
  byUnit: Map<string, Buckets>;
  lastPut: number;
}

export class MapMetricStore implements MetricSink {
  private readonly series = new Map<string, Series>();
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
    const key = metricKey(datum);
    let s = this.series.get(key);
    if (!s) {
      s = { id: { namespace: datum.namespace, name: datum.name, dimensions: sortedDimensions(datum.dimensions) }, byUnit: new Map(), lastPut: 0 };
      this.series.set(key, s);
    }
    s.lastPut = Math.max(s.lastPut, this.now());
    const unit = datum.unit ?? "None";
    let buckets = s.byUnit.get(unit);
    if (!buckets) s.byUnit.set(unit, (buckets = { fine: new Map(), coarse: new Map(), freshFine: [], freshCoarse: [] }));
    const highRes = datum.storageResolution === 1;
    const size = highRes ? SECOND : MINUTE;
    const start = Math.floor(datum.timestamp / size) * size;
    const v = datum.value;
    if (v !== undefined && !datum.values && !datum.statistics && this.packs && v === v && !Object.is(v, -0)) {
      // The first value of a bucket is stored packed at once, as its one sample: most buckets get
      // no second put, and an aggregate with a Map for them was most of what the store allocated.
      const map = highRes ? buckets.fine : buckets.coarse;
      if (!map.has(start)) {
        map.set(start, v);
        this.compactIfDue();
        return;
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
    const key = metricKey(q);
    const s = this.series.get(key);
    if (!s) return [];
    // Only percentiles and trimmed counts read the values: for the other statistics folding each
    // bucket's value map into the period's was most of GetMetricData's time (a 30-second period of
    // latencies merges 30).
    const withValues = readsValues(q.statistic);
    const readKey = `${key}\u0000${q.unit ?? ""}\u0000${q.period}\u0000${q.start}\u0000${q.end}\u0000${withValues}`;
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
      if (withValues) mergeInto(into, source(b));
      else mergeScalars(into, b);
    };
    for (const [unit, buckets] of s.byUnit) {
      if (q.unit !== undefined && q.unit !== unit) continue;
      eachBucket(buckets.fine, SECOND, first, q.end, take);
      // Minute buckets cannot be split: only periods of whole minutes read them.
      if (periodMs >= MINUTE) eachBucket(buckets.coarse, MINUTE, first, q.end, take);
    }
    return perPeriod;
  }

  /** The units data was put with for a metric. */
  units(id: MetricId): string[] {
    return [...(this.series.get(metricKey(id))?.byUnit.keys() ?? [])];
  }

  /** Metrics matching the filter, in a stable order (namespace, name, dimensions). */
  list(filter: ListFilter = {}): MetricId[] {
    this.publishDue();
    const since = filter.recentlyActiveMs === undefined ? -Infinity : this.now() - filter.recentlyActiveMs;
    const out: [string, MetricId][] = [];
    for (const [key, s] of this.series) {
      if (filter.namespace !== undefined && s.id.namespace !== filter.namespace) continue;
      if (filter.name !== undefined && s.id.name !== filter.name) continue;
      if (s.lastPut < since) continue;
      const dims = s.id.dimensions;
      if (filter.dimensions?.some((d) => !(d.name in dims) || (d.value !== undefined && dims[d.name] !== d.value))) continue;
      out.push([key, s.id]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, id]) => id);
  }

  /** How many buckets are held in all: what bounds memory. */
  get bucketCount(): number {
    let n = 0;
    for (const s of this.series.values()) for (const b of s.byUnit.values()) n += b.fine.size + b.coarse.size;
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
    for (const s of this.series.values()) {
      for (const b of s.byUnit.values()) {
        // Maps iterate in insertion order, which is time order for data put as it happens: stop
        // at the first young bucket. (A late put of old data waits until those before it age out.)
        for (const [t, a] of b.fine) {
          if (t >= fineBefore) break;
          const minute = Math.floor(t / MINUTE) * MINUTE;
          mergeInto(writable(b.coarse, b.freshCoarse, minute), source(a));
          b.fine.delete(t);
        }
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
function writable(map: Map<number, Bucket>, fresh: number[], start: number): Aggregate {
  const b = map.get(start);
  if (b !== undefined && !isPacked(b)) return b;
  const a = b === undefined ? emptyAggregate() : unpack(b);
  // Replacing a key's value keeps its place in the Map's (time) order.
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
function packEnded(map: Map<number, Bucket>, fresh: number[], size: number, before: number): number[] {
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
  if (!a.values) return out;
  for (const [v, n] of a.values) out.push(v, n);
  // Pushing leaves spare capacity; a copy has none.
  return out.slice();
}

function unpack(p: Packed): Aggregate {
  if (typeof p === "number") return { sampleCount: 1, sum: p, minimum: p, maximum: p, values: new Map([[p, 1]]) };
  const a: Aggregate = { sampleCount: p[0]!, sum: p[1]!, minimum: p[2]!, maximum: p[3]!, values: undefined };
  if (p[4]! & 1) {
    const values = new Map<number, number>();
    for (let i = 5; i < p.length; i += 2) values.set(p[i]!, p[i + 1]!);
    a.values = values;
  }
  if (p[4]! & 2) a.rounded = true;
  return a;
}

/** A bucket as mergeInto reads it, without unpacking a packed one. */
function source(b: Bucket): MergeSource {
  if (typeof b === "number") return { sampleCount: 1, sum: b, minimum: b, maximum: b, values: [[b, 1]] };
  if (!Array.isArray(b)) return b;
  const view: MergeSource = { sampleCount: b[0]!, sum: b[1]!, minimum: b[2]!, maximum: b[3]!, values: b[4]! & 1 ? pairs(b) : undefined };
  if (b[4]! & 2) view.rounded = true;
  return view;
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
  const packed = Array.isArray(b);
  into.sampleCount += packed ? b[0]! : b.sampleCount;
  into.sum += packed ? b[1]! : b.sum;
  const minimum = packed ? b[2]! : b.minimum;
  const maximum = packed ? b[3]! : b.maximum;
  if (minimum < into.minimum) into.minimum = minimum;
  if (maximum > into.maximum) into.maximum = maximum;
}

function* pairs(p: number[]): Generator<readonly [number, number]> {
  for (let i = 5; i < p.length; i += 2) yield [p[i]!, p[i + 1]!];
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
  const dims = Object.keys(id.dimensions)
    .sort()
    .map((k) => `${k}=${id.dimensions[k]}`)
    .join("\u0001");
  return `${id.namespace}\u0000${id.name}\u0000${dims}`;
}
