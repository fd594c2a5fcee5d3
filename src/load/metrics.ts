/**
 * What a load generator measured, as CloudWatch metrics: one datum per metric and period, with the
 * latency distribution as PutMetricData's Values/Counts, so that a probe reads a URL's health the
 * same way whether an ALB or this generator published it. A request counts in the period its
 * outcome became known (answered, timed out or failed).
 *
 * Metrics, under the namespace given (default Gameday/LoadGenerator) and the dimensions given
 * (default { Url }): RequestCount, HTTPCode_2XX_Count … HTTPCode_5XX_Count (every status the
 * client saw, whether a load balancer or the target sent it), TimeoutCount, ConnectionErrorCount
 * (refused, reset and other transport failures), all Sum-able counts; TargetResponseTime in
 * seconds for the requests that got an answer. The generator's own failures (shortfall.ts) are
 * apart and not in RequestCount, so no availability computed from these counts holds them against
 * the target: GeneratorErrorCount (requests it never sent, or whose answer it may have missed) and
 * GeneratorLateCount (requests that reached the target late, counted when they did), published
 * only for periods that have some (a sandbox's generator never does).
 */
import { LatencyHistogram } from "./histogram.js";

import type { MetricSink } from "../metrics/datum.js";

export type { MetricDatum, MetricSink } from "../metrics/datum.js";

export const LOAD_NAMESPACE = "Gameday/LoadGenerator";

/** PutMetricData takes at most 150 distinct values per datum. */
const MAX_VALUES = 150;

/** The status classes' metric names, by codes' index (named once, not built at every put). */
const CODE_NAMES = ["HTTPCode_2XX_Count", "HTTPCode_3XX_Count", "HTTPCode_4XX_Count", "HTTPCode_5XX_Count"];

export type ErrorClass = "timeout" | "refused" | "reset" | "other";

/** How one request ended: an HTTP status with its latency, or a transport error. */
export type Outcome = { status: number; latencyMs: number } | { error: ErrorClass };

interface Period {
  requests: number;
  codes: [number, number, number, number];
  timeouts: number;
  connectionErrors: number;
  generatorErrors: number;
  generatorLate: number;
  latency: LatencyHistogram;
}

export interface LoadMetricsOptions {
  namespace?: string;
  dimensions: Readonly<Record<string, string>>;
  /** Aggregation period, ms: 60 000 (standard resolution) or a divisor of it under a minute (high resolution, stored at 1 s). */
  periodMs?: number;
}

export class LoadMetrics {
  private readonly periods = new Map<number, Period>();
  /** The period last counted in, and its start (NaN: none, or it was published). */
  private current: Period | undefined;
  private currentStart = NaN;
  private readonly namespace: string;
  /** Frozen, so that a store can key it once (MetricStore keys frozen dimensions once). */
  private readonly dimensions: Readonly<Record<string, string>>;
  readonly periodMs: number;

  constructor(
    private readonly sink: MetricSink,
    private readonly options: LoadMetricsOptions,
  ) {
    this.namespace = options.namespace ?? LOAD_NAMESPACE;
    this.dimensions = Object.freeze({ ...options.dimensions });
    const period = options.periodMs ?? 60_000;
    if (!(period === 60_000 || (period >= 1000 && period < 60_000 && 60_000 % period === 0 && period % 1000 === 0))) {
      throw new RangeError(`metrics period: expected 60000 ms, or whole seconds dividing a minute (1000, 5000, 10000, 30000...), found ${period}`);
    }
    this.periodMs = period;
  }

  /** Counts one request whose outcome became known at `t`. */
  record(t: number, outcome: Outcome): void {
    if ("status" in outcome) this.recordStatus(t, outcome.status, outcome.latencyMs);
    else this.recordError(t, outcome.error);
  }

  /** Counts one request answered at `t` with an HTTP status: record() without an outcome object (the sandbox's generator calls this per request, millions in a long run). */
  recordStatus(t: number, status: number, latencyMs: number): void {
    // periodAt's usual case, written out (the same period as the request before).
    const start = Math.floor(t / this.periodMs) * this.periodMs;
    const p = start === this.currentStart ? this.current! : this.periodAt(t);
    p.requests++;
    const cls = Math.floor(status / 100);
    if (cls >= 2 && cls <= 5) p.codes[cls - 2]!++;
    p.latency.record(latencyMs);
  }

  /** Counts one request that failed at `t` without an HTTP status. */
  recordError(t: number, error: ErrorClass): void {
    const p = this.periodAt(t);
    p.requests++;
    if (error === "timeout") p.timeouts++;
    else p.connectionErrors++;
  }

  /** Counts one request the generator itself failed at `t` (never sent, or its answer possibly missed): not a request to the target. */
  recordGenerator(t: number, _why: "unsent" | "stalled"): void {
    this.periodAt(t).generatorErrors++;
  }

  /** Counts one request that reached the target at `t`, late on its schedule (its outcome is recorded as usual). */
  recordLate(t: number): void {
    this.periodAt(t).generatorLate++;
  }

  /** The period `t` falls in, made on first use; the last one used is kept at hand (nearly every request falls in it). */
  private periodAt(t: number): Period {
    const start = Math.floor(t / this.periodMs) * this.periodMs;
    if (start === this.currentStart) return this.current!;
    let p = this.periods.get(start);
    if (!p) {
      p = { requests: 0, codes: [0, 0, 0, 0], timeouts: 0, connectionErrors: 0, generatorErrors: 0, generatorLate: 0, latency: new LatencyHistogram() };
      this.periods.set(start, p);
    }
    this.currentStart = start;
    this.current = p;
    return p;
  }

  /** Publishes every period that ended by `t` (all of them when `t` is omitted), oldest first. */
  flush(t = Infinity): void {
    for (const start of [...this.periods.keys()].sort((a, b) => a - b)) {
      if (start + this.periodMs > t) break;
      this.publish(start, this.periods.get(start)!);
      this.periods.delete(start);
      if (start === this.currentStart) {
        this.current = undefined;
        this.currentStart = NaN;
      }
    }
  }

  private publish(timestamp: number, p: Period): void {
    const namespace = this.namespace;
    const dimensions = this.dimensions;
    const storageResolution = this.periodMs < 60_000 ? (1 as const) : (60 as const);
    // Each datum written out in full, in one shape: a spread of shared fields per put cost more
    // than the store's put of it (a datum a second per metric, 17 hours long).
    const count = (name: string, value: number) => this.sink.put({ namespace, dimensions, timestamp, storageResolution, name, value, unit: "Count" });
    count("RequestCount", p.requests);
    for (let i = 0; i < CODE_NAMES.length; i++) count(CODE_NAMES[i]!, p.codes[i]!);
    count("TimeoutCount", p.timeouts);
    count("ConnectionErrorCount", p.connectionErrors);
    if (p.generatorErrors > 0) count("GeneratorErrorCount", p.generatorErrors);
    if (p.generatorLate > 0) count("GeneratorLateCount", p.generatorLate);
    const { values, counts } = p.latency.valuesAndCounts(1000);
    for (let i = 0; i < values.length; i += MAX_VALUES) {
      const whole = i === 0 && values.length <= MAX_VALUES;
      this.sink.put({ namespace, dimensions, timestamp, storageResolution, name: "TargetResponseTime", unit: "Seconds", values: whole ? values : values.slice(i, i + MAX_VALUES), counts: whole ? counts : counts.slice(i, i + MAX_VALUES) });
    }
  }
}
