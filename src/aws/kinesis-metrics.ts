/**
 * What CloudWatch says about a Kinesis stream and the log shippers writing to it, read with
 * ListMetrics and GetMetricData as an operator's dashboard would: AWS/Kinesis per stream (minute
 * data) and the shippers' own namespace per Host (EMF, at whatever resolution they publish).
 * The same calls read AWS and the sandbox.
 */
import { GetMetricDataCommand, ListMetricsCommand, type CloudWatchClient, type MetricDataQuery } from "./sdk/cloudwatch.js";
import type { Permission } from "../iam/permission.js";
import type { Metric } from "@aws-sdk/client-cloudwatch";

const MINUTE = 60_000;
/** CloudWatch keeps 1-second data this long; older data only per minute. */
const HIGH_RESOLUTION_RETENTION_MS = 3 * 3_600_000;
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
  const hosts = await shipperHosts(cloudwatch, namespace, stream);
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

/** One boot's newest EMF line: where its records were at `at` (see src/pipeline/emf.ts). */
export interface BootGauges {
  host: string;
  boot: string;
  /** The line's timestamp; for `coarse` gauges, the start of its minute. */
  at: number;
  /** Read per minute (standard-resolution data, or 1-second data CloudWatch no longer keeps): `at` is up to a minute early. */
  coarse: boolean;
  /** Its records are seq 0 .. accepted-1. */
  accepted: number;
  /** Records Kinesis acknowledged to it (replays of a predecessor's spool included). */
  delivered: number;
  inMemory: number;
  inFlight: number;
  spoolRecords: number;
  dropped: number;
  deadLettered: number;
}

const BOOT_GAUGES = [
  ["accepted", "Accepted"],
  ["delivered", "DeliveredTotal"],
  ["inMemory", "InMemory"],
  ["inFlight", "InFlight"],
  ["spoolRecords", "SpoolRecords"],
  ["dropped", "DroppedTotal"],
  ["deadLettered", "DeadLettered"],
] as const;

/**
 * Each shipper boot's newest gauges for a stream (per Stream, Host and Boot), resuming where the
 * previous reading left off, as StreamReader resumes a stream. The gauges are "latest value"
 * series a shipper publishes only every so often, so a reading looks for lines `lookbackMs`
 * before the first moment it covers: a boot that last published just before the run (or the
 * previous reading) is found, not missed. It keeps every boot it has found, so one that stopped
 * publishing still counts with its last line.
 *
 * Lines are read at 1 s where CloudWatch still keeps 1-second data (each line its own datapoint,
 * so all of a boot's gauges are from one moment); a boot with none there (standard resolution,
 * or gone for hours) is read as the Maximum of its newest minute: Accepted only grows, so it is
 * exact, while a record-holding gauge may be overstated, which can hide a loss but never invent one.
 */
export class BootGaugeReader {
  private readonly boots = new Map<string, BootGauges>();
  /** Listed boots with no line found yet (they published before the range): searched up to here. */
  private readonly notFoundTo = new Map<string, number>();
  /** The end of the previous reading's range. */
  private readTo: number | undefined;

  constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly namespace: string,
    private readonly stream: string,
    /** The first moment the readings cover (the run's start). */
    private readonly from: number,
    /** How far before that to look: at least one publishing interval plus CloudWatch's period alignment. */
    private readonly lookbackMs: number,
  ) {}

  /** Every boot found so far, each with its newest line at or before `now`. */
  async read(now: number): Promise<BootGauges[]> {
    const listed = await this.listBoots();
    const end = now + 1;
    const fineFrom = Math.max(now - HIGH_RESOLUTION_RETENTION_MS, (this.readTo ?? this.from) - this.lookbackMs);
    const fine = listed.length > 0 && fineFrom < end ? await getMetricPoints(this.cloudwatch, this.queries(listed, 1), fineFrom, end) : new Map<string, Point[]>();
    const noFineLine: { host: string; boot: string }[] = [];
    listed.forEach((b, i) => {
      const found = newestLine(fine, i, false);
      if (found) this.keep(b, found);
      else if (this.boots.get(key(b))?.coarse !== false) noFineLine.push(b);
    });
    if (noFineLine.length > 0) {
      // From the oldest minute one of them may have published in (a known boot: its newest line's).
      const since = Math.min(...noFineLine.map((b) => this.boots.get(key(b))?.at ?? Math.max(this.from, this.notFoundTo.get(key(b)) ?? this.from) - this.lookbackMs));
      const minutes = await getMetricPoints(this.cloudwatch, this.queries(noFineLine, 60), Math.floor(since / MINUTE) * MINUTE, end);
      noFineLine.forEach((b, i) => {
        const found = newestLine(minutes, i, true);
        if (found) {
          this.keep(b, found);
          this.notFoundTo.delete(key(b));
        } else if (!this.boots.has(key(b))) this.notFoundTo.set(key(b), end);
      });
    }
    this.readTo = end;
    return [...this.boots.values()];
  }

  private keep(b: { host: string; boot: string }, line: Omit<BootGauges, "host" | "boot">): void {
    const known = this.boots.get(key(b));
    if (!known || line.at > known.at || (known.coarse && !line.coarse && line.at >= known.at)) this.boots.set(key(b), { ...b, ...line });
  }

  private async listBoots(): Promise<{ host: string; boot: string }[]> {
    const boots: { host: string; boot: string }[] = [];
    for (const m of await listStreamMetrics(this.cloudwatch, this.namespace, "Accepted", this.stream)) {
      const dim = (name: string) => m.Dimensions?.find((d) => d.Name === name)?.Value;
      const host = dim("Host");
      const boot = dim("Boot");
      if (host !== undefined && boot !== undefined && m.Dimensions!.length === 3) boots.push({ host, boot });
    }
    return boots;
  }

  private queries(boots: { host: string; boot: string }[], period: number): MetricDataQuery[] {
    const Dimensions = (b: { host: string; boot: string }) => [
      { Name: "Stream", Value: this.stream },
      { Name: "Host", Value: b.host },
      { Name: "Boot", Value: b.boot },
    ];
    return boots.flatMap((b, i) => BOOT_GAUGES.map(([field, MetricName]) => ({ Id: `${field.toLowerCase()}${i}`, MetricStat: { Metric: { Namespace: this.namespace, MetricName, Dimensions: Dimensions(b) }, Period: period, Stat: "Maximum" } })));
  }
}

type Point = { t: number; v: number };

const key = (b: { host: string; boot: string }) => `${b.host}|${b.boot}`;

/** Boot `i`'s newest line in `points`: every gauge at the newest Accepted's moment, one line's values, never a mix of two. */
function newestLine(points: Map<string, Point[]>, i: number, coarse: boolean): Omit<BootGauges, "host" | "boot"> | undefined {
  const newest = points.get(`accepted${i}`)?.[0];
  if (!newest) return undefined;
  const line: Omit<BootGauges, "host" | "boot"> = { at: newest.t, coarse, accepted: 0, delivered: 0, inMemory: 0, inFlight: 0, spoolRecords: 0, dropped: 0, deadLettered: 0 };
  for (const [field] of BOOT_GAUGES) line[field] = points.get(`${field.toLowerCase()}${i}`)?.find((p) => p.t === newest.t)?.v ?? 0;
  return line;
}

/**
 * The first moment in [start, end) a shipper on `stream` fell back: its BreakerState left closed
 * or it spooled records. To the second within CloudWatch's 3 hours of 1-second data, else to the
 * minute; undefined when none did.
 */
export async function firstFallback(cloudwatch: CloudWatchClient, namespace: string, stream: string, start: number, end: number, now: number): Promise<number | undefined> {
  const hosts = await shipperHosts(cloudwatch, namespace, stream);
  if (hosts.size === 0 || end <= start) return undefined;
  const period = start >= now - HIGH_RESOLUTION_RETENTION_MS ? 1 : 60;
  const from = period === 1 ? start : Math.floor(start / MINUTE) * MINUTE;
  const queries: MetricDataQuery[] = [...hosts].flatMap((host, i) => {
    const metric = (MetricName: string) => ({ Namespace: namespace, MetricName, Dimensions: [{ Name: "Stream", Value: stream }, { Name: "Host", Value: host }] });
    return [
      { Id: `b${i}`, MetricStat: { Metric: metric("BreakerState"), Period: period, Stat: "Maximum" } },
      { Id: `s${i}`, MetricStat: { Metric: metric("Spooled"), Period: period, Stat: "Sum" } },
    ];
  });
  const points = await getMetricPoints(cloudwatch, queries, from, end);
  let first: number | undefined;
  for (const series of points.values()) {
    for (const p of series) if (p.v > 0 && (first === undefined || p.t < first)) first = p.t;
  }
  return first;
}

/** Every `metricName` series in `namespace` that has a Stream=`stream` dimension, all pages of ListMetrics. */
async function listStreamMetrics(cloudwatch: CloudWatchClient, namespace: string, metricName: string, stream: string): Promise<Metric[]> {
  const metrics: Metric[] = [];
  let NextToken: string | undefined;
  do {
    const out = await cloudwatch.send(new ListMetricsCommand({ Namespace: namespace, MetricName: metricName, Dimensions: [{ Name: "Stream", Value: stream }], NextToken }));
    metrics.push(...(out.Metrics ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return metrics;
}

/** The hosts that published a per-host (Stream, Host) BreakerState for `stream`. */
async function shipperHosts(cloudwatch: CloudWatchClient, namespace: string, stream: string): Promise<Set<string>> {
  const hosts = new Set<string>();
  for (const m of await listStreamMetrics(cloudwatch, namespace, "BreakerState", stream)) {
    const host = m.Dimensions?.find((d) => d.Name === "Host")?.Value;
    if (host !== undefined && m.Dimensions!.length === 2) hosts.add(host);
  }
  return hosts;
}

/** Every query's values, newest first, in chunks GetMetricData accepts; `keep` filters by timestamp. */
async function getMetricData(cloudwatch: CloudWatchClient, queries: MetricDataQuery[], start: number, end: number, keep: (t: number) => boolean = () => true): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const [id, points] of await getMetricPoints(cloudwatch, queries, start, end, keep)) out.set(id, points.map((p) => p.v));
  return out;
}

/** Every query's points, newest first, in chunks GetMetricData accepts; `keep` filters by timestamp. */
async function getMetricPoints(cloudwatch: CloudWatchClient, queries: MetricDataQuery[], start: number, end: number, keep: (t: number) => boolean = () => true): Promise<Map<string, Point[]>> {
  const values = new Map<string, Point[]>();
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
  for (const points of values.values()) points.sort((a, b) => b.t - a.t);
  return values;
}

/** What readStreamTotals and readShipperTotals call (CloudWatch reads take no resource-level permission). */
export const KINESIS_METRICS_PERMISSIONS: Permission[] = [{ why: "read Kinesis and shipper metrics", actions: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], resources: ["*"] }];
