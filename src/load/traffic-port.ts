/**
 * Traffic on a real target: the run's TrafficPort over the HTTP load generator. drive(service, rps)
 * makes sure an open-model load of at least `rps` requests per second goes to the service's URL (a
 * served sandbox's ALB port, or a URL the user gave for AWS), on the target's clock, and what it
 * measures is published as Gameday/LoadGenerator metrics with dimensions { Service } at 1-second
 * periods, so probes read it through CloudWatch like any other metric. close() stops it.
 */
import type { Clock } from "../time/clock.js";
import type { Random } from "../random/random.js";
import { runHttpLoad, type LoadResult } from "./http-load.js";
import { LoadMetrics, type MetricSink, type Outcome } from "./metrics.js";

export interface HttpTrafficOptions {
  /** Service name to the URL its load goes to. */
  urls: Readonly<Record<string, string>>;
  clock: Clock;
  /** Where the Gameday/LoadGenerator metrics go (CloudWatch PutMetricData on the target). */
  sink: MetricSink;
  random?: Random;
  /** Per-request timeout on the clock, ms (default: the generator's, 10 s). */
  timeoutMs?: number;
}

/** Long enough to outlast any run: the load ends with close(), not with its schedule. */
const UNTIL_CLOSED_MS = 7 * 24 * 3_600_000;

/** Periods of one second: the high-resolution metrics http-slo reads. */
const PERIOD_MS = 1_000;

/** What completed when; kept so stats() can answer until probes read only CloudWatch. */
interface Completion {
  at: number;
  status?: number;
  latencyMs?: number;
}

/** LoadMetrics that also remembers each completion for stats(). */
class ObservedLoadMetrics extends LoadMetrics {
  readonly completions: Completion[] = [];
  override record(t: number, outcome: Outcome): void {
    super.record(t, outcome);
    this.completions.push("status" in outcome ? { at: t, status: outcome.status, latencyMs: outcome.latencyMs } : { at: t });
  }
}

export class HttpTraffic {
  private readonly offered = new Map<string, number>();
  private readonly metrics = new Map<string, ObservedLoadMetrics>();
  private readonly runs = new Set<Promise<LoadResult>>();
  private readonly stop = new AbortController();

  constructor(private readonly options: HttpTrafficOptions) {}

  services(): string[] {
    return Object.keys(this.options.urls);
  }

  /** Adds a generator for the shortfall when `rps` is more than is offered already; never lowers it. */
  drive(service: string, rps: number): void {
    const url = this.options.urls[service];
    if (url === undefined) throw new Error(`no URL for service "${service}"; known: ${this.services().join(", ") || "none"}`);
    if (this.stop.signal.aborted) return;
    const offered = this.offered.get(service) ?? 0;
    if (!(rps > offered)) return;
    this.offered.set(service, rps);
    let metrics = this.metrics.get(service);
    if (!metrics) {
      metrics = new ObservedLoadMetrics(this.options.sink, { dimensions: { Service: service }, periodMs: PERIOD_MS });
      this.metrics.set(service, metrics);
    }
    const run = runHttpLoad({
      url,
      stages: [{ rate: rps - offered, duration: UNTIL_CLOSED_MS }],
      clock: this.options.clock,
      metrics,
      signal: this.stop.signal,
      ...(this.options.random ? { random: this.options.random } : {}),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    this.runs.add(run);
  }

  /** Requests that completed in [from, to): the engine's TrafficStats shape. */
  stats(service: string, from: number, to: number) {
    const done = (this.metrics.get(service)?.completions ?? []).filter((c) => c.at >= from && c.at < to);
    const byStatus: Record<string, number> = {};
    const latencies: number[] = [];
    let succeeded = 0;
    for (const c of done) {
      const key = c.status === undefined ? "error" : String(c.status);
      byStatus[key] = (byStatus[key] ?? 0) + 1;
      if (c.status !== undefined && c.status >= 200 && c.status < 400) succeeded++;
      if (c.latencyMs !== undefined) latencies.push(c.latencyMs);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]! : 0);
    const requests = done.length;
    return { from, to, requests, succeeded, failed: requests - succeeded, byStatus, availability: requests ? succeeded / requests : 1, p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: latencies.at(-1) ?? 0 };
  }

  /** Stops sending and resolves when every request sent has ended and its period was published. */
  async close(): Promise<LoadResult[]> {
    this.stop.abort();
    return Promise.all([...this.runs]);
  }
}
