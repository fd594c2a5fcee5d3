/**
 * Lambda Insights, for functions that enable it (the LambdaInsightsExtension layer): the
 * `LambdaInsights` namespace by `function_name`, of which the sandbox publishes `init_duration`
 * (ms), sent for invocations that began with a cold start (Lambda-Insights-metrics.html). An
 * operator reads the cold-start share as SampleCount(init_duration) / Invocations; AWS/Lambda has
 * no cold-start metric.
 */
import type { MetricSink } from "../cloudwatch/sink.js";
import { minuteOf, putDistribution } from "../../metrics/period.js";

export const INSIGHTS_NAMESPACE = "LambdaInsights";

export class LambdaInsights {
  /** minute -> function -> init duration (ms) -> count */
  private readonly minutes = new Map<number, Map<string, Map<number, number>>>();

  constructor(
    private readonly sink: MetricSink,
    private readonly now: () => number,
  ) {}

  coldStart(fn: string, initMs: number): void {
    const minute = minuteOf(this.now());
    let fns = this.minutes.get(minute);
    if (!fns) this.minutes.set(minute, (fns = new Map()));
    let inits = fns.get(fn);
    if (!inits) fns.set(fn, (inits = new Map()));
    const ms = Math.round(initMs);
    inits.set(ms, (inits.get(ms) ?? 0) + 1);
  }

  /** Puts every minute that has ended. */
  publish(): void {
    const current = minuteOf(this.now());
    for (const [minute, fns] of this.minutes) {
      if (minute >= current) continue;
      this.minutes.delete(minute);
      for (const [fn, inits] of fns) putDistribution(this.sink, { namespace: INSIGHTS_NAMESPACE, name: "init_duration", unit: "Milliseconds", dimensions: { function_name: fn }, timestamp: minute, storageResolution: 60 }, inits);
    }
  }
}
