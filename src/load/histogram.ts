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
  private readonly counts = new Map<number, number>();
  private n = 0;
  private sumUs = 0;
  private minUs = Infinity;
  private maxUs = -Infinity;

  get count(): number {
    return this.n;
  }

  /** Records one latency in milliseconds (negative ones are taken as 0). */
  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    const key = bucketOf(us);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.n++;
    this.sumUs += us;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** Adds every value of `other` to this histogram. */
  add(other: LatencyHistogram): void {
    for (const [k, c] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + c);
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
    for (const [key, c] of this.sorted()) {
      seen += c;
      // Clamped to what was really seen, so p100 is the max and a single value reads back exactly.
      if (seen >= rank) return Math.min(this.maxUs, Math.max(this.minUs, midpointOf(key))) / 1000;
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
    return this.sorted().map(([key, c]) => [Math.min(this.maxUs, Math.max(this.minUs, midpointOf(key))) / 1000, c]);
  }

  private sorted(): [number, number][] {
    return [...this.counts].sort((a, b) => a[0] - b[0]);
  }
}

/** The bucket key of a value in µs: the value itself when small, else (octave, sub-bucket) packed. */
function bucketOf(us: number): number {
  if (us < EXACT) return us;
  let octave = Math.floor(Math.log2(us)) - SUB_BITS; // >= 1
  // log2 may round up just below a power of two; keep sub in [SUB, 2*SUB).
  if (Math.floor(us / 2 ** octave) < SUB) octave--;
  const sub = Math.floor(us / 2 ** octave);
  return EXACT + (octave - 1) * SUB + (sub - SUB);
}

/** The middle of a bucket, in µs. */
function midpointOf(key: number): number {
  if (key < EXACT) return key;
  const octave = Math.floor((key - EXACT) / SUB) + 1;
  const sub = ((key - EXACT) % SUB) + SUB;
  const width = 2 ** octave;
  return sub * width + width / 2;
}
