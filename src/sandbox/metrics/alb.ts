/**
 * AWS/ApplicationELB as the load balancer publishes it: per minute, only for minutes with traffic
 * (a metric with nothing to count is absent, not zero), with the dimension sets AWS uses:
 * - RequestCount: LoadBalancer; TargetGroup+LoadBalancer. Only requests for which the ALB chose a
 *   target (ELB's documentation): a 503 for want of one counts under HTTPCode_ELB_503_Count alone.
 * - HTTPCode_Target_*, TargetResponseTime, TargetConnectionErrorCount: LoadBalancer, AZ+LB, TG+LB, TG+AZ+LB.
 * - HTTPCode_ELB_5XX/502/503/504_Count: LoadBalancer, AZ+LB (an answer the ALB gave before choosing
 *   a target has no zone in the sandbox, so it counts under LoadBalancer only).
 * - HealthyHostCount, UnHealthyHostCount: TG+LB, TG+AZ+LB, sampled at each minute's start and on
 *   every health change (Minimum/Average/Maximum over the minute); health checks run without traffic,
 *   so these are sent every minute.
 * Counts are sent as AWS sends them: each event worth 1 (Minimum = Maximum = Average = 1).
 * - RejectedConnectionCount: LoadBalancer (and AZ+LB on AWS; a rejection in the sandbox happens
 *   before any zone is involved, so LoadBalancer only): "connections that were rejected because the
 *   load balancer had reached its maximum number of connections" (ELB's CloudWatch metrics page),
 *   sent only when nonzero; only a target group with `maxConnections` ever has a maximum.
 */
import type { MetricSink } from "../services/cloudwatch/sink.js";
import { countStatistics, MINUTE, minuteOf, putSortedDistribution } from "./period.js";

export const ALB_NAMESPACE = "AWS/ApplicationELB";

/** The ALB's dimension values: `app/<name>/<16 hex>` and `targetgroup/<name>/<16 hex>`. */
export interface AlbIdentity {
  loadBalancer: string;
  targetGroup: string;
}

/**
 * The sandbox has one ALB per target group, named after it; its id is derived from the target
 * group's (no draw from the sandbox's id stream, so existing ids stay as they were).
 */
export function albIdentity(targetGroupArn: string): AlbIdentity {
  const targetGroup = targetGroupArn.slice(targetGroupArn.indexOf("targetgroup/"));
  const name = targetGroup.split("/")[1]!;
  return { loadBalancer: `app/${name}/${fnv(`a${targetGroup}`)}${fnv(`b${targetGroup}`)}`, targetGroup };
}

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** Healthy and unhealthy targets in one zone at one moment. */
export interface HostCount {
  healthy: number;
  unhealthy: number;
}

/**
 * Response times in whole milliseconds -> how many: an array for the sub-second times nearly all
 * responses take (added to once per request, so no Map there), a Map for the rare longer ones.
 */
class MsHistogram {
  private readonly low = new Uint32Array(1024);
  private high: Map<number, number> | undefined;
  size = 0;
  /** sorted()'s answer, until the next add: a minute's histogram is put under several dimension sets. */
  private cached: { keys: number[]; counts: number[] } | undefined;

  add(ms: number, n = 1): void {
    this.cached = undefined;
    if (ms < 1024) {
      if (this.low[ms] === 0) this.size++;
      this.low[ms]! += n;
      return;
    }
    this.high ??= new Map();
    const had = this.high.get(ms) ?? 0;
    if (had === 0) this.size++;
    this.high.set(ms, had + n);
  }

  /** Adds every value of `other`: the sub-second array slot by slot. */
  addAll(other: MsHistogram): void {
    this.cached = undefined;
    const low = this.low;
    const from = other.low;
    for (let ms = 0; ms < 1024; ms++) {
      const n = from[ms]!;
      if (n === 0) continue;
      if (low[ms] === 0) this.size++;
      low[ms]! += n;
    }
    if (other.high) for (const [ms, n] of other.high) this.add(ms, n);
  }

  /** Every value seen and its count, in increasing order of value, as parallel arrays. */
  sorted(): { keys: number[]; counts: number[] } {
    if (this.cached) return this.cached;
    const keys: number[] = [];
    const counts: number[] = [];
    for (let ms = 0; ms < 1024; ms++) {
      if (this.low[ms]! > 0) {
        keys.push(ms);
        counts.push(this.low[ms]!);
      }
    }
    if (this.high) {
      for (const ms of [...this.high.keys()].sort((a, b) => a - b)) {
        keys.push(ms);
        counts.push(this.high.get(ms)!);
      }
    }
    this.cached = { keys, counts };
    return this.cached;
  }
}

class ZoneMinute {
  requests = 0;
  target2xx = 0;
  target4xx = 0;
  target5xx = 0;
  elb502 = 0;
  elb503 = 0;
  elb504 = 0;
  connectionErrors = 0;
  rejectedConnections = 0;
  /** TargetResponseTime in whole milliseconds. */
  readonly latency = new MsHistogram();
}

class Samples {
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  add(v: number): void {
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
}

/** "" is the load balancer as a whole (requests) or the target group as a whole (hosts). */
const ALL = "";

interface Minute {
  zones: Map<string, ZoneMinute>;
  /** The zones' keys and values again, in the same order, for zone()'s scan. */
  zoneNames: string[];
  zoneList: ZoneMinute[];
  healthy: Map<string, Samples>;
  unhealthy: Map<string, Samples>;
}

export class AlbMetrics {
  private readonly minutes = new Map<number, Minute>();
  /** The minute most requests go to, kept at hand (this runs once per request). */
  private current: { start: number; minute: Minute } | undefined;

  constructor(
    private readonly sink: MetricSink,
    readonly identity: AlbIdentity,
  ) {}

  /** A target answered: `status` is its HTTP status, `latencyMs` its response time. */
  targetResponse(at: number, zone: string, status: number, latencyMs: number): void {
    const z = this.zone(at, zone);
    z.requests++;
    if (status >= 500) z.target5xx++;
    else if (status >= 400) z.target4xx++;
    else if (status >= 200 && status < 300) z.target2xx++;
    z.latency.add(Math.round(latencyMs));
  }

  /**
   * The load balancer answered itself: 503 (no target), 502 (the target refused or failed), 504
   * (the target took longer than the idle timeout). `zone` is the target's, when there was one;
   * `connectionError` when the target refused the connection.
   */
  elbError(at: number, zone: string | undefined, status: 502 | 503 | 504, connectionError = false): void {
    const z = this.zone(at, zone ?? ALL);
    if (zone !== undefined) z.requests++;
    if (status === 502) z.elb502++;
    else if (status === 503) z.elb503++;
    else z.elb504++;
    if (connectionError) z.connectionErrors++;
  }

  /** The load balancer refused a client's connection: it was at its maximum number of connections. */
  rejectedConnection(at: number): void {
    this.zone(at, ALL).rejectedConnections++;
  }

  /** The targets' health now, by zone (every zone that has had targets, with zeros). */
  hosts(at: number, byZone: ReadonlyMap<string, HostCount>): void {
    const m = this.minute(at);
    let healthy = 0;
    let unhealthy = 0;
    for (const [zone, c] of byZone) {
      sample(m.healthy, zone).add(c.healthy);
      sample(m.unhealthy, zone).add(c.unhealthy);
      healthy += c.healthy;
      unhealthy += c.unhealthy;
    }
    sample(m.healthy, ALL).add(healthy);
    sample(m.unhealthy, ALL).add(unhealthy);
  }

  /**
   * Puts every minute that ended by `now`. Something recorded later for a minute already put (a
   * 504 is dated when the idle timeout ran out, known only when the request ends) is put at the
   * next flush under that minute's timestamp: CloudWatch adds datums with the same timestamp up.
   */
  flush(now: number): void {
    const open = minuteOf(now);
    for (const [start, m] of [...this.minutes].sort((a, b) => a[0] - b[0])) {
      if (start >= open) continue;
      this.put(start, m);
      this.minutes.delete(start);
      if (this.current?.start === start) this.current = undefined;
    }
  }

  private put(timestamp: number, m: Minute): void {
    const lb = this.identity.loadBalancer;
    const tg = this.identity.targetGroup;
    const count = (name: string, dimensions: Record<string, string>, n: number): void => {
      if (n > 0) this.sink.put({ namespace: ALB_NAMESPACE, name, dimensions, timestamp, statistics: countStatistics(n), unit: "Count", storageResolution: 60 });
    };
    const total = new ZoneMinute();
    for (const z of m.zones.values()) add(total, z);
    const targetMetrics = (z: ZoneMinute, dimensions: Record<string, string>): void => {
      count("HTTPCode_Target_2XX_Count", dimensions, z.target2xx);
      count("HTTPCode_Target_4XX_Count", dimensions, z.target4xx);
      count("HTTPCode_Target_5XX_Count", dimensions, z.target5xx);
      count("TargetConnectionErrorCount", dimensions, z.connectionErrors);
      if (z.latency.size > 0) {
        const { keys, counts } = z.latency.sorted();
        putSortedDistribution(this.sink, { namespace: ALB_NAMESPACE, name: "TargetResponseTime", dimensions, timestamp, unit: "Seconds", storageResolution: 60 }, keys, counts, 1000);
      }
    };
    const elbMetrics = (z: ZoneMinute, dimensions: Record<string, string>): void => {
      count("HTTPCode_ELB_5XX_Count", dimensions, z.elb502 + z.elb503 + z.elb504);
      count("HTTPCode_ELB_502_Count", dimensions, z.elb502);
      count("HTTPCode_ELB_503_Count", dimensions, z.elb503);
      count("HTTPCode_ELB_504_Count", dimensions, z.elb504);
    };

    count("RequestCount", { LoadBalancer: lb }, total.requests);
    count("RequestCount", { TargetGroup: tg, LoadBalancer: lb }, total.requests);
    targetMetrics(total, { LoadBalancer: lb });
    targetMetrics(total, { TargetGroup: tg, LoadBalancer: lb });
    elbMetrics(total, { LoadBalancer: lb });
    count("RejectedConnectionCount", { LoadBalancer: lb }, total.rejectedConnections);
    for (const [zone, z] of m.zones) {
      if (zone === ALL) continue;
      targetMetrics(z, { AvailabilityZone: zone, LoadBalancer: lb });
      targetMetrics(z, { TargetGroup: tg, AvailabilityZone: zone, LoadBalancer: lb });
      elbMetrics(z, { AvailabilityZone: zone, LoadBalancer: lb });
    }

    for (const [name, byZone] of [["HealthyHostCount", m.healthy], ["UnHealthyHostCount", m.unhealthy]] as const) {
      for (const [zone, s] of byZone) {
        const dimensions = zone === ALL ? { TargetGroup: tg, LoadBalancer: lb } : { TargetGroup: tg, AvailabilityZone: zone, LoadBalancer: lb };
        this.sink.put({ namespace: ALB_NAMESPACE, name, dimensions, timestamp, statistics: { sampleCount: s.n, sum: s.sum, minimum: s.min, maximum: s.max }, unit: "Count", storageResolution: 60 });
      }
    }
  }

  private minute(at: number): Minute {
    const start = minuteOf(at);
    if (this.current?.start === start) return this.current.minute;
    let m = this.minutes.get(start);
    if (!m) {
      m = { zones: new Map(), zoneNames: [], zoneList: [], healthy: new Map(), unhealthy: new Map() };
      this.minutes.set(start, m);
    }
    this.current = { start, minute: m };
    return m;
  }

  private zone(at: number, zone: string): ZoneMinute {
    // minute()'s usual case written out (the minute of the request before): two calls saved per
    // request, which run in the interpreter or the baseline compiler through a short run.
    const current = this.current;
    const m = current !== undefined && current.start === Math.floor(at / MINUTE) * MINUTE ? current.minute : this.minute(at);
    // A few zones at most: a scan comparing names costs less than the Map's hashing, once a request.
    const names = m.zoneNames;
    for (let i = 0; i < names.length; i++) if (names[i] === zone) return m.zoneList[i]!;
    const z = new ZoneMinute();
    m.zones.set(zone, z);
    names.push(zone);
    m.zoneList.push(z);
    return z;
  }
}

function sample(map: Map<string, Samples>, key: string): Samples {
  let s = map.get(key);
  if (!s) {
    s = new Samples();
    map.set(key, s);
  }
  return s;
}

function add(into: ZoneMinute, z: ZoneMinute): void {
  into.requests += z.requests;
  into.target2xx += z.target2xx;
  into.target4xx += z.target4xx;
  into.target5xx += z.target5xx;
  into.elb502 += z.elb502;
  into.elb503 += z.elb503;
  into.elb504 += z.elb504;
  into.connectionErrors += z.connectionErrors;
  into.rejectedConnections += z.rejectedConnections;
  into.latency.addAll(z.latency);
}
