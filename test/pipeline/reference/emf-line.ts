// emfLine before the shipper built its lines' fixed parts once (EmfLines), kept as the oracle of
// test/pipeline/emf-differential.test.ts and the "before" of bench/pipeline-emf.ts. Not used by gameday itself.
import type { ResolvedMetricsOptions } from "../../../src/pipeline/emf.js";
import type { ShipperMetrics } from "../../../src/pipeline/metrics.js";

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

/** The gauges published per Stream, Host and Boot. */
const BOOT_GAUGE_NAMES = BOOT_GAUGES.map(([name]) => name);

/** One EMF line: what the counters did since `previous`, and the gauges in `now` (per boot too, given `boot`). */
export function referenceEmfLine(o: Pick<ResolvedMetricsOptions, "namespace" | "stream"> & Partial<Pick<ResolvedMetricsOptions, "intervalMs">>, host: string, timestamp: number, now: ShipperMetrics, previous: ShipperMetrics | undefined, boot?: string): string {
  // CloudWatch keeps standard-resolution data per minute: lines more frequent than that need 1 s.
  const resolution = (o.intervalMs ?? 60_000) < 60_000 ? 1 : 60;
  let line = `{"_aws":{"Timestamp":${json(Math.floor(timestamp))},"CloudWatchMetrics":${directivesText(o.namespace, resolution, boot !== undefined)}},"Stream":${JSON.stringify(o.stream)},"Host":${JSON.stringify(host)}`;
  if (boot !== undefined) line += `,"Boot":${JSON.stringify(boot)}`;
  for (const [name, read] of COUNTERS) line += `,"${name}":${json(read(now) - (previous ? read(previous) : 0))}`;
  line += `,"SpoolBytes":${json(now.spoolBytes)},"OldestSpooledAge":${json(now.oldestSpooledAgeMs)},"BreakerState":${BREAKER_VALUE[now.breaker]}`;
  if (boot !== undefined) for (const [name, read] of BOOT_GAUGES) line += `,"${name}":${json(read(now))}`;
  return `${line}}`;
}

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

