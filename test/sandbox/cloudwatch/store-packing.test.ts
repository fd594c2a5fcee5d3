import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MetricStore } from "../../../src/sandbox/services/cloudwatch/store.js";
import { parseStatistic } from "../../../src/sandbox/services/cloudwatch/statistic.js";
import type { MetricDatum } from "../../../src/sandbox/services/cloudwatch/sink.js";

const T0 = Date.UTC(2024, 0, 1);
const STATISTICS = ["SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "p99", "p99.9"].map((s) => parseStatistic(s)!);

type Step = { advance: number; put: { late: number; again: number; highRes: boolean; value?: number; values?: number[]; stats?: boolean; unit: string } } | { query: { period: number; back: number; span: number } };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      // On a 30-second grid, so that late puts land in buckets that exist (and may be packed).
      advance: fc.constantFrom(0, 30_000, 60_000, 120_000, 600_000),
      put: fc.record(
        {
          late: fc.constantFrom(0, 0, 30_000, 60_000, 90_000, 300_000, 3_600_000, 3 * 3_600_000 + 30_000),
          // Also put into the bucket of an earlier put (by index): late data into a packed bucket.
          again: fc.nat(),
          highRes: fc.boolean(),
          // 0 and -0 too: a bucket of one sample is kept as its bare value, and 0 is one.
          value: fc.oneof(fc.constantFrom(0, -0), fc.double({ min: -10, max: 1_000, noNaN: true })),
          values: fc.array(fc.integer({ min: 0, max: 3_000 }).map((v) => v / 7), { maxLength: 40 }),
          stats: fc.boolean(),
          unit: fc.constantFrom("Seconds", "Count"),
        },
        { requiredKeys: ["late", "again", "highRes", "unit"] },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ query: fc.record({ period: fc.constantFrom(1, 10, 60, 300), back: fc.integer({ min: 0, max: 5 * 3_600_000 }), span: fc.integer({ min: 1_000, max: 3 * 3_600_000 }) }) }) },
);

function datum(at: number, p: Extract<Step, { put: unknown }>["put"]): MetricDatum {
  const d: MetricDatum = { namespace: "App", name: "Latency", dimensions: { Service: "web" }, timestamp: at - p.late, unit: p.unit };
  if (p.highRes) d.storageResolution = 1;
  if (p.stats) d.statistics = { sampleCount: 3, sum: 12, minimum: 1, maximum: 7 };
  else if (p.values && p.values.length > 0) d.values = p.values;
  else d.value = p.value ?? 1;
  return d;
}

describe("MetricStore packs buckets no longer written without changing any answer", () => {
  it("answers every statistic as a store that never packs, under random puts (late ones included) and queries", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        let now = T0;
        const packing = new MetricStore(() => now, 0);
        const plain = new MetricStore(() => now, Number.POSITIVE_INFINITY);
        const earlier: MetricDatum[] = [];
        for (const s of steps) {
          if ("put" in s) {
            now += s.advance;
            const d = datum(now, s.put);
            packing.put(d);
            plain.put(d);
            if (earlier.length > 0) {
              const again = { ...earlier[s.put.again % earlier.length]!, value: s.put.late / 1_000 };
              packing.put(again);
              plain.put(again);
            }
            earlier.push(d);
          } else {
            const start = now - s.query.back;
            for (const statistic of STATISTICS) {
              const query = { namespace: "App", name: "Latency", dimensions: { Service: "web" }, period: s.query.period, start, end: start + s.query.span, statistic };
              expect(packing.query(query)).toEqual(plain.query(query));
            }
          }
        }
        expect(packing.bucketCount).toBe(plain.bucketCount);
      }),
      { numRuns: 150 },
    );
  });

});
