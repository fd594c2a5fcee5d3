/**
 * The service-time draws a web app makes per request: the ServiceTime objects must draw exactly
 * what the closures before them drew, from the same random stream in the same order, so a seed
 * gives the same latencies (and the same journal) as before.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SeededRandom } from "../../../src/random/random.js";
import type { AppSpec } from "../../../src/sandbox/stack/ecs.js";
import { serviceTime, serviceTimeSampler } from "../../../src/sandbox/workload/service-time.js";
import { referenceServiceTimeSampler } from "./reference/service-time.js";

const p50p99 = fc.tuple(fc.double({ min: 0.01, max: 10_000, noNaN: true }), fc.double({ min: 1, max: 50, noNaN: true })).map(([p50, spread]) => ({ p50, p99: p50 * spread }));
const spec: fc.Arbitrary<AppSpec["serviceTime"]> = fc.oneof(
  p50p99.map((p) => ({ distribution: "lognormal" as const, ...p })),
  fc.double({ min: 0, max: 60_000, noNaN: true }).map((value) => ({ distribution: "constant" as const, value })),
  fc.array(fc.tuple(fc.double({ min: 0.001, max: 100, noNaN: true }), p50p99).map(([weight, p]) => ({ weight, ...p })), { minLength: 1, maxLength: 4 }).map((mix) => ({ mix })),
);

describe("service-time draws", () => {
  it("are the draws the previous sampler made, value for value, and leave the random stream where it left it", () => {
    fc.assert(
      fc.property(spec, fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 200 }), (s, seed, n) => {
        const nowRandom = new SeededRandom(seed);
        const beforeRandom = new SeededRandom(seed);
        const now = serviceTime(s, nowRandom);
        const before = referenceServiceTimeSampler(s, beforeRandom);
        const got = Array.from({ length: n }, () => now.draw());
        const want = Array.from({ length: n }, () => before());
        expect(got).toEqual(want);
        expect(nowRandom.next()).toBe(beforeRandom.next());
      }),
      { numRuns: 300 },
    );
  });

  it("are the same through serviceTimeSampler, which the WordPress database queries use", () => {
    const s = { distribution: "lognormal" as const, p50: 5, p99: 40 };
    const now = serviceTimeSampler(s, new SeededRandom(11));
    const before = referenceServiceTimeSampler(s, new SeededRandom(11));
    expect(Array.from({ length: 1001 }, now)).toEqual(Array.from({ length: 1001 }, before));
  });

  it("reject a lognormal whose p99 is below its p50 or whose p50 is not above 0, as before", () => {
    expect(() => serviceTime({ distribution: "lognormal", p50: 30, p99: 10 }, new SeededRandom(1))).toThrow("serviceTime: expected 0 < p50 <= p99, found p50 30 ms and p99 10 ms");
    expect(() => serviceTime({ distribution: "lognormal", p50: 0, p99: 10 }, new SeededRandom(1))).toThrow("serviceTime: expected 0 < p50 <= p99, found p50 0 ms and p99 10 ms");
  });
});
