import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LatencyHistogram } from "../../src/load/histogram.js";
import { LoadMetrics, type ErrorClass } from "../../src/load/metrics.js";
import type { MetricDatum } from "../../src/metrics/datum.js";
import { ReferenceLoadMetrics } from "./reference/load-metrics.js";

// What the sandbox's generator does to its load metrics: outcomes at times that mostly move forward
// but may come late (a 504 is dated when the idle timeout ran out), with flushes in between.
const op = fc.oneof(
  fc.record({ kind: fc.constant("status" as const), dt: fc.integer({ min: -3000, max: 1500 }), status: fc.constantFrom(200, 201, 302, 404, 502, 503, 504, 99, 600), latencyMs: fc.double({ min: 0, max: 70_000, noNaN: true }) }),
  fc.record({ kind: fc.constant("error" as const), dt: fc.integer({ min: -3000, max: 1500 }), error: fc.constantFrom<ErrorClass>("timeout", "refused", "reset", "other") }),
  fc.record({ kind: fc.constant("flush" as const), dt: fc.integer({ min: 0, max: 5000 }) }),
);

describe("LoadMetrics.recordStatus/recordError", () => {
  it("put exactly what the previous record(t, outcome) put, datum for datum, whatever the order of outcomes and flushes", () => {
    fc.assert(
      fc.property(fc.constantFrom(1000, 5000, 60_000), fc.array(op, { maxLength: 300 }), (periodMs, ops) => {
        const got: MetricDatum[] = [];
        const want: MetricDatum[] = [];
        const options = { dimensions: { Service: "web" }, periodMs };
        const now = new LoadMetrics({ put: (d) => got.push(d) }, options);
        const before = new ReferenceLoadMetrics({ put: (d) => want.push(d) }, options);
        let t = 1_700_000_000_000;
        for (const o of ops) {
          t = Math.max(1_700_000_000_000, t + o.dt);
          if (o.kind === "status") {
            now.recordStatus(t, o.status, o.latencyMs);
            before.record(t, { status: o.status, latencyMs: o.latencyMs });
          } else if (o.kind === "error") {
            now.recordError(t, o.error);
            before.record(t, { error: o.error });
          } else {
            now.flush(t);
            before.flush(t);
          }
        }
        now.flush();
        before.flush();
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it("record(t, outcome) still counts as before", () => {
    const got: MetricDatum[] = [];
    const want: MetricDatum[] = [];
    const now = new LoadMetrics({ put: (d) => got.push(d) }, { dimensions: { Url: "u" } });
    const before = new ReferenceLoadMetrics({ put: (d) => want.push(d) }, { dimensions: { Url: "u" } });
    for (const m of [now, before]) {
      m.record(1000, { status: 200, latencyMs: 12 });
      m.record(61_000, { error: "timeout" });
      m.record(2000, { status: 503, latencyMs: 0 });
      m.flush();
    }
    expect(got).toEqual(want);
  });
});

describe("LatencyHistogram.valuesAndCounts", () => {
  it("is buckets() as parallel arrays, each value divided by the unit", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 3_600_000, noNaN: true }), { maxLength: 400 }), fc.constantFrom(1, 1000), (latencies, unit) => {
        const h = new LatencyHistogram();
        for (const ms of latencies) h.record(ms);
        const buckets = h.buckets();
        expect(h.valuesAndCounts(unit)).toEqual({ values: buckets.map(([ms]) => ms / unit), counts: buckets.map(([, c]) => c) });
      }),
      { numRuns: 300 },
    );
  });
});
