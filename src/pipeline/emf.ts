/**
 * The shipper's own metrics as CloudWatch embedded metric format (EMF): one JSON line per
 * interval that CloudWatch Logs turns into metrics (namespace "Gameday/LogShipper" by default,
 * dimensions Stream and Host), so an operator can alarm on deliveries and drops on AWS as in the
 * sandbox. Counters are sent as what happened during the interval (zeros included: a shipper that
 * delivered nothing says so); gauges (spool bytes, oldest spooled age, breaker) as their value now.
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

/** One EMF line: what the counters did since `previous`, and the gauges in `now`. */
export function emfLine(o: Pick<ResolvedMetricsOptions, "namespace" | "stream"> & Partial<Pick<ResolvedMetricsOptions, "intervalMs">>, host: string, timestamp: number, now: ShipperMetrics, previous: ShipperMetrics | undefined): string {
  const values: Record<string, number> = {};
  for (const [name, read] of COUNTERS) values[name] = read(now) - (previous ? read(previous) : 0);
  values.SpoolBytes = now.spoolBytes;
  values.OldestSpooledAge = now.oldestSpooledAgeMs;
  values.BreakerState = BREAKER_VALUE[now.breaker];
  const units: Record<string, string> = { SpoolBytes: "Bytes", OldestSpooledAge: "Milliseconds", BreakerState: "None" };
  // CloudWatch keeps standard-resolution data per minute: lines more frequent than that need 1 s.
  const resolution = (o.intervalMs ?? 60_000) < 60_000 ? 1 : 60;
  return JSON.stringify({
    _aws: {
      Timestamp: Math.floor(timestamp),
      CloudWatchMetrics: [
        {
          Namespace: o.namespace,
          Dimensions: [["Stream", "Host"]],
          Metrics: Object.keys(values).map((Name) => ({ Name, Unit: units[Name] ?? "Count", StorageResolution: resolution })),
        },
      ],
    },
    Stream: o.stream,
    Host: host,
    ...values,
  });
}

/**
 * Writes a line every interval on the clock; the returned function writes the last one (what
 * happened since the previous line: a closing shipper's final deliveries) and stops.
 */
export function startEmf(o: ResolvedMetricsOptions, clock: Pick<Clock, "now" | "setTimer">, host: string, read: () => ShipperMetrics): () => void {
  let previous: ShipperMetrics | undefined;
  let stopped = false;
  const emit = (): void => {
    const now = read();
    o.write(emfLine(o, host, clock.now(), now, previous));
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
    emit();
  };
}
