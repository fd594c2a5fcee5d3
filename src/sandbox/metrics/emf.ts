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
  return parseKnown(line) ?? parseEmfUncached(line, true);
}

/**
 * parseEmf without the known-directives path: what that path must agree with (tests compare them).
 * `learn`: a line that gives metrics teaches its directives' text.
 */
export function parseEmfUncached(line: string, learn = false): EmfResult {
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
  if (learn) learnDirectives(line, aws.CloudWatchMetrics);
  return { datums };
}

/**
 * A producer writes the same `CloudWatchMetrics` directives in every line (its namespace, names
 * and units), and the sandbox reads about 80,000 such lines in the 17-hour outage. A line laid out
 * as gameday's shippers write it (`{"_aws":{"Timestamp":N,"CloudWatchMetrics":<text>},...`) whose
 * directive text was seen and checked before is read without parsing or checking the directives
 * again: only the members after them are parsed. Anything else, and any line this path would
 * reject, goes through the full parse, so results and errors are the same.
 */
interface KnownDirective {
  namespace: string;
  sets: string[][];
  metrics: { name: string; unit: string; resolution: 1 | 60 }[];
  /**
   * Each set's frozen dimensions by their values: the shippers' lines repeat a few (stream, host,
   * boot), and handing the store the same frozen object lets it find the metrics by that object
   * instead of keying new dimensions every line.
   */
  dimensions: DimensionsByValue[];
}

/** Value of the set's first member -> value of the next -> ... -> the frozen dimensions; at most MAX_REMEMBERED of them. */
interface DimensionsByValue {
  tree: Map<string, unknown>;
  size: number;
}
const MAX_REMEMBERED = 256;

/** The frozen dimensions of `set` with the event's values (already checked to be strings): the one remembered for them, or a new one. */
function dimensionsOf(memo: DimensionsByValue, set: readonly string[], event: Record<string, unknown>): Readonly<Record<string, string>> {
  let node = memo.tree;
  for (let k = 0; k < set.length - 1; k++) {
    const value = event[set[k]!] as string;
    let next = node.get(value) as Map<string, unknown> | undefined;
    if (next === undefined) node.set(value, (next = new Map()));
    node = next;
  }
  const lastValue = set.length === 0 ? "" : (event[set[set.length - 1]!] as string);
  const known = node.get(lastValue) as Readonly<Record<string, string>> | undefined;
  if (known !== undefined) return known;
  const dims: Record<string, string> = {};
  for (const key of set) dims[key] = event[key] as string;
  Object.freeze(dims);
  if (memo.size >= MAX_REMEMBERED) {
    memo.tree.clear();
    memo.size = 0;
    return dimensionsOf(memo, set, event);
  }
  node.set(lastValue, dims);
  memo.size++;
  return dims;
}

const PREFIX = '{"_aws":{"Timestamp":';
const DIRECTIVES_AT = ',"CloudWatchMetrics":';
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** A few kinds of line per producer (with and without the per-boot part): a small bound suffices. */
const MAX_KNOWN = 16;
const known = new Map<string, KnownDirective[]>();

/** Where the directives text starts in a line laid out as PREFIX N DIRECTIVES_AT, and N; undefined otherwise. */
function layout(line: string): { from: number; timestamp: number } | undefined {
  if (!line.startsWith(PREFIX)) return undefined;
  const at = line.indexOf(DIRECTIVES_AT, PREFIX.length);
  if (at < 0) return undefined;
  const stamp = line.slice(PREFIX.length, at);
  // A JSON number, so Number() reads what JSON.parse would.
  if (!JSON_NUMBER.test(stamp)) return undefined;
  return { from: at + DIRECTIVES_AT.length, timestamp: Number(stamp) };
}

/** After a full parse that gave metrics: remembers the (valid) directives under their exact text. */
function learnDirectives(line: string, directives: unknown[]): void {
  const where = layout(line);
  if (!where) return;
  const text = JSON.stringify(directives);
  if (known.has(text) || !line.startsWith(text, where.from)) return;
  const checked: KnownDirective[] = [];
  for (const d of directives as { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: unknown; StorageResolution?: number }[] }[]) {
    // A member named _aws would read the directive itself: left to the full parse.
    if (d.Dimensions.some((set) => set.includes("_aws")) || d.Metrics.some((m) => m.Name === "_aws")) return;
    checked.push({
      namespace: d.Namespace,
      sets: d.Dimensions.map((set) => [...set]),
      metrics: d.Metrics.map((m) => ({ name: m.Name, unit: typeof m.Unit === "string" ? m.Unit : "None", resolution: (m.StorageResolution ?? 60) as 1 | 60 })),
      dimensions: d.Dimensions.map(() => ({ tree: new Map(), size: 0 })),
    });
  }
  if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value!);
  known.set(text, checked);
}

/** parseEmf of a line whose directives are known; undefined for any other line, or one with an error. */
function parseKnown(line: string): EmfResult | undefined {
  if (known.size === 0) return undefined;
  const where = layout(line);
  if (!where || !Number.isFinite(where.timestamp)) return undefined;
  for (const [text, directives] of known) {
    // Compared as a slice: V8 compares two strings' characters at once where startsWith goes one by one.
    if (line.slice(where.from, where.from + text.length) !== text) continue;
    const end = where.from + text.length;
    // The directives array is one JSON value: a `}` after it closes _aws with nothing else in it.
    if (line.charCodeAt(end) !== 125) return undefined;
    return datumsOf(line, end + 1, where.timestamp, directives);
  }
  return undefined;
}

function datumsOf(line: string, rest: number, timestamp: number, directives: KnownDirective[]): EmfResult | undefined {
  let event: Record<string, unknown>;
  if (line.charCodeAt(rest) === 125 && rest + 1 === line.length) event = {};
  else {
    // `,"member":...}`: the same members as the whole line's, parsed as an object of their own.
    if (line.charCodeAt(rest) !== 44 || line.charCodeAt(rest + 1) !== 34) return undefined;
    try {
      event = JSON.parse(`{${line.slice(rest + 1)}`) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    // A second _aws member would replace the first in the whole line.
    if (Object.hasOwn(event, "_aws")) return undefined;
  }
  const datums: MetricDatum[] = [];
  for (const d of directives) {
    const sets: Readonly<Record<string, string>>[] = [];
    for (let j = 0; j < d.sets.length; j++) {
      const set = d.sets[j]!;
      for (const key of set) {
        const value = event[key];
        if (typeof value !== "string" || value.length > 1024) return undefined;
      }
      sets.push(dimensionsOf(d.dimensions[j]!, set, event));
    }
    for (const m of d.metrics) {
      const raw = event[m.name];
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.length === 0 || values.length > MAX_VALUES) return undefined;
      for (const v of values) if (typeof v !== "number" || !Number.isFinite(v)) return undefined;
      for (const dimensions of sets) {
        const datum: MetricDatum = { namespace: d.namespace, name: m.name, dimensions, timestamp, unit: m.unit, storageResolution: m.resolution };
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
