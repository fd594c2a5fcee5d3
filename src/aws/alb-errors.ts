/**
 * The load balancer's own account of failed requests over a window, from AWS/ApplicationELB (per
 * minute, as the ALB publishes): what it answered itself (HTTPCode_ELB_502: the target refused or
 * reset the connection; 503: no healthy target; 504: the target did not answer within the idle
 * timeout, per the ALB troubleshooting guide), what the targets answered with 5XX, connections to
 * targets that failed, and connections the ALB itself rejected (RejectedConnectionCount: at its
 * connection limit). The client's view (Gameday/LoadGenerator) cannot tell these apart.
 */
import { GetMetricDataCommand, ListMetricsCommand, type CloudWatchClient } from "./sdk/cloudwatch.js";
import type { Permission } from "../iam/permission.js";

const NAMESPACE = "AWS/ApplicationELB";
const MINUTE = 60_000;

export const ALB_ERROR_METRICS = {
  ELB_502: "HTTPCode_ELB_502_Count",
  ELB_503: "HTTPCode_ELB_503_Count",
  ELB_504: "HTTPCode_ELB_504_Count",
  Target_5XX: "HTTPCode_Target_5XX_Count",
  TargetConnectionError: "TargetConnectionErrorCount",
  RejectedConnection: "RejectedConnectionCount",
} as const;

export type AlbErrors = Record<keyof typeof ALB_ERROR_METRICS, number>;

/**
 * The LoadBalancer dimension of the ALB in front of target group `name`, from the metrics it
 * publishes (HealthyHostCount comes every minute with TargetGroup and LoadBalancer), or undefined
 * when CloudWatch has none for it.
 */
export async function loadBalancerOf(cloudwatch: CloudWatchClient, targetGroup: string): Promise<string | undefined> {
  let NextToken: string | undefined;
  do {
    const out = await cloudwatch.send(new ListMetricsCommand({ Namespace: NAMESPACE, MetricName: "HealthyHostCount", NextToken }));
    for (const m of out.Metrics ?? []) {
      const dims = new Map((m.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      if (dims.get("TargetGroup")?.startsWith(`targetgroup/${targetGroup}/`) && dims.get("LoadBalancer")) return dims.get("LoadBalancer");
    }
    NextToken = out.NextToken;
  } while (NextToken);
  return undefined;
}

/** Sums over the whole minutes that cover [start, end), for the load balancer `loadBalancer` (its dimension value). */
export async function readAlbErrors(cloudwatch: CloudWatchClient, loadBalancer: string, start: number, end: number): Promise<AlbErrors> {
  const from = Math.floor(start / MINUTE) * MINUTE;
  const to = Math.max(from + MINUTE, Math.ceil(end / MINUTE) * MINUTE);
  const keys = Object.keys(ALB_ERROR_METRICS) as (keyof typeof ALB_ERROR_METRICS)[];
  const out = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(from),
      EndTime: new Date(to),
      MetricDataQueries: keys.map((k, i) => ({
        Id: `e${i}`,
        MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: ALB_ERROR_METRICS[k], Dimensions: [{ Name: "LoadBalancer", Value: loadBalancer }] }, Period: (to - from) / 1000, Stat: "Sum" },
      })),
    }),
  );
  const sums = Object.fromEntries(keys.map((k) => [k, 0])) as AlbErrors;
  for (const r of out.MetricDataResults ?? []) {
    const k = keys[Number(r.Id!.slice(1))]!;
    sums[k] += (r.Values ?? []).reduce((a, b) => a + b, 0);
  }
  return sums;
}

export const ALB_ERRORS_PERMISSIONS: Permission[] = [
  { why: "find the load balancer of a target group and read its error counts", actions: ["cloudwatch:ListMetrics", "cloudwatch:GetMetricData"], resources: ["*"] },
];
