import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RecordIdReader, Stamper, readRecordId } from "../../src/pipeline/envelope.js";
import { referenceReadRecordId } from "./reference/read-record-id.js";

const encoder = new TextEncoder();

/** Host names: usual ones, and ones with quotes, backslashes, control and non-ASCII characters, or long. */
const host = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9.-]{1,40}$/), weight: 6 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 10 }), weight: 1 },
  { arbitrary: fc.constantFrom('a"b', "a\\b", "tab\there", "é", "", "x".repeat(380), "x".repeat(400)), weight: 1 },
);
const boot = fc.oneof({ arbitrary: fc.stringMatching(/^[0-9a-f]{12}$/), weight: 5 }, { arbitrary: fc.string({ maxLength: 6 }), weight: 1 });
const seq = fc.oneof({ arbitrary: fc.nat(), weight: 5 }, { arbitrary: fc.constantFrom(0, 10 ** 15 - 1, 10 ** 15, 2 ** 53 - 1, 2 ** 53 + 2, 1e21, 1.5), weight: 1 });
const body = fc.oneof(
  fc.constantFrom('{"level":30,"msg":"GET /orders 200"}', "{}", '{"msg":"é ☃ 😀"}', '{"_gd":{"h":"x","b":"y","s":1},"m":1}'),
  fc.string({ maxLength: 30 }).map((m) => JSON.stringify({ msg: m })),
);

/** What may happen to a record's bytes on its way (or a record that never was one). */
const change = fc.oneof(
  { arbitrary: fc.constant((b: Uint8Array) => b), weight: 6 },
  { arbitrary: fc.constantFrom(" ", "\n", "\r\n", "\t ", "\u00a0", "\v").map((ws) => (b: Uint8Array) => concat(b, encoder.encode(ws))), weight: 2 },
  { arbitrary: fc.nat({ max: 30 }).map((n) => (b: Uint8Array) => b.subarray(0, Math.max(0, b.length - n))), weight: 1 },
  { arbitrary: fc.nat({ max: 30 }).map((n) => (b: Uint8Array) => b.subarray(Math.min(n, b.length))), weight: 1 },
  { arbitrary: fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]) => (b: Uint8Array) => { const c = b.slice(); if (c.length > 0) c[at % c.length] = v; return c; }), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 500 }).map((junk) => (b: Uint8Array) => concat(junk, b)), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 60 }).map((junk) => () => junk), weight: 1 },
);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe("readRecordId reading plain ids off the bytes", () => {
  it("gives what the tail pattern and the full parse gave, for stamped records and anything else", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(host, boot, seq, body, change), { minLength: 1, maxLength: 8 }), (records) => {
        for (const [h, b, s, line, f] of records) {
          const bytes = f(encoder.encode(new Stamper(h, b).stamp(line, s)));
          expect(readRecordId(bytes)).toEqual(referenceReadRecordId(bytes));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("reads interleaved shippers' records, each with its own host and boot", () => {
    const a = new Stamper("ip-10-0-1-23.ec2.internal", "3f9c0a1b2c4d");
    const b = new Stamper("ip-10-0-2-7.ec2.internal", "0123456789ab");
    const ids = [a, a, b, a].map((st, i) => readRecordId(encoder.encode(st.stamp('{"msg":"x"}', i))));
    expect(ids).toEqual([
      { h: "ip-10-0-1-23.ec2.internal", b: "3f9c0a1b2c4d", s: 0 },
      { h: "ip-10-0-1-23.ec2.internal", b: "3f9c0a1b2c4d", s: 1 },
      { h: "ip-10-0-2-7.ec2.internal", b: "0123456789ab", s: 2 },
      { h: "ip-10-0-1-23.ec2.internal", b: "3f9c0a1b2c4d", s: 3 },
    ]);
  });
});

describe("RecordIdReader, a consumer's reader filing records by producer", () => {
  /** What the reader gives, as readRecordId's shape: the producer it handed back names the pair. */
  const readWith = (reader: RecordIdReader<{ h: string; b: string }>, bytes: Uint8Array) =>
    reader.read(bytes) ? { h: reader.producer!.h, b: reader.producer!.b, s: reader.seq } : undefined;

  it("reads the id readRecordId's previous implementation read, for stamped records and anything else", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(host, boot, seq, body, change), { minLength: 1, maxLength: 8 }), (records) => {
        const reader = new RecordIdReader((h, b) => ({ h, b }));
        for (const [h, b, s, line, f] of records) {
          const bytes = f(encoder.encode(new Stamper(h, b).stamp(line, s)));
          expect(readWith(reader, bytes)).toEqual(referenceReadRecordId(bytes));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("hands back one producer per host and boot, made once, however the shippers interleave", () => {
    // Pairs that share bytes across the host/boot border or differ only at the start.
    const pairs = [
      ["ip-10-0-1-23", "3f9c0a1b2c4d"],
      ["ip-10-0-1-2", "33f9c0a1b2c4d"],
      ["jp-10-0-1-23", "3f9c0a1b2c4d"],
      ["ip-10-0-1-23", "3f9c0a1b2c4e"],
    ] as const;
    fc.assert(
      fc.property(fc.array(fc.nat({ max: pairs.length - 1 }), { minLength: 1, maxLength: 100 }), (order) => {
        const made: string[] = [];
        const reader = new RecordIdReader((h, b) => {
          made.push(`${h}|${b}`);
          return { h, b };
        });
        const byPair = new Map<string, unknown>();
        order.forEach((p, i) => {
          const [h, b] = pairs[p]!;
          expect(reader.read(encoder.encode(new Stamper(h, b).stamp('{"msg":"x"}', i)))).toBe(true);
          expect(reader.producer).toEqual({ h, b });
          expect(reader.seq).toBe(i);
          const key = `${h}|${b}`;
          if (byPair.has(key)) expect(reader.producer).toBe(byPair.get(key));
          byPair.set(key, reader.producer);
        });
        expect(made).toEqual([...byPair.keys()]);
      }),
    );
  });
});
