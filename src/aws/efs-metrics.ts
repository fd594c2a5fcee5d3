/**
 * What CloudWatch says about an EFS file system (AWS/EFS by FileSystemId, minute data), read with
 * GetMetricData as an operator's dashboard would; the same calls read AWS and the sandbox. EFS
 * publishes no per-operation latency: clients see it (AWS/Lambda Duration, the app's own metrics).
 */
import type { CloudWatchClient, MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { GetMetricDataCommand } from "./sdk/cloudwatch.js";
import type { Permission } from "../iam/permission.js";

export interface EfsReading {
  /** Newest minute's BurstCreditBalance (Average), bytes; null before EFS published one. */
  burstCreditBalance: number | null;
  /** Lowest BurstCreditBalance (Minimum) over the window, bytes; null without data. */
  minBurstCreditBalance: number | null;
  /** Newest PermittedThroughput, bytes/s; null without data. */
  permittedThroughput: number | null;
  /** Highest PercentIOLimit over the window (0–100); 0 without I/O. */
  maxPercentIOLimit: number;
  /** Newest minute's ClientConnections (Sum); 0 without data. */
  clientConnections: number;
  /** Operations over the window (TotalIOBytes SampleCount). */
  operations: number;
  totalIOBytes: number;
  meteredIOBytes: number;
}

/** AWS/EFS for one file system over [start, end). */
export async function readEfs(cloudwatch: CloudWatchClient, fileSystemId: string, start: number, end: number, signal?: AbortSignal): Promise<EfsReading> {
  const Dimensions = [{ Name: "FileSystemId", Value: fileSystemId }];
  const q = (Id: string, MetricName: string, Stat: string): MetricDataQuery => ({ Id, MetricStat: { Metric: { Namespace: "AWS/EFS", MetricName, Dimensions }, Period: 60, Stat } });
  const values = new Map<string, number[]>();
  let NextToken: string | undefined;
  // An empty window (a first reading on a minute's start): nothing to ask CloudWatch, which refuses it.
  if (end > start) do {
    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: [q("bcb", "BurstCreditBalance", "Average"), q("bcmin", "BurstCreditBalance", "Minimum"), q("pt", "PermittedThroughput", "Average"), q("pio", "PercentIOLimit", "Maximum"), q("cc", "ClientConnections", "Sum"), q("ops", "TotalIOBytes", "SampleCount"), q("tot", "TotalIOBytes", "Sum"), q("met", "MeteredIOBytes", "Sum")],
        StartTime: new Date(start),
        EndTime: new Date(end),
        ScanBy: "TimestampDescending",
        NextToken,
      }),
      { abortSignal: signal as never },
    );
    for (const r of out.MetricDataResults ?? []) values.set(r.Id!, [...(values.get(r.Id!) ?? []), ...(r.Values ?? [])]);
    NextToken = out.NextToken;
  } while (NextToken);
  const newest = (id: string) => values.get(id)?.[0] ?? null;
  const all = (id: string) => values.get(id) ?? [];
  const sum = (id: string) => all(id).reduce((n, v) => n + v, 0);
  const mins = all("bcmin");
  return {
    burstCreditBalance: newest("bcb"),
    minBurstCreditBalance: mins.length ? Math.min(...mins) : null,
    permittedThroughput: newest("pt"),
    maxPercentIOLimit: Math.max(0, ...all("pio")),
    clientConnections: newest("cc") ?? 0,
    operations: sum("ops"),
    totalIOBytes: sum("tot"),
    meteredIOBytes: sum("met"),
  };
}

export const EFS_METRICS_PERMISSIONS: Permission[] = [{ why: "read AWS/EFS metrics", actions: ["cloudwatch:GetMetricData"], resources: ["*"] }];
