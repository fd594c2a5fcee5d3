/**
 * AWS/CloudFront as a distribution publishes it (programming-cloudwatch-metrics.html): per minute,
 * in us-east-1 whatever the origin's Region, with dimensions DistributionId and Region=Global, only
 * for minutes with requests:
 * - Requests (Sum); 4xxErrorRate, 5xxErrorRate, TotalErrorRate (Average, Percent of all viewer
 *   requests);
 * - with additional metrics enabled: CacheHitRate (Average, Percent of cacheable requests, which
 *   leaves out errors), OriginLatency (percentiles, ms, for requests that went to the origin),
 *   401/403/404/502/503/504ErrorRate (Average, Percent).
 * A rate is put as one value per minute, so an Average over several minutes weighs each minute
 * alike, as it does on AWS.
 */
import type { MetricSink } from "../cloudwatch/sink.js";
import { minuteOf, putDistribution } from "../../metrics/period.js";

export const CLOUDFRONT_NAMESPACE = "AWS/CloudFront";
const CODES = [401, 403, 404, 502, 503, 504] as const;

interface Minute {
  requests: number;
  c4xx: number;
  c5xx: number;
  byCode: Map<number, number>;
  hits: number;
  origin: Map<number, number>;
}

export class DistributionMetrics {
  private readonly minutes = new Map<number, Minute>();
  private readonly dimensions: { DistributionId: string; Region: string };

  constructor(
    private readonly sink: MetricSink,
    distributionId: string,
    private readonly additional: boolean,
  ) {
    this.dimensions = { DistributionId: distributionId, Region: "Global" };
  }

  /** One viewer request answered at `at`; `fromCache` when no origin request was made for it; `originMs` when one was. */
  record(at: number, status: number, fromCache: boolean, originMs: number | undefined): void {
    const key = minuteOf(at);
    let m = this.minutes.get(key);
    if (!m) this.minutes.set(key, (m = { requests: 0, c4xx: 0, c5xx: 0, byCode: new Map(), hits: 0, origin: new Map() }));
    m.requests++;
    if (status >= 400 && status < 500) m.c4xx++;
    if (status >= 500) m.c5xx++;
    m.byCode.set(status, (m.byCode.get(status) ?? 0) + 1);
    if (fromCache && status < 400) m.hits++;
    if (originMs !== undefined) {
      const ms = Math.round(originMs);
      m.origin.set(ms, (m.origin.get(ms) ?? 0) + 1);
    }
  }

  /** Puts every minute that ended by `now`. */
  flush(now: number): void {
    const current = minuteOf(now);
    for (const [minute, m] of [...this.minutes].sort(([a], [b]) => a - b)) {
      if (minute >= current) break;
      this.minutes.delete(minute);
      const base = { namespace: CLOUDFRONT_NAMESPACE, dimensions: this.dimensions, timestamp: minute, storageResolution: 60 as const };
      const percent = (name: string, n: number, of: number) => this.sink.put({ ...base, name, unit: "Percent", value: of > 0 ? (100 * n) / of : 0 });
      this.sink.put({ ...base, name: "Requests", unit: "None", value: m.requests });
      percent("4xxErrorRate", m.c4xx, m.requests);
      percent("5xxErrorRate", m.c5xx, m.requests);
      percent("TotalErrorRate", m.c4xx + m.c5xx, m.requests);
      if (!this.additional) continue;
      const cacheable = m.requests - m.c4xx - m.c5xx;
      if (cacheable > 0) percent("CacheHitRate", m.hits, cacheable);
      for (const code of CODES) percent(`${code}ErrorRate`, m.byCode.get(code) ?? 0, m.requests);
      if (m.origin.size > 0) putDistribution(this.sink, { ...base, name: "OriginLatency", unit: "Milliseconds" }, m.origin);
    }
  }
}
