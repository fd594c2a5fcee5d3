/**
 * What CloudWatch says about a Kinesis stream and the log shippers writing to it, read with
 * ListMetrics and GetMetricData as an operator's dashboard would: AWS/Kinesis per stream (minute
 * data) and the shippers' own namespace per Host (EMF, at whatever resolution they publish).
 * The same calls read AWS and the sandbox.
 */
import { GetMetricDataCommand, ListMetricsCommand, type CloudWatchClient, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { Permission } from "../iam/permission.js";

const MINUTE = 60_000;
/** GetMetricData takes at most 500 queries a call. */
const MAX_QUERIES = 500;

export interface StreamTotals {
  /** PutRecords entries Kinesis throttled (PutRecords.ThrottledRecords, Sum). */
  throttledRecords: number;
  /** Records refused by the shards' write limits (WriteProvisionedThroughputExceeded, Sum). */
  writeThroughputExceeded: number;
  /** Records the stream took (IncomingRecords, Sum). */
  incomingRecords: number;
  /** The largest iterator age any consumer reported (GetRecords.IteratorAgeMilliseconds, Maximum); 0 without reads. */
  maxIteratorAgeMs: number;
}

/** AWS/Kinesis over [start, end) for one stream, summed (or maximised) over its minutes. */
export async function readStreamTotals(cloudwatch: CloudWatchClient, stream: string, start: number, end: number): Promise<StreamTotals> {
  const Dimensions = [{ Name: "StreamName", Value: stream }];
  const stat = (Id: string, MetricName: string, Stat: string): MetricDataQuery => ({ Id, MetricStat: { Metric: { Namespace: "AWS/Kinesis", MetricName, Dimensions }, Period: 60, Stat } });
  const values = await getMetricData(
    cloudwatch,
    [stat("thr", "PutRecords.ThrottledRecords", "Sum"), stat("wpe", "WriteProvisionedThroughputExceeded", "Sum"), stat("inc", "IncomingRecords", "Sum"), stat("age", "GetRecords.IteratorAgeMilliseconds", "Maximum")],
    start,
    end,
  );
  const sum = (id: string) => (values.get(id) ?? []).reduce((n, v) => n + v, 0);
  return { throttledRecords: sum("thr"), writeThroughputExceeded: sum("wpe"), incomingRecords: sum("inc"), maxIteratorAgeMs: Math.max(0, ...(values.get("age") ?? [])) };
}

export interface ShipperTotals {
  /** Hosts that published for the stream at any time CloudWatch still lists. */
  hosts: number;
  /** Records spooled over [start, end), all hosts (Spooled, Sum). */
  spooled: number;
  /** Spooled records delivered by replay over [start, end), all hosts (Replayed, Sum). */
  replayed: number;
  /** Each host's latest SpoolBytes in the lookback, summed. */
  spoolBytes: number;
  /** Hosts whose latest BreakerState in the lookback is 2 (open). */
  breakersOpen: number;
}

/**
 * The shippers' metrics for `stream` in `namespace`: counters over [start, end), and gauges as
 * each host's latest value in [end - lookbackMs, end) (hosts silent that long count for none).
 * A gauge is read at 1 s where the shipper publishes at high resolution, else per minute.
 */
export async function readShipperTotals(cloudwatch: CloudWatchClient, namespace: string, stream: string, start: number, end: number, lookbackMs: number): Promise<ShipperTotals> {
  const hosts = new Set<string>();
  let NextToken: string | undefined;
  do {
    const out = await cloudwatch.send(new ListMetricsCommand({ Namespace: namespace, MetricName: "BreakerState", Dimensions: [{ Name: "Stream", Value: stream }], NextToken }));
    for (const m of out.Metrics ?? []) {
      const host = m.Dimensions?.find((d) => d.Name === "Host")?.Value;
      if (host !== undefined && m.Dimensions!.length === 2) hosts.add(host);
    }
    NextToken = out.NextToken;
  } while (NextToken);
  const totals: ShipperTotals = { hosts: hosts.size, spooled: 0, replayed: 0, spoolBytes: 0, breakersOpen: 0 };
  if (hosts.size === 0) return totals;
  const list = [...hosts];
  const metric = (MetricName: string, host: string) => ({ Namespace: namespace, MetricName, Dimensions: [{ Name: "Stream", Value: stream }, { Name: "Host", Value: host }] });
  const counters: MetricDataQuery[] = [];
  const gauges: MetricDataQuery[] = [];
  list.forEach((host, i) => {
    counters.push({ Id: `s${i}`, MetricStat: { Metric: metric("Spooled", host), Period: 60, Stat: "Sum" } });
    counters.push({ Id: `r${i}`, MetricStat: { Metric: metric("Replayed", host), Period: 60, Stat: "Sum" } });
    for (const [key, name] of [["b", "SpoolBytes"], ["o", "BreakerState"]] as const) {
      // Several shippers can share a host: the worst of the newest period stands for it.
      gauges.push({ Id: `${key}${i}f`, MetricStat: { Metric: metric(name, host), Period: 1, Stat: "Maximum" } });
      gauges.push({ Id: `${key}${i}m`, MetricStat: { Metric: metric(name, host), Period: 60, Stat: "Maximum" } });
    }
  });
  const counted = await getMetricData(cloudwatch, counters, start, end);
  const lookbackStart = Math.floor((end - lookbackMs) / MINUTE) * MINUTE;
  const latest = await getMetricData(cloudwatch, gauges, lookbackStart, end, (t) => t >= end - lookbackMs);
  const sum = (id: string) => (counted.get(id) ?? []).reduce((n, v) => n + v, 0);
  // Newest first: a 1-second point where there is one, else the newest minute.
  const newest = (id: string) => latest.get(`${id}f`)?.[0] ?? latest.get(`${id}m`)?.[0];
  list.forEach((_, i) => {
    totals.spooled += sum(`s${i}`);
    totals.replayed += sum(`r${i}`);
    totals.spoolBytes += newest(`b${i}`) ?? 0;
    if (newest(`o${i}`) === 2) totals.breakersOpen++;
  });
  return totals;
}

/** Every query's values, newest first, in chunks GetMetricData accepts; `keep` filters by timestamp. */
async function getMetricData(cloudwatch: CloudWatchClient, queries: MetricDataQuery[], start: number, end: number, keep: (t: number) => boolean = () => true): Promise<Map<string, number[]>> {
  const values = new Map<string, { t: number; v: number }[]>();
  for (let i = 0; i < queries.length; i += MAX_QUERIES) {
    let NextToken: string | undefined;
    do {
      const out = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: queries.slice(i, i + MAX_QUERIES), StartTime: new Date(start), EndTime: new Date(end), ScanBy: "TimestampDescending", NextToken }));
      for (const r of out.MetricDataResults ?? []) {
        let into = values.get(r.Id!);
        if (!into) values.set(r.Id!, (into = []));
        (r.Values ?? []).forEach((v, j) => {
          const t = r.Timestamps?.[j]?.getTime() ?? 0;
          if (keep(t)) into.push({ t, v });
        });
      }
      NextToken = out.NextToken;
    } while (NextToken);
  }
  const out = new Map<string, number[]>();
  for (const [id, points] of values) out.set(id, points.sort((a, b) => b.t - a.t).map((p) => p.v));
  return out;
}

/** What readStreamTotals and readShipperTotals call (CloudWatch reads take no resource-level permission). */
export const KINESIS_METRICS_PERMISSIONS: Permission[] = [{ why: "read Kinesis and shipper metrics", actions: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], resources: ["*"] }];
