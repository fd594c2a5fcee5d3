import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Stamper, readRecordId, recordKey } from "../../src/pipeline/envelope.js";

describe("record ids", () => {
  const stamper = new Stamper("web-1", "3f9c0a1b2c4d");

  it("adds {h, b, s} as the last field of a JSON object line, keeping the rest as written", () => {
    const out = stamper.stamp('{"level":30,"msg":"hi"}', 41);
    expect(out).toBe('{"level":30,"msg":"hi","_gd":{"h":"web-1","b":"3f9c0a1b2c4d","s":41}}');
    expect(stamper.stamp("{}", 0)).toBe('{"_gd":{"h":"web-1","b":"3f9c0a1b2c4d","s":0}}');
    expect(stamper.stamp("  { }\n", 1)).toBe('{"_gd":{"h":"web-1","b":"3f9c0a1b2c4d","s":1}}');
    expect(stamper.stamp({ a: [1, { b: "}" }] }, 2)).toBe('{"a":[1,{"b":"}"}],"_gd":{"h":"web-1","b":"3f9c0a1b2c4d","s":2}}');
  });

  it("keeps every JSON object valid and its fields intact", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string().filter((k) => k !== "_gd"), fc.jsonValue()), fc.nat(), fc.boolean(), (obj, seq, asString) => {
        const out = stamper.stamp(asString ? JSON.stringify(obj) : obj, seq);
        const parsed = JSON.parse(out) as Record<string, unknown>;
        expect(readRecordId(out)).toEqual({ h: "web-1", b: "3f9c0a1b2c4d", s: seq });
        delete parsed._gd;
        expect(parsed).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });

  it("refuses input that is not one JSON object, saying what it found", () => {
    expect(() => stamper.stamp("plain text", 0)).toThrow('expected one JSON object per line ("{...}"), found "plain text"');
    expect(() => stamper.stamp("[1,2]", 0)).toThrow(/found "\[1,2\]"/);
    expect(() => stamper.stamp([1] as unknown as object, 0)).toThrow(/found an array/);
    expect(() => stamper.stamp({ _gd: 1 }, 0)).toThrow(/"_gd" is reserved/);
  });

  it("gives a dedupe key that tells records apart", () => {
    expect(recordKey({ h: "a", b: "b", s: 1 })).not.toBe(recordKey({ h: "a", b: "b", s: 2 }));
    expect(readRecordId("not json")).toBeUndefined();
  });
});

describe("reading ids back", () => {
  it("gives back exactly the stamped id for any host, boot, sequence and line", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), fc.dictionary(fc.string(), fc.jsonValue()), (host, boot, seq, fields) => {
        fc.pre(!Object.hasOwn(fields, "_gd"));
        const text = new Stamper(host, boot).stamp(JSON.stringify(fields), seq);
        expect(readRecordId(text)).toEqual({ h: host, b: boot, s: seq });
        expect(readRecordId(new TextEncoder().encode(text))).toEqual({ h: host, b: boot, s: seq });
      }),
      { numRuns: 500 },
    );
  });

  it("finds no id in a line that is not a shipped record", () => {
    expect(readRecordId('{"msg":"plain pino line"}')).toBeUndefined();
    expect(readRecordId("not json")).toBeUndefined();
  });
});
