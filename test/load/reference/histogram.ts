// The latency histogram before record() and valuesAndCounts() were written out (commit 5d82dd0), kept as
// the oracle of test/load/histogram-differential.test.ts and bench/web-requests.ts. Not used by gameday itself.
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

export class ReferenceLatencyHistogram {
  /**
   * Counts by bucket key (bucketOf), in blocks of SUB keys (one octave's sub-buckets) made on first
   * use: recording is an array write, the buckets come out in increasing value by walking the keys
   * in use with no sort, and a histogram holds only the octaves its values reach (the load
   * metrics make one a second, so their size is what the garbage collector sees).
   */
  private readonly blocks: (number[] | undefined)[] = [];
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
  add(other: ReferenceLatencyHistogram): void {
    other.eachBucket((key, c) => this.addCount(key, c));
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
    let found = -1;
    this.eachBucket((key, c) => {
      seen += c;
      if (seen < rank) return true;
      found = key;
      return false;
    });
    // Clamped to what was really seen, so p100 is the max and a single value reads back exactly.
    return found < 0 ? this.maxUs / 1000 : this.representative(found);
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
    // eachBucket's walk, written out: this runs for every period the load metrics publish.
    const out: [number, number][] = [];
    if (this.highKey < 0) return out;
    for (let b = this.lowKey >> SUB_BITS; b <= this.highKey >> SUB_BITS; b++) {
      const block = this.blocks[b];
      if (block === undefined) continue;
      for (let i = 0; i < SUB; i++) if (block[i]! > 0) out.push([this.representative((b << SUB_BITS) | i), block[i]!]);
    }
    return out;
  }

  /**
   * buckets() as two parallel arrays, each representative divided by `unit` (1000: seconds), as
   * PutMetricData's Values and Counts take them: no pair per bucket for the load metrics to unpack
   * every period. values[i] is exactly buckets()[i][0] / unit.
   */
  valuesAndCounts(unit = 1): { values: number[]; counts: number[] } {
    const values: number[] = [];
    const counts: number[] = [];
    if (this.highKey < 0) return { values, counts };
    for (let b = this.lowKey >> SUB_BITS; b <= this.highKey >> SUB_BITS; b++) {
      const block = this.blocks[b];
      if (block === undefined) continue;
      for (let i = 0; i < SUB; i++) {
        const c = block[i]!;
        if (c > 0) {
          values.push(this.representative((b << SUB_BITS) | i) / unit);
          counts.push(c);
        }
      }
    }
    return { values, counts };
  }

  /** Calls `fn` with each non-empty bucket's key and count, in increasing key, until it returns false. */
  private eachBucket(fn: (key: number, count: number) => boolean | void): void {
    if (this.highKey < 0) return;
    for (let b = this.lowKey >> SUB_BITS; b <= this.highKey >> SUB_BITS; b++) {
      const block = this.blocks[b];
      if (block === undefined) continue;
      for (let i = 0; i < SUB; i++) {
        const c = block[i]!;
        if (c > 0 && fn((b << SUB_BITS) | i, c) === false) return;
      }
    }
  }

  /** A bucket's middle in ms, clamped to what was really seen. */
  private representative(key: number): number {
    return Math.min(this.maxUs, Math.max(this.minUs, midpointOf(key))) / 1000;
  }

  private addCount(key: number, c: number): void {
    const b = key >> SUB_BITS;
    let block = this.blocks[b];
    if (block === undefined) {
      block = new Array<number>(SUB).fill(0);
      this.blocks[b] = block;
    }
    block[key & (SUB - 1)]! += c;
    if (key < this.lowKey) this.lowKey = key;
    if (key > this.highKey) this.highKey = key;
  }
}

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
