/**
 * AWS/EFS as EFS publishes it: one dimension, FileSystemId; 60-second resolution (efs-metrics.html).
 * - DataReadIOBytes, DataWriteIOBytes, MetadataIOBytes, TotalIOBytes: one sample per operation,
 *   its bytes (Sum = bytes, SampleCount = operations), only for minutes with operations;
 * - MeteredIOBytes: the same operations with reads at one third;
 * - PercentIOLimit (General Purpose only): how close the minute's IOPS came to the mode's limit;
 * - ClientConnections: Sum = connections in the minute (one per mounted client);
 * - BurstCreditBalance (bursting) and PermittedThroughput: gauges read at the minute's end.
 */
import type { MetricDatum, MetricSink } from "../cloudwatch/sink.js";
import type { EfsFileSystem, MinuteUsage } from "./file-system.js";
import { IOPS_LIMIT } from "./performance.js";

export const EFS_NAMESPACE = "AWS/EFS";

export function publishUsage(sink: MetricSink, fs: EfsFileSystem, u: MinuteUsage): void {
  const base = { namespace: EFS_NAMESPACE, dimensions: { FileSystemId: fs.id }, timestamp: u.minute, storageResolution: 60 as const };
  const put = (name: string, unit: string, statistics: MetricDatum["statistics"]) => {
    if (statistics) sink.put({ ...base, name, unit, statistics });
  };
  const all = [...u.dataRead, ...u.dataWrite, ...u.metadata];
  put("DataReadIOBytes", "Bytes", stats(u.dataRead));
  put("DataWriteIOBytes", "Bytes", stats(u.dataWrite));
  put("MetadataIOBytes", "Bytes", stats(u.metadata));
  put("TotalIOBytes", "Bytes", stats(all));
  if (all.length > 0) {
    const metered = u.metered;
    put("MeteredIOBytes", "Bytes", { sampleCount: all.length, sum: metered, minimum: metered / all.length, maximum: metered / all.length });
  }
  if (fs.spec.performanceMode === "generalPurpose" && all.length > 0) {
    const limit = IOPS_LIMIT[fs.spec.throughputMode];
    const percent = Math.min(100, 100 * Math.max(u.readOps / 60 / limit.read, u.writeOps / 60 / limit.write));
    sink.put({ ...base, name: "PercentIOLimit", unit: "Percent", value: percent });
  }
  if (u.clients.size > 0) sink.put({ ...base, name: "ClientConnections", unit: "Count", value: u.clients.size });
}

/** The gauges EFS reports every minute whether or not anything ran. */
export function publishGauges(sink: MetricSink, fs: EfsFileSystem, minute: number): void {
  const base = { namespace: EFS_NAMESPACE, dimensions: { FileSystemId: fs.id }, timestamp: minute, storageResolution: 60 as const };
  if (fs.spec.throughputMode === "bursting") sink.put({ ...base, name: "BurstCreditBalance", unit: "Bytes", value: fs.burstCreditBalance() });
  sink.put({ ...base, name: "PermittedThroughput", unit: "Bytes/Second", value: fs.permittedThroughput() });
}

function stats(values: readonly number[]): MetricDatum["statistics"] {
  if (values.length === 0) return undefined;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { sampleCount: values.length, sum, minimum: min, maximum: max };
}
