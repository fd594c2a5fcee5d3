/**
 * One metric datum and a sink for it: the shape of CloudWatch's PutMetricData, shared by everything
 * that publishes metrics (the sandbox's services and workloads, the real-target load generator, the
 * PutMetricData client sink). A leaf module, so that sandbox/, load/ and aws/ can all use it without
 * importing one another.
 *
 * Publishers aggregate before they put (one datum per metric and period, with Values/Counts for
 * distributions), as AWS's own services do: a datum per request would cost dearly.
 */
export interface MetricDatum {
  namespace: string;
  name: string;
  /** Dimension name to value, e.g. { LoadBalancer: "app/web/0123456789abcdef" }. */
  dimensions: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch, on the target's clock. */
  timestamp: number;
  /** One value, or a distribution as `values` with optional `counts` (as PutMetricData's Values/Counts). */
  value?: number;
  values?: readonly number[];
  counts?: readonly number[];
  /** Pre-aggregated statistics (PutMetricData's StatisticValues); percentiles are then unavailable. */
  statistics?: { sampleCount: number; sum: number; minimum: number; maximum: number };
  /** CloudWatch unit name ("Count", "Seconds", "Milliseconds", "Bytes", "Percent", "None", ...). */
  unit?: string;
  /** 1 for high resolution (custom metrics only), 60 (default) for standard. */
  storageResolution?: 1 | 60;
}

export interface MetricSink {
  put(datum: MetricDatum): void;
}
