/**
 * What a load generator measured, period by period, read back from CloudWatch with GetMetricData:
 * the Gameday/LoadGenerator metrics (src/load/metrics.ts) for one dimension set over [start, end),
 * one row per period that had requests. The window-at-once reader is load-window.ts; this one keeps
 * the time axis, for a ramp whose interest is where things change.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from "./sdk/cloudwatch.js";
import { LOAD_NAMESPACE } from "./load-window.js";

export interface LoadPeriod {
  /** Period start, ms since the epoch. */
  at: number;
  requests: number;
  /** Answered 2XX or 3XX. */
  succeeded: number;
  /** By source: the HTTP class the client saw (4XX, 5XX), timeouts, connection errors. */
  errors: { "4XX": number; "5XX": number; timeout: number; connectionError: number };
  /** The generator's own failures (not in `requests`) and its late requests (src/load/shortfall.ts). */
  generatorErrors: number;
  generatorLate: number;
  /** Latency of the answered requests, ms (0 when none was answered). */
  p50: number;
  p95: number;
  p99: number;
}

const COUNTS = ["RequestCount", "HTTPCode_2XX_Count", "HTTPCode_3XX_Count", "HTTPCode_4XX_Count", "HTTPCode_5XX_Count", "TimeoutCount", "ConnectionErrorCount", "GeneratorErrorCount", "GeneratorLateCount"] as const;
const LATENCIES = ["p50", "p95", "p99"] as const;

/** Reads [start, end) in periods of `periodMs` (a CloudWatch period; `start` on its boundary). */
export async function readLoadSeries(cloudwatch: CloudWatchClient, dimensions: Readonly<Record<string, string>>, start: number, end: number, periodMs: number): Promise<LoadPeriod[]> {
  const Dimensions = Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
  const metric = (MetricName: string) => ({ Namespace: LOAD_NAMESPACE, MetricName, Dimensions });
  const Period = periodMs / 1000;
  const queries: MetricDataQuery[] = [
    ...COUNTS.map((name, i) => ({ Id: `c${i}`, MetricStat: { Metric: metric(name), Period, Stat: "Sum" } })),
    ...LATENCIES.map((stat, i) => ({ Id: `l${i}`, MetricStat: { Metric: metric("TargetResponseTime"), Period, Stat: stat } })),
  ];
  // query id -> period start -> value
  const values = new Map<string, Map<number, number>>();
  let NextToken: string | undefined;
  do {
    const out = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(start), EndTime: new Date(end), NextToken, ScanBy: "TimestampAscending" }));
    for (const r of out.MetricDataResults ?? []) {
      let byTime = values.get(r.Id!);
      if (!byTime) values.set(r.Id!, (byTime = new Map()));
      (r.Timestamps ?? []).forEach((ts, i) => byTime!.set(ts.getTime(), r.Values?.[i] ?? 0));
    }
    NextToken = out.NextToken;
  } while (NextToken);
  const at = (id: string, t: number) => values.get(id)?.get(t) ?? 0;
  const count = (name: (typeof COUNTS)[number], t: number) => at(`c${COUNTS.indexOf(name)}`, t);
  const ms = (stat: (typeof LATENCIES)[number], t: number) => Math.round(at(`l${LATENCIES.indexOf(stat)}`, t) * 1_000_000) / 1000;
  const times = new Set<number>();
  for (const byTime of values.values()) for (const t of byTime.keys()) times.add(t);
  return [...times]
    .sort((a, b) => a - b)
    .map((t) => {
      const errors = { "4XX": count("HTTPCode_4XX_Count", t), "5XX": count("HTTPCode_5XX_Count", t), timeout: count("TimeoutCount", t), connectionError: count("ConnectionErrorCount", t) };
      const succeeded = count("HTTPCode_2XX_Count", t) + count("HTTPCode_3XX_Count", t);
      const outcomes = succeeded + errors["4XX"] + errors["5XX"] + errors.timeout + errors.connectionError;
      // As in load-window.ts: outcomes can be readable before their RequestCount; the larger is the period's.
      const generator = { generatorErrors: count("GeneratorErrorCount", t), generatorLate: count("GeneratorLateCount", t) };
      return { at: t, requests: Math.max(count("RequestCount", t), outcomes), succeeded, errors, ...generator, p50: ms("p50", t), p95: ms("p95", t), p99: ms("p99", t) };
    })
    .filter((p) => p.requests > 0 || p.generatorErrors > 0);
}
