/**
 * AWS/ApiGateway as an HTTP API publishes it (http-api-metrics.html), per minute, by ApiId and
 * Stage, only for minutes with requests:
 * - Count: every request the API received (Sum);
 * - 4xx, 5xx: each request worth 0 or 1, so Sum is the count and Average the rate, as API Gateway
 *   documents for its error metrics (api-gateway-metrics-and-dimensions.html);
 * - Latency: from receiving the request to answering it, ms (a distribution: percentiles work);
 * - IntegrationLatency: from relaying the request to the integration to its answer, ms, for
 *   requests that reached the integration.
 */
import type { MetricSink } from "../cloudwatch/sink.js";
import { minuteOf, putDistribution } from "../../metrics/period.js";

export const APIGATEWAY_NAMESPACE = "AWS/ApiGateway";

interface Minute {
  count: number;
  c4xx: number;
  c5xx: number;
  latency: Map<number, number>;
  integration: Map<number, number>;
}

const empty = (): Minute => ({ count: 0, c4xx: 0, c5xx: 0, latency: new Map(), integration: new Map() });
const ms = (v: number) => Math.round(v);

export class HttpApiMetrics {
  private readonly minutes = new Map<number, Minute>();

  constructor(
    private readonly sink: MetricSink,
    private readonly dimensions: { ApiId: string; Stage: string },
  ) {}

  /** One answered request, counted in the minute it was answered. */
  record(at: number, status: number, latencyMs: number, integrationMs: number | undefined): void {
    const key = minuteOf(at);
    let m = this.minutes.get(key);
    if (!m) this.minutes.set(key, (m = empty()));
    m.count++;
    if (status >= 400 && status < 500) m.c4xx++;
    if (status >= 500) m.c5xx++;
    m.latency.set(ms(latencyMs), (m.latency.get(ms(latencyMs)) ?? 0) + 1);
    if (integrationMs !== undefined) m.integration.set(ms(integrationMs), (m.integration.get(ms(integrationMs)) ?? 0) + 1);
  }

  /** Puts every minute that ended by `now`. */
  flush(now: number): void {
    const current = minuteOf(now);
    for (const [minute, m] of [...this.minutes].sort(([a], [b]) => a - b)) {
      if (minute >= current) break;
      this.minutes.delete(minute);
      const base = { namespace: APIGATEWAY_NAMESPACE, dimensions: this.dimensions, timestamp: minute, storageResolution: 60 as const };
      this.sink.put({ ...base, name: "Count", unit: "Count", statistics: { sampleCount: m.count, sum: m.count, minimum: 1, maximum: 1 } });
      // Each request a 0 or a 1: Sum is the count, Average the rate.
      const zeroOrOne = (n: number) => (n === 0 ? { values: [0], counts: [m.count] } : n === m.count ? { values: [1], counts: [n] } : { values: [0, 1], counts: [m.count - n, n] });
      this.sink.put({ ...base, name: "4xx", unit: "Count", ...zeroOrOne(m.c4xx) });
      this.sink.put({ ...base, name: "5xx", unit: "Count", ...zeroOrOne(m.c5xx) });
      putDistribution(this.sink, { ...base, name: "Latency", unit: "Milliseconds" }, m.latency);
      if (m.integration.size > 0) putDistribution(this.sink, { ...base, name: "IntegrationLatency", unit: "Milliseconds" }, m.integration);
    }
  }
}
