/**
 * Every request's completion time, latency and status, kept compactly: samples go into one-minute
 * buckets of typed arrays (8 bytes a request), so a window query reads only the buckets it covers
 * and samples may arrive out of completion order (tasks retire their requests lazily). A bucket is
 * cut to its exact size once its minute is over: a 17-hour run at 100 requests a second held
 * twice the memory in one-second buckets with room to grow. Probes read CloudWatch, not this log;
 * it answers the sandbox's own tests and benches over recent windows, so it keeps the last 3 hours
 * only (as CloudWatch keeps 1-second data): a 17-hour run stays bounded.
 */

/** Seconds of requests kept; older ones are forgotten. */
export const REQUEST_LOG_RETENTION_S = 3 * 3600;

/** A bucket's span: offsets within it (ms) fit a Uint16Array. */
const BUCKET_MS = 60_000;
const KEPT_BUCKETS = (REQUEST_LOG_RETENTION_S * 1000) / BUCKET_MS;

/** Structurally the engine's TrafficStats (the sandbox does not import the engine). */
export interface WindowStats {
  from: number;
  to: number;
  requests: number;
  succeeded: number;
  failed: number;
  byStatus: Record<string, number>;
  availability: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

class Bucket {
  n = 0;
  offset: Uint16Array;
  latency: Float32Array;
  status: Uint16Array;
  constructor(capacity: number) {
    this.offset = new Uint16Array(capacity);
    this.latency = new Float32Array(capacity);
    this.status = new Uint16Array(capacity);
  }
  /** Drops the room left to grow: the bucket's period is over. */
  trim(): void {
    if (this.n < this.offset.length) this.resize(this.n);
  }
  grow(): void {
    this.resize(this.offset.length * 2);
  }
  private resize(cap: number): void {
    const offset = new Uint16Array(cap);
    offset.set(this.offset.subarray(0, this.n));
    const latency = new Float32Array(cap);
    latency.set(this.latency.subarray(0, this.n));
    const status = new Uint16Array(cap);
    status.set(this.status.subarray(0, this.n));
    this.offset = offset;
    this.latency = latency;
    this.status = status;
  }
}

export class RequestLog {
  private readonly buckets: (Bucket | undefined)[] = [];
  private total = 0;
  /** Buckets before this one have been dropped. */
  private keptFrom = 0;
  /** Buckets before this one have been trimmed to size. */
  private trimmedTo = 0;

  /** `origin`: the earliest completion time this log will see (the sandbox's start). */
  constructor(private readonly origin: number) {}

  get size(): number {
    return this.total;
  }

  record(completedAt: number, latencyMs: number, status: number): void {
    const rel = Math.max(0, completedAt - this.origin);
    const index = Math.floor(rel / BUCKET_MS);
    this.total++;
    if (index < this.keptFrom) return;
    for (; this.keptFrom <= index - KEPT_BUCKETS; this.keptFrom++) this.buckets[this.keptFrom] = undefined;
    // Traffic retires every app's requests at least once a minute, so a bucket two minutes old is
    // done (one that still gets a request grows again).
    for (; this.trimmedTo < index - 1; this.trimmedTo++) this.buckets[this.trimmedTo]?.trim();
    let b = this.buckets[index];
    if (!b) {
      // Room for a little more than the minute before had, so a steady load fills it without regrowing.
      const before = this.buckets[index - 1]?.n ?? 0;
      b = new Bucket(Math.max(1024, before + (before >> 4) + 64));
      this.buckets[index] = b;
    }
    // The push written out (a call saved per request, millions in a long run).
    const i = b.n;
    if (i === b.offset.length) b.grow();
    b.offset[i] = Math.floor(rel - index * BUCKET_MS);
    b.latency[i] = latencyMs;
    b.status[i] = status;
    b.n = i + 1;
  }

  /** Requests that completed in [from, to) (within the last 3 hours kept). Percentiles are nearest-rank over every request, in ms; 0 with no requests. */
  stats(from: number, to: number): WindowStats {
    const lo = Math.max(0, from - this.origin);
    const hi = Math.max(0, to - this.origin);
    const byStatus: Record<string, number> = {};
    let count = 0;
    for (let s = Math.floor(lo / BUCKET_MS); s * BUCKET_MS < hi && s < this.buckets.length; s++) count += this.buckets[s]?.n ?? 0;
    const latencies = new Float64Array(count);
    let n = 0;
    let succeeded = 0;
    for (let s = Math.floor(lo / BUCKET_MS); s * BUCKET_MS < hi && s < this.buckets.length; s++) {
      const b = this.buckets[s];
      if (!b) continue;
      const base = s * BUCKET_MS;
      const whole = base >= lo && base + BUCKET_MS <= hi;
      for (let i = 0; i < b.n; i++) {
        if (!whole) {
          const t = base + b.offset[i]!;
          if (t < lo || t >= hi) continue;
        }
        const status = b.status[i]!;
        latencies[n++] = b.latency[i]!;
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        if (status < 400) succeeded++;
      }
    }
    const sorted = latencies.subarray(0, n).sort();
    const rank = (p: number) => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!);
    return {
      from,
      to,
      requests: n,
      succeeded,
      failed: n - succeeded,
      byStatus,
      availability: n === 0 ? 1 : succeeded / n,
      p50: round(rank(0.5)),
      p95: round(rank(0.95)),
      p99: round(rank(0.99)),
      max: round(n === 0 ? 0 : sorted[n - 1]!),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
