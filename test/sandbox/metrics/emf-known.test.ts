import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emfLine } from "../../../src/pipeline/emf.js";
import type { ShipperMetrics } from "../../../src/pipeline/metrics.js";
import { parseEmf, parseEmfUncached } from "../../../src/sandbox/metrics/emf.js";

// parseEmf reads a line whose directives it has seen without parsing them again: it must give
// what the full parse gives, datums and errors alike, for any line, known directives or not.
const metrics = (n: number): ShipperMetrics =>
  ({ delivered: n, spooled: 2, replayed: 0, dropped: { total: 0 }, spoolBytes: 4096, oldestSpooledAgeMs: 1500, breaker: "open", accepted: n + 9, inMemory: 3, inFlight: 5, replayInFlight: 1, spoolRecords: 4, deadLettered: 0 }) as unknown as ShipperMetrics;
const options = { namespace: "Gameday/LogShipper", stream: "app-logs", intervalMs: 5_000 };
const shipperLines = [emfLine(options, "ip-10-0-1-7", 1_606_300_000_000, metrics(100), undefined, "b-1"), emfLine(options, "ip-10-0-1-7", 1_606_300_005_000, metrics(120), metrics(100))];

/** A shipper's line with part of it replaced: what a producer that writes the same directives might get wrong. */
const edits: [string, string][] = [
  ['"Host":"ip-10-0-1-7"', '"Host":7'],
  ['"Delivered":', '"Delivered":"x",'],
  ['"Delivered":', '"Delivered":[],"Old":'],
  ['"Delivered":', '"Delivered":[1,2,3],"Old":'],
  ['"Stream":', '"_aws":{"Timestamp":1},"Stream":'],
  ['"Stream":', '"_aws":1,"Stream":'],
  ['"Timestamp":1606300', '"Timestamp":01606300'],
  ['"Timestamp":1606300', '"Timestamp": 1606300'],
  ['"Timestamp":1606300', '"Timestamp":1e999,"X":1606300'],
  ['"Timestamp":1606300', '"Timestamp":-1.5e3,"X":1606300'],
  ['"Stream":', ' "Stream":'],
  [']},"Stream":', '],"Extra":1},"Stream":'],
  ['"BreakerState":2', '"BreakerState":2,'],
  ['"BreakerState":2', '"BreakerState":2}'],
  ['"BreakerState":2', '"BreakerState":null'],
  ['"Boot":"b-1"', '"Boot":"b-1","Boot":"b-2"'],
  ['"Host":"ip-10-0-1-7"', '"Host":"ip-10-0-1-7","__proto__":"p"'],
];

describe("parseEmf of lines whose directives it knows", () => {
  it("gives the full parse's datums and errors for shippers' lines and every edit of them", () => {
    for (const line of shipperLines) expect(parseEmf(line)).toEqual(parseEmfUncached(line));
    for (const line of shipperLines) {
      for (const [from, to] of edits) {
        // The per-boot part is in the first line only.
        if (!line.includes(from)) continue;
        const edited = line.replace(from, to);
        expect(edited, `${from} -> ${to}`).not.toBe(line);
        expect(parseEmf(edited), `${from} -> ${to}`).toEqual(parseEmfUncached(edited));
      }
    }
  });

  it("agrees with the full parse on lines cut, or with a character replaced, anywhere", () => {
    for (const line of shipperLines) parseEmf(line);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 }), fc.nat(), fc.constantFrom("", "}", ",", '"', " ", "0", "[", "]", "a"), (which, at, ch) => {
        const line = shipperLines[which]!;
        const i = at % line.length;
        const edited = line.slice(0, i) + ch + line.slice(i + 1);
        expect(parseEmf(edited)).toEqual(parseEmfUncached(edited));
        expect(parseEmf(line.slice(0, i))).toEqual(parseEmfUncached(line.slice(0, i)));
      }),
      { numRuns: 2_000, seed: 13 },
    );
  });

  it("keeps each line's dimension sets apart and frozen, as the store keys them", () => {
    const [a] = shipperLines;
    const first = parseEmf(a!);
    const second = parseEmf(a!.replace('"Host":"ip-10-0-1-7"', '"Host":"ip-10-0-2-9"'));
    if (!("datums" in first) || !("datums" in second)) throw new Error("expected datums");
    expect(Object.isFrozen(second.datums[0]!.dimensions)).toBe(true);
    expect(first.datums[0]!.dimensions).toEqual({ Stream: "app-logs", Host: "ip-10-0-1-7" });
    expect(second.datums[0]!.dimensions).toEqual({ Stream: "app-logs", Host: "ip-10-0-2-9" });
  });

  it("hands the store one frozen dimensions object per set of values, across lines and hosts taking turns", () => {
    const [, line] = shipperLines;
    const host = (h: string, t: number) => line!.replace('"Host":"ip-10-0-1-7"', `"Host":"${h}"`).replace("1606300005000", String(t));
    const read = (l: string) => {
      const r = parseEmf(l);
      if (!("datums" in r)) throw new Error(r.error);
      return r.datums;
    };
    const a1 = read(host("ip-a", 1_606_300_010_000));
    const b1 = read(host("ip-b", 1_606_300_010_000));
    const a2 = read(host("ip-a", 1_606_300_015_000));
    // One object for all of a line's metrics and for the next line of the same host...
    expect(new Set(a1.map((d) => d.dimensions)).size).toBe(1);
    expect(a2[0]!.dimensions).toBe(a1[0]!.dimensions);
    // ...and another for another host, each with its own values.
    expect(b1[0]!.dimensions).not.toBe(a1[0]!.dimensions);
    expect(a2[0]!.dimensions).toEqual({ Stream: "app-logs", Host: "ip-a" });
    expect(b1[0]!.dimensions).toEqual({ Stream: "app-logs", Host: "ip-b" });
    expect(a2[0]!.timestamp).toBe(1_606_300_015_000);
  });
});
