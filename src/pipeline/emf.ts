/**
 * The shipper's own metrics as CloudWatch embedded metric format (EMF): one JSON line per
 * interval that CloudWatch Logs turns into metrics (namespace "Gameday/LogShipper" by default,
 * dimensions Stream and Host), so an operator can alarm on deliveries and drops on AWS as in the
 * sandbox. Counters are sent as what happened during the interval (zeros included: a shipper that
 * delivered nothing says so); gauges (spool bytes, oldest spooled age, breaker) as their value now.
 * Per boot (dimensions Stream, Host and Boot, the ids the shipper stamps in each record's `_gd`),
 * the line also carries where this boot's records are, as cumulative gauges: Accepted (its seq
 * 0 .. Accepted-1 exist), DeliveredTotal (Kinesis acked), InMemory, InFlight, SpoolRecords, DroppedTotal and DeadLettered. A reader
 * of the stream compares them with the ids it saw, so it can tell a lost record from one on its way.
 * Hand-written rather than aws-embedded-metrics: that library buffers and flushes on its own
 * timers and clock, where the shipper's must be the injected Clock.
 */
import type { Clock } from "../time/clock.js";
import type { ShipperMetrics } from "./metrics.js";
import { after } from "./timer.js";

export const SHIPPER_NAMESPACE = "Gameday/LogShipper";

export interface ShipperMetricsOptions {
  /** Receives each EMF line (one JSON object, no newline): to stdout under awslogs, a CloudWatch agent, a file. */
  write: (line: string) => void;
  /** The Kinesis stream the shipper sends to: the Stream dimension. */
  stream: string;
  /** Default "Gameday/LogShipper". */
  namespace?: string;
  /**
   * How often a line is written, in ms. Default 60,000 (CloudWatch's standard resolution). Below a
   * minute the metrics are high resolution (StorageResolution 1), so that a reader can see each line.
   */
  intervalMs?: number;
}

export interface ResolvedMetricsOptions {
  write: (line: string) => void;
  stream: string;
  namespace: string;
  intervalMs: number;
}

/** Checks the metrics option; a TypeError says which field, what was expected and what was found. */
export function resolveMetricsOptions(m: ShipperMetricsOptions): ResolvedMetricsOptions {
  const found = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v) ?? typeof v);
  if (!m || typeof m !== "object") throw new TypeError(`Shipper: metrics must be an object { write, stream }, found ${found(m)}`);
  const known = new Set(["write", "stream", "namespace", "intervalMs"]);
  const unknown = Object.keys(m).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new TypeError(`Shipper: metrics: unknown option ${unknown.join(", ")} (expected write, stream, namespace, intervalMs)`);
  if (typeof m.write !== "function") throw new TypeError(`Shipper: metrics.write must be a function (line: string) => void, found ${found(m.write)}`);
  if (typeof m.stream !== "string" || m.stream.length === 0 || m.stream.length > 1024) throw new TypeError(`Shipper: metrics.stream must be the stream's name (1 to 1024 characters), found ${found(m.stream)}`);
  if (m.namespace !== undefined && (typeof m.namespace !== "string" || !/^[^:][^:]{0,254}$/.test(m.namespace) || m.namespace.startsWith("AWS/"))) {
    throw new TypeError(`Shipper: metrics.namespace must be 1 to 255 characters, without ':' and not starting with "AWS/", found ${found(m.namespace)}`);
  }
  if (m.intervalMs !== undefined && !(Number.isFinite(m.intervalMs) && m.intervalMs >= 1_000)) throw new TypeError(`Shipper: metrics.intervalMs must be at least 1000, found ${found(m.intervalMs)}`);
  return { write: m.write, stream: m.stream, namespace: m.namespace ?? SHIPPER_NAMESPACE, intervalMs: m.intervalMs ?? 60_000 };
}

/** The breaker as a number an alarm can compare: 0 closed, 1 half-open, 2 open. */
const BREAKER_VALUE = { closed: 0, "half-open": 1, open: 2 } as const;

const COUNTERS = [
  ["Delivered", (m: ShipperMetrics) => m.delivered],
  ["Spooled", (m: ShipperMetrics) => m.spooled],
  ["Replayed", (m: ShipperMetrics) => m.replayed],
  ["Dropped", (m: ShipperMetrics) => m.dropped.total],
] as const;

/**
 * Where one boot's records are, as values at the line's moment. Every record is counted once:
 * replayed records in a call are still in SpoolRecords, so InFlight leaves them out.
 */
const BOOT_GAUGES = [
  ["Accepted", (m: ShipperMetrics) => m.accepted],
  ["DeliveredTotal", (m: ShipperMetrics) => m.delivered],
  ["InMemory", (m: ShipperMetrics) => m.inMemory],
  ["InFlight", (m: ShipperMetrics) => m.inFlight - m.replayInFlight],
  ["SpoolRecords", (m: ShipperMetrics) => m.spoolRecords],
  ["DroppedTotal", (m: ShipperMetrics) => m.dropped.total],
  ["DeadLettered", (m: ShipperMetrics) => m.deadLettered],
] as const;

/**
 * The per-boot gauges go out with the first line and then at most every 30 s (every line at
 * CloudWatch's standard minute), and always with the last: each 1-second point is memory for
 * CloudWatch to keep, and the sandbox's 17-hour outage peaked 180 MiB higher with them every 5 s.
 */
export const BOOT_GAUGES_EVERY_MS = 30_000;

/** The gauges published per Stream, Host and Boot. */
export const BOOT_GAUGE_NAMES = BOOT_GAUGES.map(([name]) => name);

/** One EMF line: what the counters did since `previous`, and the gauges in `now` (per boot too, given `boot`). */
export function emfLine(o: Pick<ResolvedMetricsOptions, "namespace" | "stream"> & Partial<Pick<ResolvedMetricsOptions, "intervalMs">>, host: string, timestamp: number, now: ShipperMetrics, previous: ShipperMetrics | undefined, boot?: string): string {
  return new EmfLines(o, host, boot ?? "").line(timestamp, now, previous, boot !== undefined);
}

/**
 * One shipper's EMF lines. What is the same on every line (the directives, stream, host and boot)
 * is written once, here, rather than per line: a line every 5 s per shipper through the sandbox's
 * 17-hour outage.
 */
export class EmfLines {
  /** What follows the timestamp up to the counters, without and with the per-boot part. */
  private readonly afterTimestamp: string;
  private readonly afterTimestampWithBoot: string;

  constructor(o: Pick<ResolvedMetricsOptions, "namespace" | "stream"> & Partial<Pick<ResolvedMetricsOptions, "intervalMs">>, host: string, boot: string) {
    // CloudWatch keeps standard-resolution data per minute: lines more frequent than that need 1 s.
    const resolution = (o.intervalMs ?? 60_000) < 60_000 ? 1 : 60;
    const dimensions = `,"Stream":${JSON.stringify(o.stream)},"Host":${JSON.stringify(host)}`;
    this.afterTimestamp = `,"CloudWatchMetrics":${directivesText(o.namespace, resolution, false)}}${dimensions}`;
    this.afterTimestampWithBoot = `,"CloudWatchMetrics":${directivesText(o.namespace, resolution, true)}}${dimensions},"Boot":${JSON.stringify(boot)}`;
  }

  line(timestamp: number, now: ShipperMetrics, previous: ShipperMetrics | undefined, withBoot: boolean): string {
    let line = `{"_aws":{"Timestamp":${json(Math.floor(timestamp))}${withBoot ? this.afterTimestampWithBoot : this.afterTimestamp}`;
    for (const [name, read] of COUNTER_FIELDS) line += `${name}${json(read(now) - (previous ? read(previous) : 0))}`;
    line += `,"SpoolBytes":${json(now.spoolBytes)},"OldestSpooledAge":${json(now.oldestSpooledAgeMs)},"BreakerState":${BREAKER_VALUE[now.breaker]}`;
    if (withBoot) for (const [name, read] of BOOT_GAUGE_FIELDS) line += `${name}${json(read(now))}`;
    return `${line}}`;
  }
}

/** Each counter and per-boot gauge with its `,"Name":` written once. */
const COUNTER_FIELDS = COUNTERS.map(([name, read]) => [`,"${name}":`, read] as const);
const BOOT_GAUGE_FIELDS = BOOT_GAUGES.map(([name, read]) => [`,"${name}":`, read] as const);

/** A number as JSON.stringify writes it (null when not finite). */
function json(n: number): string {
  return Number.isFinite(n) ? String(n) : "null";
}

const GAUGE_UNITS: Record<string, string> = { SpoolBytes: "Bytes", OldestSpooledAge: "Milliseconds", BreakerState: "None" };
const LINE_METRICS = [...COUNTERS.map(([name]) => name), "SpoolBytes", "OldestSpooledAge", "BreakerState"];

/**
 * The `CloudWatchMetrics` directives depend only on the namespace, the resolution and whether the
 * line has the per-boot part: built once each rather than per line (a line every 5 s per shipper
 * through the sandbox's 17-hour outage).
 */
const directivesCache = new Map<string, string>();
function directivesText(namespace: string, resolution: number, withBoot: boolean): string {
  const cacheKey = `${resolution}\u0000${withBoot}\u0000${namespace}`;
  let text = directivesCache.get(cacheKey);
  if (text === undefined) {
    const directives = [{ Namespace: namespace, Dimensions: [["Stream", "Host"]], Metrics: LINE_METRICS.map((Name) => ({ Name, Unit: GAUGE_UNITS[Name] ?? "Count", StorageResolution: resolution })) }];
    if (withBoot) directives.push({ Namespace: namespace, Dimensions: [["Stream", "Host", "Boot"]], Metrics: BOOT_GAUGE_NAMES.map((Name) => ({ Name, Unit: "Count", StorageResolution: resolution })) });
    text = JSON.stringify(directives);
    directivesCache.set(cacheKey, text);
  }
  return text;
}

/**
 * Writes a line every interval on the clock; the returned function writes the last one (what
 * happened since the previous line: a closing shipper's final deliveries) and stops.
 */
export function startEmf(o: ResolvedMetricsOptions, clock: Pick<Clock, "now" | "setTimer">, host: string, boot: string, read: () => ShipperMetrics): () => void {
  let previous: ShipperMetrics | undefined;
  let stopped = false;
  let lines = 0;
  const bootEvery = Math.max(1, Math.ceil(BOOT_GAUGES_EVERY_MS / o.intervalMs));
  const emf = new EmfLines(o, host, boot);
  const emit = (last = false): void => {
    const now = read();
    o.write(emf.line(clock.now(), now, previous, last || lines++ % bootEvery === 0));
    previous = now;
  };
  let cancel = after(clock, o.intervalMs, function tick() {
    emit();
    cancel = after(clock, o.intervalMs, tick);
  });
  return () => {
    if (stopped) return;
    stopped = true;
    cancel();
    emit(true);
  };
}
