import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { EmfLines, emfLine } from "../../src/pipeline/emf.js";
import type { ShipperMetrics } from "../../src/pipeline/metrics.js";
import { referenceEmfLine } from "./reference/emf-line.js";

const count = fc.oneof({ arbitrary: fc.nat(), weight: 8 }, { arbitrary: fc.constantFrom(Number.NaN, Infinity, -1, 1.5, 2 ** 53), weight: 1 });
const metrics: fc.Arbitrary<ShipperMetrics> = fc
  .record({
    accepted: count, delivered: count, deliveredSecondary: count, resent: count, throttled: count, spooled: count, replayed: count,
    full: count, evicted: count, io: count, deadLettered: count, duplicatesPossible: count, spoolBytes: count, spoolRecords: count,
    oldestSpooledAgeMs: count, breaker: fc.constantFrom("closed", "half-open", "open"), inMemory: count, inFlight: count,
    replayInFlight: count, backpressure: fc.boolean(), partitionKeyFallbacks: count, spoolCorruptBytes: count,
  })
  .map(({ full, evicted, io, ...m }) => ({ ...m, dropped: { "spool-full": full, "spool-evicted": evicted, "io-error": io, total: full + evicted + io } }));
const text = fc.oneof(fc.stringMatching(/^[a-zA-Z0-9./-]{1,20}$/), fc.string({ maxLength: 12 }), fc.constantFrom('a"b', "a\\b", "é☃"));
const options = fc.record(
  { namespace: fc.oneof(fc.constant("Gameday/LogShipper"), text), stream: text, intervalMs: fc.constantFrom(1_000, 5_000, 59_999, 60_000, 300_000) },
  { requiredKeys: ["namespace", "stream"] },
);

describe("EmfLines, a shipper's EMF lines with their fixed parts built once", () => {
  it("writes the line the previous emfLine wrote, byte for byte, with and without the per-boot part", () => {
    fc.assert(
      fc.property(options, text, text, fc.array(fc.tuple(fc.double({ min: 0, max: 4e12, noNaN: true }), metrics, fc.boolean()), { minLength: 1, maxLength: 6 }), (o, host, boot, lines) => {
        const emf = new EmfLines(o, host, boot);
        let previous: ShipperMetrics | undefined;
        for (const [timestamp, now, withBoot] of lines) {
          const expected = referenceEmfLine(o, host, timestamp, now, previous, withBoot ? boot : undefined);
          expect(emf.line(timestamp, now, previous, withBoot)).toBe(expected);
          expect(emfLine(o, host, timestamp, now, previous, withBoot ? boot : undefined)).toBe(expected);
          previous = now;
        }
      }),
      { numRuns: 500 },
    );
  });
});
