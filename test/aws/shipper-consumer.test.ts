import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Seen } from "../../src/aws/shipper-consumer.js";

describe("Seen, the consumer's record of which ids it read", () => {
  it("counts distinct records and duplicates alike whether filed by key or through the producer's bit set", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("a|1", "b|2", "c|3"), fc.nat({ max: 5_000 }))), fc.nat({ max: 6_000 }), (records, n) => {
        const byKey = new Seen();
        const bySet = new Seen();
        const model = new Map<string, Set<number>>();
        let duplicates = 0;
        for (const [p, s] of records) {
          byKey.add(p, s);
          bySet.addTo(bySet.of(p), s);
          const set = model.get(p) ?? new Set<number>();
          if (set.has(s)) duplicates++;
          set.add(s);
          model.set(p, set);
        }
        for (const seen of [byKey, bySet]) {
          expect(seen.duplicates).toBe(duplicates);
          expect(seen.distinct).toBe(records.length - duplicates);
          for (const p of ["a|1", "b|2", "c|3", "d|4"]) {
            expect(seen.countBelow(p, n)).toBe([...(model.get(p) ?? [])].filter((s) => s < n).length);
          }
        }
      }),
    );
  });
});
