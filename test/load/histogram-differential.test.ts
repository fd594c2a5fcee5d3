/**
 * The latency histogram with record() and valuesAndCounts() written out: every latency must land
 * in the bucket it landed in before, and the buckets, values, counts, percentiles and summary read
 * back must be the previous histogram's, value for value, whatever the latencies (sub-µs, exact
 * below 64 µs, the log-linear octaves, past the 36-minute integer range) and however they merge.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LatencyHistogram } from "../../src/load/histogram.js";
import { ReferenceLatencyHistogram } from "./reference/histogram.js";

const latency = fc.oneof(
  fc.double({ min: -5, max: 0.07, noNaN: true }),
  fc.double({ min: 0, max: 70_000, noNaN: true }),
  fc.double({ min: 0, max: 1e13, noNaN: true }),
  fc.integer({ min: 0, max: 5_000_000 }).map((us) => us / 1000),
  fc.constantFrom(0, -0, 0.0635, 0.064, 0.0645, 2 ** 31 / 1000, (2 ** 31 - 1) / 1000, 2 ** 40 / 1000),
);

type H = { record(ms: number): void; buckets(): [number, number][]; valuesAndCounts(unit?: number): { values: number[]; counts: number[] }; summary(): unknown; quantile(q: number): number; count: number };

function readBack(h: H, unit: number): unknown {
  return { buckets: h.buckets(), vc: h.valuesAndCounts(unit), summary: h.summary(), q: [0, 0.001, 0.5, 0.999, 1].map((q) => h.quantile(q)), count: h.count };
}

describe("the latency histogram", () => {
  it("reads back what the previous histogram read back, after the same latencies", () => {
    fc.assert(
      fc.property(fc.array(latency, { maxLength: 300 }), fc.constantFrom(1, 1000, 7), (values, unit) => {
        const now = new LatencyHistogram();
        const before = new ReferenceLatencyHistogram();
        for (const v of values) {
          now.record(v);
          before.record(v);
        }
        expect(readBack(now, unit)).toEqual(readBack(before, unit));
      }),
      { numRuns: 500 },
    );
  });

  it("merges as the previous histogram merged", () => {
    fc.assert(
      fc.property(fc.array(latency, { maxLength: 100 }), fc.array(latency, { maxLength: 100 }), (a, b) => {
        const [nowA, nowB, beforeA, beforeB] = [new LatencyHistogram(), new LatencyHistogram(), new ReferenceLatencyHistogram(), new ReferenceLatencyHistogram()];
        for (const v of a) (nowA.record(v), beforeA.record(v));
        for (const v of b) (nowB.record(v), beforeB.record(v));
        nowA.add(nowB);
        beforeA.add(beforeB);
        expect(readBack(nowA, 1000)).toEqual(readBack(beforeA, 1000));
      }),
      { numRuns: 200 },
    );
  });

  it("still rejects a latency that is not a finite number", () => {
    for (const bad of [NaN, Infinity, -Infinity]) expect(() => new LatencyHistogram().record(bad)).toThrow(`latency histogram: expected a finite latency in ms, found ${bad}`);
  });
});
