import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomPartitionKey } from "../../src/pipeline/partition-key.js";
import { SeededRandom, type Random } from "../../src/random/random.js";

/** A Random whose int() answers `n`: the key is a function of the one draw. */
const drawing = (n: number): Random => ({ int: () => n }) as unknown as Random;

describe("randomPartitionKey", () => {
  it("is the draw as eight hex digits, zero-padded, as toString(16) and padStart wrote it", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 1, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff)), (n) => {
        expect(randomPartitionKey(drawing(n))).toBe(n.toString(16).padStart(8, "0"));
      }),
      { numRuns: 2000 },
    );
  });

  it("takes one draw a key from the injected Random: the same seed gives the same keys", () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const keys = Array.from({ length: 100 }, () => randomPartitionKey(a));
    expect(keys).toEqual(Array.from({ length: 100 }, () => b.int(0, 0xffffffff).toString(16).padStart(8, "0")));
    expect(keys.every((k) => /^[0-9a-f]{8}$/.test(k))).toBe(true);
  });
});
