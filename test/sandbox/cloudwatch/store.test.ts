import { describe, expect, it } from "vitest";
import { MetricStore } from "../../../src/sandbox/services/cloudwatch/store.js";
import { parseStatistic, type Statistic } from "../../../src/sandbox/services/cloudwatch/statistic.js";
import type { MetricDatum } from "../../../src/sandbox/services/cloudwatch/sink.js";

const T0 = Date.UTC(2024, 0, 1);
const stat = (name: string): Statistic => parseStatistic(name)!;

function store(at = { now: T0 }) {
  return { s: new MetricStore(() => at.now), at };
}

const lat = (timestamp: number, more: Partial<MetricDatum> = {}): MetricDatum => ({ namespace: "App", name: "Latency", dimensions: { Service: "web" }, timestamp, ...more });
const q = (period: number, start: number, end: number, statistic: string, more: Record<string, unknown> = {}) => ({
  namespace: "App",
  name: "Latency",
  dimensions: { Service: "web" },
  period,
  start,
  end,
  statistic: stat(statistic),
  ...more,
});

describe("MetricStore statistics", () => {
  it("computes SampleCount, Sum, Average, Minimum, Maximum per 60-second period", () => {
    const { s } = store();
    s.put(lat(T0 + 1_000, { value: 1 }));
    s.put(lat(T0 + 30_000, { value: 5 }));
    s.put(lat(T0 + 59_999, { values: [3, 9], counts: [2, 1] }));
    s.put(lat(T0 + 60_000, { value: 100 }));
    const get = (name: string) => s.query(q(60, T0, T0 + 120_000, name)).map((p) => p.value);
    expect(get("SampleCount")).toEqual([5, 1]);
    expect(get("Sum")).toEqual([1 + 5 + 3 + 3 + 9, 100]);
    expect(get("Average")).toEqual([21 / 5, 100]);
    expect(get("Minimum")).toEqual([1, 100]);
    expect(get("Maximum")).toEqual([9, 100]);
  });

  it("answers a trimmed count from the values of every bucket in the period, as the wordpress probe counts Lambda timeouts", () => {
    const { s } = store();
    // Durations over a minute, some at the 30 s timeout, in several one-second buckets.
    s.put(lat(T0 + 1_000, { value: 200 }));
    s.put(lat(T0 + 2_000, { values: [30_000, 250], counts: [2, 1] }));
    s.put(lat(T0 + 40_000, { value: 30_000 }));
    const get = (name: string) => s.query(q(60, T0, T0 + 60_000, name))[0]!.value;
    expect(get("TC(29999:)")).toBe(3);
    expect(get("TC(:250)")).toBe(2);
    // Asked beside a statistic that needs no values, in the same request, it still sees them.
    expect(get("SampleCount")).toBe(5);
    expect(get("TC(29999:)")).toBe(3);
  });

  it("answers percentiles by nearest rank from the values, p99.9 included", () => {
    const { s } = store();
    s.put(lat(T0, { values: Array.from({ length: 100 }, (_, i) => i + 1) }));
    s.put(lat(T0 + 1, { value: 1000 }));
    const get = (name: string) => s.query(q(60, T0, T0 + 60_000, name))[0]!.value;
    expect(get("p50")).toBe(51);
    expect(get("p99")).toBe(100);
    expect(get("p99.9")).toBe(1000);
    expect(get("p100")).toBe(1000);
  });

  it("has no percentile once values are known only as StatisticValues, nor for negative values", () => {
    const { s } = store();
    s.put(lat(T0, { statistics: { sampleCount: 3, sum: 6, minimum: 1, maximum: 3 } }));
    expect(s.query(q(60, T0, T0 + 60_000, "p50"))).toEqual([]);
    expect(s.query(q(60, T0, T0 + 60_000, "Average"))[0]!.value).toBe(2);
    s.put(lat(T0 + 60_000, { values: [-1, 2] }));
    expect(s.query(q(60, T0 + 60_000, T0 + 120_000, "p50"))).toEqual([]);
  });

  it("keeps start inclusive and end exclusive, and leaves empty periods out rather than zero", () => {
    const { s } = store();
    s.put(lat(T0, { value: 1 }));
    s.put(lat(T0 + 180_000, { value: 2 }));
    s.put(lat(T0 + 240_000, { value: 3 }));
    const points = s.query(q(60, T0, T0 + 240_000, "Sum"));
    expect(points).toEqual([
      { timestamp: T0, value: 1 },
      { timestamp: T0 + 180_000, value: 2 },
    ]);
  });

  it("sums whole minutes into longer periods counted from the start", () => {
    const { s } = store();
    for (let m = 0; m < 10; m++) s.put(lat(T0 + m * 60_000, { value: 1 }));
    expect(s.query(q(300, T0, T0 + 600_000, "Sum"))).toEqual([
      { timestamp: T0, value: 5 },
      { timestamp: T0 + 300_000, value: 5 },
    ]);
  });

  it("answers 1-, 10- and 30-second periods from high-resolution data only", () => {
    const { s } = store();
    for (let i = 0; i < 40; i++) s.put(lat(T0 + i * 1_000, { value: i, storageResolution: 1 }));
    s.put(lat(T0, { value: 1000 })); // standard resolution: a minute, which a 10-second period cannot split
    expect(s.query(q(1, T0, T0 + 3_000, "Sum")).map((p) => p.value)).toEqual([0, 1, 2]);
    expect(s.query(q(10, T0, T0 + 40_000, "SampleCount")).map((p) => p.value)).toEqual([10, 10, 10, 10]);
    expect(s.query(q(30, T0, T0 + 60_000, "Maximum")).map((p) => p.value)).toEqual([29, 39]);
    expect(s.query(q(60, T0, T0 + 60_000, "Maximum")).map((p) => p.value)).toEqual([1000]);
  });

  it("matches a metric by its exact dimensions and, when asked, its unit", () => {
    const { s } = store();
    s.put(lat(T0, { value: 1, unit: "Milliseconds" }));
    s.put({ namespace: "App", name: "Latency", dimensions: { Service: "web", AZ: "a" }, timestamp: T0, value: 50 });
    expect(s.query(q(60, T0, T0 + 60_000, "Sum")).map((p) => p.value)).toEqual([1]);
    expect(s.query(q(60, T0, T0 + 60_000, "Sum", { unit: "Milliseconds" })).map((p) => p.value)).toEqual([1]);
    expect(s.query(q(60, T0, T0 + 60_000, "Sum", { unit: "Seconds" }))).toEqual([]);
    expect(s.query(q(60, T0, T0 + 60_000, "Sum", { dimensions: { AZ: "a", Service: "web" } })).map((p) => p.value)).toEqual([50]);
  });
});

describe("MetricStore metric identity", () => {
  it("files a put under the dimensions its object holds at that put, even when a publisher reuses and changes the object", () => {
    const { s } = store();
    const dimensions: Record<string, string> = { Service: "web" };
    s.put({ namespace: "App", name: "Latency", dimensions, timestamp: T0, value: 1 });
    dimensions.Service = "api";
    s.put({ namespace: "App", name: "Latency", dimensions, timestamp: T0, value: 2 });
    const frozen = Object.freeze({ Service: "web" });
    s.put({ namespace: "App", name: "Latency", dimensions: frozen, timestamp: T0, value: 4 });
    expect(s.query(q(60, T0, T0 + 60_000, "Sum")).map((p) => p.value)).toEqual([5]);
    expect(s.query(q(60, T0, T0 + 60_000, "Sum", { dimensions: { Service: "api" } })).map((p) => p.value)).toEqual([2]);
  });
});

describe("MetricStore retention", () => {
  it("folds 1-second data older than 3 hours into minutes, which still answer 60-second periods", () => {
    const { s, at } = store();
    for (let i = 0; i < 60; i++) s.put(lat(T0 + i * 1_000, { value: 2, storageResolution: 1 }));
    expect(s.query(q(1, T0, T0 + 60_000, "Sum"))).toHaveLength(60);
    at.now = T0 + 3 * 3_600_000 + 120_000;
    s.put(lat(at.now, { value: 1, storageResolution: 1 }));
    expect(s.query(q(1, T0, T0 + 60_000, "Sum"))).toEqual([]);
    expect(s.query(q(60, T0, T0 + 60_000, "Sum"))).toEqual([{ timestamp: T0, value: 120 }]);
  });

  it("holds memory bounded through a 17-hour run that publishes every second", () => {
    const { s, at } = store();
    const hours = 17;
    for (let t = 0; t < hours * 3_600; t++) {
      at.now = T0 + t * 1_000;
      s.put(lat(at.now, { value: t % 7, storageResolution: 1 }));
    }
    // 3 hours of seconds plus a minute per older minute (and the minute being folded).
    expect(s.bucketCount).toBeLessThanOrEqual(3 * 3_600 + 60 + (hours - 3) * 60 + 1);
    const hour = s.query(q(3_600, T0, T0 + 3_600_000, "SampleCount"));
    expect(hour).toEqual([{ timestamp: T0, value: 3_600 }]);
  });
});

describe("MetricStore listing", () => {
  it("lists metrics by namespace, name and dimension filters, and by recent activity", () => {
    const { s, at } = store();
    s.put(lat(T0, { value: 1 }));
    s.put({ namespace: "App", name: "Errors", dimensions: { Service: "api" }, timestamp: T0, value: 1 });
    s.put({ namespace: "AWS/Kinesis", name: "IncomingRecords", dimensions: { StreamName: "logs" }, timestamp: T0, value: 1 });
    expect(s.list({ namespace: "App" }).map((m) => m.name)).toEqual(["Errors", "Latency"]);
    expect(s.list({ dimensions: [{ name: "Service", value: "web" }] }).map((m) => m.name)).toEqual(["Latency"]);
    expect(s.list({ dimensions: [{ name: "StreamName" }] }).map((m) => m.namespace)).toEqual(["AWS/Kinesis"]);
    at.now = T0 + 4 * 3_600_000;
    s.put(lat(at.now, { value: 1 }));
    expect(s.list({ recentlyActiveMs: 3 * 3_600_000 }).map((m) => m.name)).toEqual(["Latency"]);
  });
});

describe("MetricStore percentiles over many distinct values", () => {
  it("keeps a bucket's values bounded, its percentiles within 0.5% and its other statistics exact", () => {
    const { s, at } = store();
    // A minute of per-request latencies, each distinct, as a 17-hour run's busy minutes would be.
    const n = 50_000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = 0.05 + i * 0.00001234;
      sum += v;
      s.put(lat(T0 + (i % 60) * 1_000, { value: v }));
    }
    at.now = T0 + 60_000;
    const p = (name: string) => s.query(q(60, T0, T0 + 60_000, name))[0]!.value;
    const exactP90 = 0.05 + (Math.ceil(0.9 * n) - 1) * 0.00001234;
    expect(Math.abs(p("p90") - exactP90) / exactP90).toBeLessThan(0.005);
    expect(p("SampleCount")).toBe(n);
    expect(p("Sum")).toBeCloseTo(sum, 6);
    expect(p("Maximum")).toBeCloseTo(0.05 + (n - 1) * 0.00001234, 12);
    const bucket = [...(s as unknown as { series: Map<string, { byUnit: Map<string, { coarse: Map<number, { values: Map<number, number> }> }> }> }).series.values()][0]!
      .byUnit.get("None")!.coarse.get(T0)!;
    expect(bucket.values.size).toBeLessThanOrEqual(4_096);
  });
});
