/**
 * CloudWatch Logs' side of embedded metric format: a log line with an `_aws` directive becomes
 * metric datums (CloudWatch_Embedded_Metric_Format_Specification). Each dimension set of a
 * directive makes its own metric; a member is a number or up to 100 numbers; Unit defaults to
 * None and StorageResolution to 60. A line that is not EMF, or is malformed, gives no metrics (as
 * CloudWatch keeps it as a plain log event); the error says why, for whoever wants to know.
 */
import type { MetricDatum, MetricSink } from "../services/cloudwatch/sink.js";

export type EmfResult = { datums: MetricDatum[] } | { error: string };

const MAX_METRICS = 100;
const MAX_VALUES = 100;
const MAX_DIMENSIONS = 30;

export function parseEmf(line: string): EmfResult {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return { error: "not a JSON object" };
  }
  if (!isObject(event)) return { error: "not a JSON object" };
  const aws = event._aws;
  if (!isObject(aws)) return { error: "no _aws directive" };
  if (typeof aws.Timestamp !== "number" || !Number.isFinite(aws.Timestamp)) return { error: `_aws.Timestamp: expected milliseconds since the epoch, found ${JSON.stringify(aws.Timestamp)}` };
  const timestamp = aws.Timestamp;
  if (!Array.isArray(aws.CloudWatchMetrics)) return { error: "_aws.CloudWatchMetrics: expected an array" };
  const datums: MetricDatum[] = [];
  for (const [i, d] of aws.CloudWatchMetrics.entries()) {
    const at = `_aws.CloudWatchMetrics[${i}]`;
    if (!isObject(d) || typeof d.Namespace !== "string" || d.Namespace.length === 0) return { error: `${at}.Namespace: expected a name` };
    if (!Array.isArray(d.Dimensions)) return { error: `${at}.Dimensions: expected an array of dimension sets` };
    if (!Array.isArray(d.Metrics) || d.Metrics.length > MAX_METRICS) return { error: `${at}.Metrics: expected an array of at most ${MAX_METRICS}` };
    const sets: Record<string, string>[] = [];
    for (const [j, set] of d.Dimensions.entries()) {
      if (!Array.isArray(set) || set.length > MAX_DIMENSIONS) return { error: `${at}.Dimensions[${j}]: expected at most ${MAX_DIMENSIONS} member names` };
      const dims: Record<string, string> = {};
      for (const key of set) {
        const value = typeof key === "string" ? event[key] : undefined;
        if (typeof value !== "string" || value.length > 1024) return { error: `${at}.Dimensions[${j}]: member ${JSON.stringify(key)} must be a string of at most 1024 characters` };
        dims[key] = value;
      }
      // Frozen: the store keys a frozen dimension set once for all the line's metrics.
      sets.push(Object.freeze(dims));
    }
    for (const [j, m] of d.Metrics.entries()) {
      if (!isObject(m) || typeof m.Name !== "string") return { error: `${at}.Metrics[${j}].Name: expected a member name` };
      const raw = event[m.Name];
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.length === 0 || values.length > MAX_VALUES || !values.every((v) => typeof v === "number" && Number.isFinite(v))) {
        return { error: `member ${m.Name}: expected a number or 1 to ${MAX_VALUES} numbers, found ${JSON.stringify(raw)}` };
      }
      const resolution = m.StorageResolution ?? 60;
      if (resolution !== 1 && resolution !== 60) return { error: `${at}.Metrics[${j}].StorageResolution: expected 1 or 60, found ${JSON.stringify(resolution)}` };
      const unit = typeof m.Unit === "string" ? m.Unit : "None";
      for (const dimensions of sets) {
        const datum: MetricDatum = { namespace: d.Namespace, name: m.Name, dimensions, timestamp, unit, storageResolution: resolution };
        if (values.length === 1) datum.value = values[0] as number;
        else datum.values = values as number[];
        datums.push(datum);
      }
    }
  }
  return { datums };
}

/** A log line's metrics into the sink; a line that is not EMF puts nothing. */
export function putEmf(sink: MetricSink, line: string): EmfResult {
  const result = parseEmf(line);
  if ("datums" in result) for (const d of result.datums) sink.put(d);
  return result;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
