/**
 * A log-linear latency histogram, HdrHistogram's bucketing in miniature: values are kept in
 * microseconds, exactly below 64 µs, and above that in 32 linear sub-buckets per power of two, so
 * any percentile is within 1/32 (about 3%) of the true value whatever the range, in constant memory
 * per octave. Written here rather than taken from hdr-histogram-js, which brings an AssemblyScript
 * loader, pako and base64-js for what is seventy lines; we also need the buckets themselves, as the
 * value/count pairs CloudWatch's PutMetricData takes.
 */

const SUB_BITS = 5;
const SUB = 1 << SUB_BITS;
/** Values below this many microseconds have a bucket each. */
const EXACT = SUB * 2;

export interface Percentiles {
  count: number;
  /** Milliseconds; NaN when nothing was recorded. */
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export class LatencyHistogram {
  /**
   * Count per bucket key (bucketOf), indexed by the key itself: recording is one array write, and
   * the buckets come out in increasing value by walking the keys in use, with no sort. Keys stay
   * below 1,000 up to an hour in microseconds, so the array stays small; it grows by doubling.
   */
  private counts: number[] = [];
  /** The lowest and highest key counted (lowKey > highKey when empty). */
  private lowKey = Infinity;
  private highKey = -1;
  private n = 0;
  private sumUs = 0;
  private minUs = Infinity;
  private maxUs = -Infinity;

  get count(): number {
    return this.n;
  }

  /** Records one latency in milliseconds (negative ones are taken as 0). */
  record(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`latency histogram: expected a finite latency in ms, found ${ms}`);
    const us = Math.max(0, Math.round(ms * 1000));
    this.addCount(bucketOf(us), 1);
    this.n++;
    this.sumUs += us;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** Adds every value of `other` to this histogram. */
  add(other: LatencyHistogram): void {
    for (let k = other.lowKey; k <= other.highKey; k++) if (other.counts[k]! > 0) this.addCount(k, other.counts[k]!);
    this.n += other.n;
    this.sumUs += other.sumUs;
    this.minUs = Math.min(this.minUs, other.minUs);
    this.maxUs = Math.max(this.maxUs, other.maxUs);
  }

  /** The value (ms) at or below which `q` (0..1) of the recorded values lie, within a bucket's width. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let k = this.lowKey; k <= this.highKey; k++) {
      seen += this.counts[k]!;
      // Clamped to what was really seen, so p100 is the max and a single value reads back exactly.
      if (seen >= rank) return this.representative(k);
    }
    return this.maxUs / 1000;
  }

  summary(): Percentiles {
    const none = this.n === 0;
    return {
      count: this.n,
      min: none ? NaN : this.minUs / 1000,
      max: none ? NaN : this.maxUs / 1000,
      mean: none ? NaN : this.sumUs / this.n / 1000,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
    };
  }

  /** Each non-empty bucket as [representative value in ms, count], in increasing value. */
  buckets(): [number, number][] {
    const out: [number, number][] = [];
    for (let k = this.lowKey; k <= this.highKey; k++) {
      const c = this.counts[k]!;
      if (c > 0) out.push([this.representative(k), c]);
    }
    return out;
  }

  /** A bucket's middle in ms, clamped to what was really seen. */
  private representative(key: number): number {
    return Math.min(this.maxUs, Math.max(this.minUs, midpointOf(key))) / 1000;
  }

  private addCount(key: number, c: number): void {
    if (key >= this.counts.length) this.grow(key);
    this.counts[key]! += c;
    if (key < this.lowKey) this.lowKey = key;
    if (key > this.highKey) this.highKey = key;
  }

  private grow(key: number): void {
    let size = Math.max(MIN_KEYS, this.counts.length);
    while (size <= key) size *= 2;
    // A plain array of small integers: allocated on the JS heap, far cheaper than a typed array's
    // buffer for the short-lived per-second histograms of the load metrics.
    const counts = new Array<number>(size).fill(0);
    for (let k = this.lowKey; k <= this.highKey; k++) counts[k] = this.counts[k]!;
    this.counts = counts;
  }
}

/** Room for keys up to about 1 s in µs at first (most latencies); more when a value needs it. */
const MIN_KEYS = 512;

/** Below this many µs (about 36 minutes) a key is found with integer arithmetic. */
const INT_RANGE = 2 ** 31;

/** The bucket key of a value in µs: the value itself when small, else (octave, sub-bucket) packed. */
function bucketOf(us: number): number {
  if (us < EXACT) return us;
  if (us < INT_RANGE) {
    // floor(log2(us)) from the leading zeros, and a shift for the division: exact, and no Math.log2.
    const octave = 31 - Math.clz32(us) - SUB_BITS; // >= 1
    return EXACT + (octave - 1) * SUB + ((us >>> octave) - SUB);
  }
  let octave = Math.floor(Math.log2(us)) - SUB_BITS;
  // log2 may round up just below a power of two; keep sub in [SUB, 2*SUB).
  if (Math.floor(us / 2 ** octave) < SUB) octave--;
  const sub = Math.floor(us / 2 ** octave);
  return EXACT + (octave - 1) * SUB + (sub - SUB);
}

/** 2 ** n for every octave a double can reach, looked up: Math.pow costs more than the rest of midpointOf together. */
const POW2 = Float64Array.from({ length: 1100 }, (_, n) => 2 ** n);

/** The middle of a bucket, in µs. */
function midpointOf(key: number): number {
  if (key < EXACT) return key;
  const octave = ((key - EXACT) >> SUB_BITS) + 1;
  const sub = ((key - EXACT) & (SUB - 1)) + SUB;
  const width = POW2[octave]!;
  return sub * width + width / 2;
}
