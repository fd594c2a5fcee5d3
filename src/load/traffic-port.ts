/**
 * Traffic on a real target: the run's TrafficPort over the HTTP load generator. drive(service, rps)
 * makes sure an open-model load of at least `rps` requests per second goes to the service's URL (a
 * served sandbox's ALB port, or a URL the user gave for AWS), on the target's clock, and what it
 * measures is published as Gameday/LoadGenerator metrics with dimensions { Service } at 1-second
 * periods, so probes read it through CloudWatch like any other metric (published() says when a
 * period's puts have been answered). ramp(service, from, to,
 * over) adds one generator whose rate rises linearly along the ramp (arrivals at the instants the
 * rate's integral says, as Poisson arrivals when a Random is given), rather than a staircase of
 * drive() calls. close() stops it. warnings() says, per service, when the generator itself could
 * not keep its schedule (shortfall.ts), so the run can say its measurements were the generator's.
 */
import type { Clock } from "../time/clock.js";
import type { Random } from "../random/random.js";
import { DEFAULT_MAX_SOCKETS, DEFAULT_TIMEOUT_MS, runHttpLoad, type LoadResult } from "./http-load.js";
import type { RateStage } from "./schedule.js";
import { LOAD_NAMESPACE, LoadMetrics, type MetricDatum, type MetricSink } from "./metrics.js";
import { GeneratorShortfall, shortfallWarning } from "./shortfall.js";

export interface HttpTrafficOptions {
  /** Service name to the URL its load goes to. */
  urls: Readonly<Record<string, string>>;
  clock: Clock;
  /**
   * Where the Gameday/LoadGenerator metrics go (CloudWatch PutMetricData on the target); its
   * flush(), when it has one, resolves when every put so far has been answered (published() waits on it).
   */
  sink: MetricSink & { flush?(): Promise<void>; onStored?(listener: (datums: readonly MetricDatum[]) => void): void };
  random?: Random;
  /** Per-request timeout on the clock, ms (default: the generator's, 10 s). */
  timeoutMs?: number;
  /** Connections per generator (default: the generator's, 256). */
  maxSockets?: number;
}

/** Long enough to outlast any run: the load ends with close(), not with its schedule. */
const UNTIL_CLOSED_MS = 7 * 24 * 3_600_000;

/** Periods of one second: the high-resolution metrics http-slo reads. */
const PERIOD_MS = 1_000;

export class HttpTraffic {
  private readonly offered = new Map<string, number>();
  private readonly metrics = new Map<string, LoadMetrics>();
  private readonly shortfalls = new Map<string, GeneratorShortfall>();
  private readonly runs = new Set<Promise<LoadResult>>();
  private readonly stop = new AbortController();
  /** Per service, the RequestCount CloudWatch accepted per period start; undefined when the sink does not say. */
  private readonly stored: Map<string, Map<number, number>> | undefined;

  constructor(private readonly options: HttpTrafficOptions) {
    if (options.sink.onStored) {
      const stored = new Map<string, Map<number, number>>();
      this.stored = stored;
      options.sink.onStored((datums) => {
        for (const d of datums) {
          const service = d.dimensions.Service;
          if (d.namespace !== LOAD_NAMESPACE || d.name !== "RequestCount" || service === undefined || d.value === undefined) continue;
          let periods = stored.get(service);
          if (!periods) stored.set(service, (periods = new Map()));
          periods.set(d.timestamp, (periods.get(d.timestamp) ?? 0) + d.value);
        }
      });
    }
  }

  services(): string[] {
    return Object.keys(this.options.urls);
  }

  /** Adds a generator for the shortfall when `rps` is more than is offered already; never lowers it. */
  drive(service: string, rps: number): void {
    const url = this.url(service);
    if (this.stop.signal.aborted) return;
    const offered = this.offered.get(service) ?? 0;
    if (!(rps > offered)) return;
    this.offered.set(service, rps);
    this.run(service, url, [{ rate: rps - offered, duration: UNTIL_CLOSED_MS }], "uniform");
  }

  /** Adds a generator whose rate goes linearly from `from` to `to` requests/s over `overMs`, then ends. */
  ramp(service: string, from: number, to: number, overMs: number): void {
    const url = this.url(service);
    if (this.stop.signal.aborted) return;
    this.run(service, url, [{ from, to, duration: overMs }], this.options.random ? "poisson" : "uniform");
  }

  private url(service: string): string {
    const url = this.options.urls[service];
    if (url === undefined) throw new Error(`no URL for service "${service}"; known: ${this.services().join(", ") || "none"}`);
    return url;
  }

  private run(service: string, url: string, stages: RateStage[], arrivals: "uniform" | "poisson"): void {
    // A service's generators share one LoadMetrics, so each second is published as one datum.
    let metrics = this.metrics.get(service);
    if (!metrics) {
      metrics = new LoadMetrics(this.options.sink, { dimensions: { Service: service }, periodMs: PERIOD_MS });
      this.metrics.set(service, metrics);
    }
    let shortfall = this.shortfalls.get(service);
    if (!shortfall) this.shortfalls.set(service, (shortfall = new GeneratorShortfall()));
    const run = runHttpLoad({
      url,
      stages,
      clock: this.options.clock,
      metrics,
      shortfall,
      signal: this.stop.signal,
      arrivals,
      ...(this.options.random ? { random: this.options.random } : {}),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      ...(this.options.maxSockets !== undefined ? { maxSockets: this.options.maxSockets } : {}),
    });
    this.runs.add(run);
  }

  /**
   * Resolves when the periods of `service` that ended by `until` are published and their puts
   * answered. A period is put the moment it ends (http-load's flush timer); this puts it now if
   * that timer has not fired yet, then waits for the sink. Requests still out at `until` count in
   * the period their answer comes in, as always: not waited for.
   */
  async published(service: string, until: number): Promise<void> {
    const metrics = this.metrics.get(service);
    if (!metrics) return;
    metrics.flush(Math.min(until, this.options.clock.now()));
    await this.options.sink.flush?.();
  }

  /**
   * Requests whose PutMetricData CloudWatch accepted so far for `service`'s periods that start in
   * [start, end) (a failed put is not waited for: it will never show); undefined when the sink does
   * not say which puts succeeded.
   */
  requestsPut(service: string, start: number, end: number): number | undefined {
    if (!this.stored) return undefined;
    let n = 0;
    for (const [at, requests] of this.stored.get(service) ?? []) if (at >= start && at < end) n += requests;
    return n;
  }

  /** So far, for each service whose generator could not keep its schedule: what happened and what to do. */
  warnings(): string[] {
    const limits = { maxSockets: this.options.maxSockets ?? DEFAULT_MAX_SOCKETS, timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, clock: this.options.clock.kind };
    return [...this.shortfalls].flatMap(([service, s]) => shortfallWarning(service, s, limits) ?? []);
  }

  /** Stops sending and resolves when every request sent has ended and its period was published. */
  async close(): Promise<LoadResult[]> {
    this.stop.abort();
    return Promise.all([...this.runs]);
  }
}
