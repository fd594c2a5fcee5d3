/** A MetricSink that keeps every datum, for asserting what a publisher put. */
import type { MetricDatum, MetricSink } from "../../../src/sandbox/services/cloudwatch/sink.js";

export class RecordingSink implements MetricSink {
  readonly datums: MetricDatum[] = [];
  put(datum: MetricDatum): void {
    this.datums.push(datum);
  }
  /** Datums of one metric whose dimensions are exactly `dimensions`. */
  find(name: string, dimensions: Record<string, string>): MetricDatum[] {
    const key = JSON.stringify(Object.entries(dimensions).sort());
    return this.datums.filter((d) => d.name === name && JSON.stringify(Object.entries(d.dimensions).sort()) === key);
  }
  /** The total a metric's datums add up to (values, values x counts, or statistics' sums). */
  sum(name: string, dimensions: Record<string, string>): number {
    return this.find(name, dimensions).reduce((n, d) => n + total(d), 0);
  }
  names(): string[] {
    return [...new Set(this.datums.map((d) => d.name))].sort();
  }
}

export function total(d: MetricDatum): number {
  if (d.statistics) return d.statistics.sum;
  if (d.values) return d.values.reduce((n, v, i) => n + v * (d.counts?.[i] ?? 1), 0);
  return d.value ?? 0;
}
