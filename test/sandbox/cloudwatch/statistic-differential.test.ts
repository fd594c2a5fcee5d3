import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { addValue, emptyAggregate, type Aggregate } from "../../../src/sandbox/services/cloudwatch/aggregate.js";
import { computeStatistic, parseStatistic, sortValues } from "../../../src/sandbox/services/cloudwatch/statistic.js";
import { computeStatistic as referenceStatistic, parseStatistic as referenceParse } from "./reference/statistic.js";

// Percentiles read the values through sortValues (the typed array's numeric sort); the comparator
// sort of [value, count] pairs it replaced (reference/statistic.ts) is the oracle: every statistic
// of every aggregate must come out the same, bit for bit.
const NAMES = ["SampleCount", "Sum", "Average", "Minimum", "Maximum", "p0.1", "p1", "p50", "p90", "p95", "p99", "p99.9", "p100", "TC(100:500)"];

/** Values as a latency window's (a few hundred, often repeated), with the odd sign, zero, infinity or NaN. */
const value = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 2_000 }).map((n) => n / 1000) },
  { weight: 3, arbitrary: fc.double({ noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, Infinity, -Infinity, Number.NaN, Number.MIN_VALUE, -1) },
);
/** Whole counts as publishers put them, and fractional ones (PutMetricData's Counts are doubles). */
const count = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 50 }) }, { weight: 1, arbitrary: fc.double({ min: 0.001, max: 10, noNaN: true }) });

function aggregateOf(puts: [number, number][]): Aggregate {
  const a = emptyAggregate();
  for (const [v, c] of puts) addValue(a, v, c);
  return a;
}

describe("CloudWatch statistics: percentiles from sortValues against the pairs' comparator sort", () => {
  it("gives every statistic exactly as before, NaN, infinities, negative values and fractional counts included", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, count), { maxLength: 400 }), (puts) => {
        const a = aggregateOf(puts);
        for (const name of NAMES) expect(Object.is(computeStatistic(a, parseStatistic(name)!), referenceStatistic(a, referenceParse(name)!))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("sorts the values ascending with each one's count beside it, and totals the counts", () => {
    const a = aggregateOf([
      [0.3, 2],
      [0.01, 5],
      [0.3, 1],
      [7, 1],
      [0.2, 0.5],
    ]);
    const sorted = sortValues(a);
    expect([...sorted.values]).toEqual([0.01, 0.2, 0.3, 7]);
    expect([...sorted.counts]).toEqual([5, 0.5, 3, 1]);
    expect(sorted.total).toBe(9.5);
    // Nearest rank: 95% of 9.5 samples is rank 10 (ceil 9.025), past every count but the last.
    expect(computeStatistic(a, parseStatistic("p95")!)).toBe(7);
    // 50%: rank 5 (ceil 4.75), which 0.01's 5 reach; 60%: rank 6 (ceil 5.7), past 0.2's half sample.
    expect(computeStatistic(a, parseStatistic("p50")!)).toBe(0.01);
    expect(computeStatistic(a, parseStatistic("p60")!)).toBe(0.3);
  });
});
