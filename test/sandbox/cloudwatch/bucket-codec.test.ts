import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeBucket, decodeScalars, encodeBucket } from "../../../src/sandbox/services/cloudwatch/bucket-codec.js";
import { encodeBucket as previousEncodeBucket } from "./reference/packed-store/bucket-codec.js";

// A packed bucket: sampleCount, sum, minimum, maximum, flags, then value/count pairs.
const value = fc.oneof(
  fc.integer({ min: 0, max: 30_000 }).map((ms) => ms / 1_000),
  fc.integer({ min: -5_000_000, max: 5_000_000 }).map((us) => us / 1_000_000),
  // Milliseconds with three decimals, put in seconds as a load generator does (ms / 1000).
  fc.integer({ min: 0, max: 5_000_000 }).map((us) => us / 1_000 / 1_000),
  fc.integer({ min: -(2 ** 45), max: 2 ** 45 }),
  fc.double(),
  fc.constantFrom(0, -0, Infinity, -Infinity, Number.NaN, Number.MAX_VALUE, Number.MIN_VALUE),
);
const count = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 2 ** 41 }));
const bucket = fc
  .tuple(fc.array(fc.double(), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 3 }), fc.array(fc.tuple(value, count), { maxLength: 300 }))
  .map(([head, flags, pairs]) => [...head, flags, ...pairs.flat()]);

/** Same numbers, -0 and NaN included. */
function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

describe("a packed bucket held as a string of bytes", () => {
  it("gives back exactly the numbers it was given, or is left as an array", () => {
    fc.assert(
      fc.property(bucket, (flat) => {
        const s = encodeBucket(flat);
        const counts = flat.filter((_, i) => i >= 6 && i % 2 === 0);
        // Only a count that is not a whole number below 2^40 keeps the array.
        expect(s === undefined).toBe(counts.some((c) => !(Number.isInteger(c) && c < 2 ** 40)));
        if (s === undefined) return;
        expect(same(decodeBucket(s), flat)).toBe(true);
        expect(same(decodeScalars(s), flat.slice(0, 4))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("writes the same bytes as the codec before the one-pass choice of scale (reference/packed-store)", () => {
    // Values that one scale after another cannot write, in every order: the first scale that fits them all must still be chosen.
    const mixed = fc.array(fc.tuple(fc.oneof(value, fc.constantFrom(3, 0.5, 0.001, 0.000001, 0.003168, 1e-7, 2 ** 39, 0.1 + 0.2)), count), { maxLength: 40 });
    fc.assert(
      fc.property(fc.oneof(bucket, mixed.map((pairs) => [10, 1, 0, 9, 1, ...pairs.flat()])), (flat) => {
        expect(encodeBucket(flat)).toBe(previousEncodeBucket(flat));
      }),
      { numRuns: 2_000 },
    );
  });

  it("keeps a minute of millisecond latencies in about 3 bytes a value instead of 16", () => {
    const flat = [400, 0, 0.001, 0.25, 1];
    for (let ms = 1; ms <= 250; ms++) flat.push(ms / 1_000, 1 + (ms % 7));
    const s = encodeBucket(flat)!;
    expect(same(decodeBucket(s), flat)).toBe(true);
    expect(s.length).toBeLessThan(250 * 3);
  });

  it("does so for latencies of a thousandth of a millisecond put in seconds (3.168 ms as 3.168 / 1000)", () => {
    const flat = [400, 0, 0, 0, 1];
    for (let us = 1_716; us <= 250_000; us += 2_048) flat.push(us / 1_000 / 1_000, 1 + (us % 3));
    const s = encodeBucket(flat)!;
    expect(same(decodeBucket(s), flat)).toBe(true);
    expect(s.length).toBeLessThan(((flat.length - 5) / 2) * 4);
  });
});
