/**
 * A MetricSink that publishes through CloudWatch PutMetricData: what the load generator measured on
 * a real target becomes metrics a probe (or a dashboard) reads the way it reads an ALB's. Datums put
 * in the same turn of the event loop go out together, one call per namespace and at most 1000 datums
 * per call (PutMetricData's limit). A failed call is counted and remembered, never thrown: the
 * generator's schedule must not stop because CloudWatch said no.
 */
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum as CwDatum, type StandardUnit } from "./sdk/cloudwatch.js";
import type { MetricDatum } from "../metrics/datum.js";

/** What the sink takes: the shared datum shape (src/metrics/datum.ts). */
export type SinkDatum = MetricDatum;

/** PutMetricData takes at most this many datums per call. */
export const MAX_DATUMS_PER_CALL = 1000;

export interface PublishStats {
  calls: number;
  published: number;
  /** Datums in calls that failed. */
  failed: number;
  lastError?: string;
}

export class CloudWatchSink {
  private pending: SinkDatum[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly storedListeners: ((datums: readonly SinkDatum[]) => void)[] = [];
  readonly stats: PublishStats = { calls: 0, published: 0, failed: 0 };

  constructor(private readonly client: () => Promise<CloudWatchClient>) {}

  /** Calls `listener` with the datums of each PutMetricData that succeeded (not those of a failed one). */
  onStored(listener: (datums: readonly SinkDatum[]) => void): void {
    this.storedListeners.push(listener);
  }

  put(datum: SinkDatum): void {
    if (this.pending.length === 0) queueMicrotask(() => this.send());
    this.pending.push(datum);
  }

  /** Sends what is pending and resolves when every call so far has ended. */
  async flush(): Promise<void> {
    this.send();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private send(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const byNamespace = new Map<string, SinkDatum[]>();
    for (const d of batch) {
      const list = byNamespace.get(d.namespace);
      if (list) list.push(d);
      else byNamespace.set(d.namespace, [d]);
    }
    for (const [namespace, datums] of byNamespace) {
      for (let i = 0; i < datums.length; i += MAX_DATUMS_PER_CALL) this.call(namespace, datums.slice(i, i + MAX_DATUMS_PER_CALL));
    }
  }

  private call(namespace: string, datums: SinkDatum[]): void {
    this.stats.calls++;
    const call = this.client()
      .then((cw) => cw.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: datums.map(toCloudWatch) })))
      .then(
        () => {
          this.stats.published += datums.length;
          for (const listener of this.storedListeners) listener(datums);
        },
        (err: unknown) => {
          this.stats.failed += datums.length;
          this.stats.lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        },
      );
    this.inFlight.add(call);
    void call.then(() => this.inFlight.delete(call));
  }
}

function toCloudWatch(d: SinkDatum): CwDatum {
  return {
    MetricName: d.name,
    Dimensions: Object.entries(d.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Timestamp: new Date(d.timestamp),
    ...(d.value !== undefined ? { Value: d.value } : {}),
    ...(d.values ? { Values: [...d.values] } : {}),
    ...(d.counts ? { Counts: [...d.counts] } : {}),
    ...(d.statistics
      ? { StatisticValues: { SampleCount: d.statistics.sampleCount, Sum: d.statistics.sum, Minimum: d.statistics.minimum, Maximum: d.statistics.maximum } }
      : {}),
    ...(d.unit ? { Unit: d.unit as StandardUnit } : {}),
    ...(d.storageResolution ? { StorageResolution: d.storageResolution } : {}),
  };
}
