import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MetricStore } from "../../../src/sandbox/services/cloudwatch/store.js";
import { parseStatistic } from "../../../src/sandbox/services/cloudwatch/statistic.js";
import type { MetricDatum } from "../../../src/sandbox/services/cloudwatch/sink.js";
import { MapMetricStore } from "./reference/map-store.js";
import { PackedMetricStore } from "./reference/packed-store/store.js";

// The store holds seconds in per-minute arrays and finds series through an index; the store it
// replaced (a Map per tier, kept in reference/) is the oracle: every answer must be the same.
// So is the store before the put fast paths (series found by a frozen dimension set, puts in time
// order appended without a lookup, retention folding a minute's seconds into one lookup), kept in
// reference/packed-store/.
const T0 = Date.UTC(2024, 0, 1);
const STATISTICS = ["SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "p99", "TC(100:500)"].map((s) => parseStatistic(s)!);
const SHIPPER = Object.freeze({ Stream: "logs", Host: "h1" });
const METRICS = [
  { namespace: "App", name: "Latency", dimensions: { Service: "web" } },
  { namespace: "App", name: "Latency", dimensions: { Service: "web", AZ: "a" } },
  { namespace: "Gameday/LogShipper", name: "Delivered", dimensions: SHIPPER },
  // One frozen set for several metrics, and under another namespace with the same name.
  { namespace: "Gameday/LogShipper", name: "Spooled", dimensions: SHIPPER },
  { namespace: "Other", name: "Delivered", dimensions: SHIPPER },
  // Another frozen object with the same dimensions: the same metric as the first of them.
  { namespace: "Gameday/LogShipper", name: "Delivered", dimensions: Object.freeze({ Host: "h1", Stream: "logs" }) },
];

type Put = { metric: number; late: number; highRes: boolean; value?: number; values?: number[]; ascending?: boolean; chunked?: boolean; counts?: number[]; stats?: number; unit: string };
const STATISTIC_SETS = [
  { sampleCount: 3, sum: 12, minimum: 1, maximum: 7 },
  // Minimum = maximum: the set says which value was put, so percentiles stay.
  { sampleCount: 4, sum: 8, minimum: 2, maximum: 2 },
  { sampleCount: 0, sum: 0, minimum: 5, maximum: 5 },
];
type Step = { advance: number; put: Put } | { query: { metric: number; period: number; back: number; span: number; unit?: string } };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      advance: fc.constantFrom(0, 0, 1_000, 5_000, 30_000, 60_000, 600_000, 3_600_000),
      put: fc.record(
        {
          metric: fc.nat(METRICS.length - 1),
          late: fc.constantFrom(0, 0, 0, 1_000, 30_000, 90_000, 300_000, 3_600_000, 3 * 3_600_000 + 30_000),
          highRes: fc.boolean(),
          value: fc.oneof(fc.constantFrom(0, -0, 1, 7), fc.double({ min: -10, max: 1_000, noNaN: true })),
          // Sevenths, and latencies as publishers put them: whole milliseconds, and ms / 1000 (packed buckets keep those in fewer bytes).
          values: fc.array(fc.oneof(fc.integer({ min: 0, max: 3_000 }).map((v) => v / 7), fc.integer({ min: 0, max: 3_000 }).map((v) => v / 1_000), fc.integer({ min: 0, max: 300_000 }).map((v) => v / 1_000 / 1_000), fc.constantFrom(-0, -1)), { maxLength: 30 }),
          // As publishers put distributions: each value once, in increasing order.
          ascending: fc.boolean(),
          // An ascending distribution put in two datums, as a publisher cuts one at PutMetricData's 150 values.
          chunked: fc.boolean(),
          counts: fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 30 }),
          stats: fc.nat(STATISTIC_SETS.length * 2),
          unit: fc.constantFrom("Seconds", "Count"),
        },
        { requiredKeys: ["metric", "late", "highRes", "unit"] },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        query: fc.record(
          {
            metric: fc.nat(METRICS.length - 1),
            period: fc.constantFrom(1, 5, 60, 300, 3_600),
            back: fc.integer({ min: 0, max: 6 * 3_600_000 }),
            span: fc.integer({ min: 1_000, max: 6 * 3_600_000 }),
            unit: fc.constantFrom("Seconds", "Count"),
          },
          { requiredKeys: ["metric", "period", "back", "span"] },
        ),
      },
    ),
  },
);

function datums(at: number, p: Put): MetricDatum[] {
  const d: MetricDatum = { ...METRICS[p.metric]!, timestamp: at - p.late, unit: p.unit };
  if (p.highRes) d.storageResolution = 1;
  const stats = STATISTIC_SETS[p.stats ?? STATISTIC_SETS.length];
  if (stats) d.statistics = stats;
  else if (p.values && p.values.length > 0) {
    d.values = p.ascending ? [...new Set(p.values)].sort((a, b) => a - b) : p.values;
    if (p.counts && p.counts.length > 0) d.counts = p.counts;
    if (p.ascending && p.chunked && d.values.length > 1) {
      const cut = Math.ceil(d.values.length / 2);
      const counts = d.counts;
      return [
        { ...d, values: d.values.slice(0, cut), ...(counts ? { counts: counts.slice(0, cut) } : {}) },
        { ...d, values: d.values.slice(cut), ...(counts && counts.length > cut ? { counts: counts.slice(cut) } : {}) },
      ];
    }
  } else d.value = p.value ?? 1;
  return [d];
}

function replay(steps: Step[], packAfterMs?: number): void {
  let now = T0;
  const store = packAfterMs === undefined ? new MetricStore(() => now) : new MetricStore(() => now, packAfterMs);
  const oracle = packAfterMs === undefined ? new MapMetricStore(() => now) : new MapMetricStore(() => now, packAfterMs);
  const previous = packAfterMs === undefined ? new PackedMetricStore(() => now) : new PackedMetricStore(() => now, packAfterMs);
  for (const s of steps) {
    if ("put" in s) {
      now += s.advance;
      for (const d of datums(now, s.put)) {
        store.put(d);
        oracle.put(d);
        previous.put(d);
      }
      continue;
    }
    const start = now - s.query.back;
    const metric = METRICS[s.query.metric]!;
    for (const statistic of STATISTICS) {
      const query = { ...metric, period: s.query.period, start, end: start + s.query.span, statistic, ...(s.query.unit === undefined ? {} : { unit: s.query.unit }) };
      const answer = store.query(query);
      expect(answer).toEqual(oracle.query(query));
      expect(answer).toEqual(previous.query(query));
    }
    expect(store.units(metric)).toEqual(oracle.units(metric));
    expect(store.units(metric)).toEqual(previous.units(metric));
    expect(store.list({ recentlyActiveMs: s.query.back })).toEqual(oracle.list({ recentlyActiveMs: s.query.back }));
    expect(store.list({ recentlyActiveMs: s.query.back })).toEqual(previous.list({ recentlyActiveMs: s.query.back }));
  }
  expect(store.bucketCount).toBe(oracle.bucketCount);
  expect(store.bucketCount).toBe(previous.bucketCount);
  expect(store.list()).toEqual(oracle.list());
}

describe("MetricStore answers exactly as the Map-based store it replaced", () => {
  it("keeps the metrics of a dimension object that changes between puts apart (only frozen sets are remembered)", () => {
    const now = T0;
    const store = new MetricStore(() => now);
    const previous = new PackedMetricStore(() => now);
    const dimensions: Record<string, string> = { Service: "web" };
    for (const service of ["web", "api", "web", "worker"]) {
      dimensions.Service = service;
      for (const s of [store, previous]) s.put({ namespace: "App", name: "Requests", dimensions, timestamp: now, value: service.length, unit: "Count" });
    }
    expect(store.list()).toEqual(previous.list());
    expect(store.list().map((m) => m.dimensions.Service)).toEqual(["api", "web", "worker"]);
    const sum = parseStatistic("Sum")!;
    for (const service of ["web", "api", "worker"]) {
      const q = { namespace: "App", name: "Requests", dimensions: { Service: service }, period: 60, start: now, end: now + 60_000, statistic: sum };
      expect(store.query(q)).toEqual(previous.query(q));
    }
  });

  it("gives the same datapoints for every statistic, unit, period and range, through retention and late puts", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => replay(steps)),
      { numRuns: 200 },
    );
  });

  it("does so with buckets packed as soon as their period ends, and with packing off", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), fc.constantFrom(0, Number.POSITIVE_INFINITY), (steps, packAfterMs) => replay(steps, packAfterMs)),
      { numRuns: 100 },
    );
  });

  it("answers a 17-hour run of per-second data, folded into minutes after 3 hours, as the old store did", () => {
    let now = T0;
    const store = new MetricStore(() => now);
    const oracle = new MapMetricStore(() => now);
    const dims = Object.freeze({ Service: "web" });
    for (let t = 0; t < 17 * 3_600; t++) {
      now = T0 + t * 1_000;
      const d: MetricDatum = { namespace: "Gameday/LoadGenerator", name: "RequestCount", dimensions: dims, timestamp: now, value: (t * 7919) % 101, unit: "Count", storageResolution: 1 };
      store.put(d);
      oracle.put(d);
      if (t % 5 === 0) {
        const latency: MetricDatum = { namespace: d.namespace, name: "TargetResponseTime", dimensions: dims, timestamp: now, values: [0.012, 0.02 + (t % 13) / 1000, 0.3], counts: [3, 1 + (t % 4), 1], unit: "Seconds", storageResolution: 1 };
        store.put(latency);
        oracle.put(latency);
      }
    }
    for (const name of ["RequestCount", "TargetResponseTime"]) {
      for (const [period, back] of [[1, 600_000], [60, 17 * 3_600_000], [300, 4 * 3_600_000]] as const) {
        for (const statistic of STATISTICS) {
          const query = { namespace: "Gameday/LoadGenerator", name, dimensions: { Service: "web" }, period, start: now - back, end: now + 1_000, statistic };
          expect(store.query(query)).toEqual(oracle.query(query));
        }
      }
    }
    expect(store.bucketCount).toBe(oracle.bucketCount);
  });
});
