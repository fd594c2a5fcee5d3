/**
 * A WordPress-on-Lambda front door as CloudWatch shows it, per minute, over whole minutes: the
 * distribution (AWS/CloudFront by DistributionId and Region=Global), the HTTP API (AWS/ApiGateway by
 * ApiId and Stage), the function (AWS/Lambda by FunctionName) and, where Lambda Insights is on,
 * its cold starts (LambdaInsights init_duration by function_name). One GetMetricData call; the
 * same one reads AWS and the sandbox. CloudFront's metrics live in us-east-1 only.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from "./sdk/cloudwatch.js";
import type { Permission } from "../iam/permission.js";

export interface EdgeIds {
  distributionId: string;
  apiId: string;
  stage: string;
  functionName: string;
  /** The function's timeout, ms: an invocation that lasted it was a timeout. */
  functionTimeoutMs: number;
}

export interface EdgeReading {
  /** Viewer requests (CloudFront Requests). */
  viewerRequests: number;
  /** Viewer answers with 5xx: each minute's Requests × 5xxErrorRate. */
  viewer5xx: number;
  /** Requests that reached the origin (API Gateway Count), and those it answered with 4xx / 5xx. */
  apiRequests: number;
  api4xx: number;
  api5xx: number;
  invocations: number;
  /** Lambda Errors, of which `timeouts` lasted the whole timeout (Duration TC). */
  lambdaErrors: number;
  timeouts: number;
  throttles: number;
  /** The most environments running at once (ConcurrentExecutions Maximum). */
  concurrency: number;
  /** Cold starts (LambdaInsights init_duration SampleCount); null when Insights published none. */
  coldStarts: number | null;
}

const MINUTE = 60_000;

/** AWS/CloudFront, AWS/ApiGateway, AWS/Lambda and LambdaInsights over the whole minutes covering [start, end). */
export async function readEdge(cloudwatch: CloudWatchClient, ids: EdgeIds, start: number, end: number, signal?: AbortSignal): Promise<EdgeReading> {
  const from = Math.floor(start / MINUTE) * MINUTE;
  const to = Math.max(from + MINUTE, Math.ceil(end / MINUTE) * MINUTE);
  const dims = (d: Record<string, string>) => Object.entries(d).map(([Name, Value]) => ({ Name, Value }));
  const cf = dims({ DistributionId: ids.distributionId, Region: "Global" });
  const api = dims({ ApiId: ids.apiId, Stage: ids.stage });
  const fn = dims({ FunctionName: ids.functionName });
  const q = (Id: string, Namespace: string, MetricName: string, Dimensions: { Name: string; Value: string }[], Stat: string): MetricDataQuery => ({ Id, MetricStat: { Metric: { Namespace, MetricName, Dimensions }, Period: 60, Stat } });
  const queries = [
    q("cfreq", "AWS/CloudFront", "Requests", cf, "Sum"),
    q("cf5xx", "AWS/CloudFront", "5xxErrorRate", cf, "Average"),
    q("apic", "AWS/ApiGateway", "Count", api, "Sum"),
    q("api4", "AWS/ApiGateway", "4xx", api, "Sum"),
    q("api5", "AWS/ApiGateway", "5xx", api, "Sum"),
    q("inv", "AWS/Lambda", "Invocations", fn, "Sum"),
    q("err", "AWS/Lambda", "Errors", fn, "Sum"),
    q("thr", "AWS/Lambda", "Throttles", fn, "Sum"),
    q("conc", "AWS/Lambda", "ConcurrentExecutions", fn, "Maximum"),
    // Lambda reports a timed-out invocation's Duration as the timeout: count those at it.
    q("tmo", "AWS/Lambda", "Duration", fn, `TC(${Math.max(0, ids.functionTimeoutMs - 1)}:)`),
    q("cold", "LambdaInsights", "init_duration", dims({ function_name: ids.functionName }), "SampleCount"),
  ];
  // query id -> minute -> value
  const series = new Map<string, Map<number, number>>();
  let NextToken: string | undefined;
  do {
    const out = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(from), EndTime: new Date(to), NextToken }), { abortSignal: signal as never });
    for (const r of out.MetricDataResults ?? []) {
      let byMinute = series.get(r.Id!);
      if (!byMinute) series.set(r.Id!, (byMinute = new Map()));
      (r.Timestamps ?? []).forEach((t, i) => byMinute!.set(t.getTime(), r.Values?.[i] ?? 0));
    }
    NextToken = out.NextToken;
  } while (NextToken);
  const sum = (id: string) => [...(series.get(id)?.values() ?? [])].reduce((n, v) => n + v, 0);
  const requests = series.get("cfreq") ?? new Map<number, number>();
  let viewer5xx = 0;
  for (const [minute, rate] of series.get("cf5xx") ?? []) viewer5xx += ((requests.get(minute) ?? 0) * rate) / 100;
  const cold = series.get("cold");
  return {
    viewerRequests: sum("cfreq"),
    viewer5xx: Math.round(viewer5xx),
    apiRequests: sum("apic"),
    api4xx: sum("api4"),
    api5xx: sum("api5"),
    invocations: sum("inv"),
    lambdaErrors: sum("err"),
    timeouts: sum("tmo"),
    throttles: sum("thr"),
    concurrency: Math.max(0, ...(series.get("conc")?.values() ?? [])),
    coldStarts: cold && cold.size > 0 ? sum("cold") : null,
  };
}

export const EDGE_METRICS_PERMISSIONS: Permission[] = [{ why: "read AWS/CloudFront, AWS/ApiGateway, AWS/Lambda and LambdaInsights metrics", actions: ["cloudwatch:GetMetricData"], resources: ["*"] }];
