/**
 * AWS/Lambda as Lambda publishes it (monitoring-metrics-types.html), per minute, by FunctionName:
 * - Invocations: every run of the function code, successful or with a function error; never a
 *   throttled request or an invocation error (EFS mount exceptions);
 * - Errors: invocations that ended in a function error (a timeout, an unhandled exception);
 * - Throttles: requests refused with 429;
 * - Duration: the handler's time in milliseconds, as a distribution (percentiles work);
 * - ConcurrentExecutions: the most environments running at once in the minute (also for the
 *   account, without dimensions).
 */
import type { MetricSink } from "../cloudwatch/sink.js";
import { countStatistics, minuteOf, putDistribution } from "../../metrics/period.js";

export const LAMBDA_NAMESPACE = "AWS/Lambda";

interface FunctionMinute {
  invocations: number;
  errors: number;
  throttles: number;
  durations: Map<number, number>;
  concurrent: number;
}

export class LambdaMetrics {
  private readonly minutes = new Map<number, Map<string, FunctionMinute>>();
  private readonly accountPeak = new Map<number, number>();

  constructor(
    private readonly sink: MetricSink,
    private readonly now: () => number,
  ) {}

  invoked(fn: string, durationMs: number, error: boolean): void {
    const m = this.fn(fn);
    m.invocations++;
    if (error) m.errors++;
    const key = Math.round(durationMs * 100) / 100;
    m.durations.set(key, (m.durations.get(key) ?? 0) + 1);
  }

  throttled(fn: string): void {
    this.fn(fn).throttles++;
  }

  concurrency(fn: string, running: number, accountRunning: number): void {
    const m = this.fn(fn);
    m.concurrent = Math.max(m.concurrent, running);
    const minute = minuteOf(this.now());
    this.accountPeak.set(minute, Math.max(this.accountPeak.get(minute) ?? 0, accountRunning));
  }

  /** Puts every minute that has ended. */
  publish(): void {
    const current = minuteOf(this.now());
    for (const [minute, functions] of this.minutes) {
      if (minute >= current) continue;
      this.minutes.delete(minute);
      for (const [name, m] of functions) {
        const base = { namespace: LAMBDA_NAMESPACE, dimensions: { FunctionName: name }, timestamp: minute, storageResolution: 60 as const };
        if (m.invocations > 0) sink(this.sink, base, "Invocations", m.invocations);
        if (m.errors > 0) sink(this.sink, base, "Errors", m.errors);
        if (m.throttles > 0) sink(this.sink, base, "Throttles", m.throttles);
        if (m.durations.size > 0) putDistribution(this.sink, { ...base, name: "Duration", unit: "Milliseconds" }, m.durations);
        if (m.concurrent > 0) this.sink.put({ ...base, name: "ConcurrentExecutions", unit: "Count", value: m.concurrent });
      }
    }
    for (const [minute, peak] of this.accountPeak) {
      if (minute >= current) continue;
      this.accountPeak.delete(minute);
      this.sink.put({ namespace: LAMBDA_NAMESPACE, name: "ConcurrentExecutions", dimensions: {}, timestamp: minute, unit: "Count", value: peak, storageResolution: 60 });
    }
  }

  private fn(name: string): FunctionMinute {
    const minute = minuteOf(this.now());
    let functions = this.minutes.get(minute);
    if (!functions) this.minutes.set(minute, (functions = new Map()));
    let m = functions.get(name);
    if (!m) functions.set(name, (m = { invocations: 0, errors: 0, throttles: 0, durations: new Map(), concurrent: 0 }));
    return m;
  }
}

function sink(s: MetricSink, base: { namespace: string; dimensions: Record<string, string>; timestamp: number; storageResolution: 60 }, name: string, n: number): void {
  s.put({ ...base, name, unit: "Count", statistics: countStatistics(n) });
}
