/**
 * The sandbox takes a record's Data only as base64 (a length that is a multiple of 4, only
 * `[A-Za-z0-9+/]`, then up to two `=`), as Kinesis does, and counts its decoded bytes against the
 * record limits. It decodes the text to the bytes it keeps, and that decoding is its check (not a
 * regex); these pin its answers to the definition, including the characters Node's decoder treats
 * leniently.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64 } from "../../../src/sandbox/services/kinesis/input.js";
import { answered, kinesisHarness } from "./harness.js";

const byDefinition = (text: string): number | undefined =>
  text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text) ? (text.length / 4) * 3 - (text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0) : undefined;

/** Base64 texts that are not: URL-safe characters, whitespace, `=` inside, characters whose low byte is a base64 letter (Ł is U+0141). */
const NOT_BASE64 = ["QUF-", "QUF_", "QU FB", "QUFB\n", "QU=B", "QUFBQ===", "QUFł", "Q䅁FB", "QUFBé===", "QUF"];

/** The decoded length, after checking the bytes are what a strict decoder makes of the text. */
const base64Length = (text: string): number | undefined => {
  const bytes = decodeBase64(text);
  if (bytes !== undefined) expect(Buffer.compare(bytes, Buffer.from(text, "base64"))).toBe(0);
  return bytes?.length;
};

describe("Data must be base64", () => {
  it("the check agrees with the definition on any text, and decodes the same bytes", () => {
    const unit = fc.constantFrom(..."AZaz09+/=-_ \t\n.!é\u0000Ł䅁");
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit, maxLength: 16 }), fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString("base64"))), (text) => {
        expect(base64Length(text)).toBe(byDefinition(text));
      }),
      { numRuns: 5000 },
    );
    for (const text of NOT_BASE64) expect(base64Length(text)).toBeUndefined();
    // Non-canonical trailing bits are still base64 ("AB==" is one byte).
    expect(base64Length("AB==")).toBe(1);
    // Larger than the check's scratch space: the regex decides.
    expect(base64Length(Buffer.alloc(100_000, 7).toString("base64"))).toBe(100_000);
    expect(base64Length(`${Buffer.alloc(100_000, 7).toString("base64").slice(0, -4)}QUF-`)).toBeUndefined();
  });

  it("PutRecord and PutRecords refuse a record that is not base64 with InvalidArgumentException naming the entry", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    for (const data of NOT_BASE64) {
      const single = answered(h.call("PutRecord", { StreamName: "logs", PartitionKey: "k", Data: data }));
      expect(single.statusCode).toBe(400);
      expect(single.json).toEqual({ __type: "InvalidArgumentException", message: "Data must be base64-encoded bytes; found a string that is not base64." });
      const batch = answered(h.call("PutRecords", { StreamName: "logs", Records: [{ PartitionKey: "k", Data: "QUFB" }, { PartitionKey: "k", Data: data }] }));
      expect(batch.statusCode).toBe(400);
      expect(batch.json.message).toBe("Records.2.member.Data must be base64-encoded bytes; found a string that is not base64.");
    }
    const ok = answered(h.call("PutRecords", { StreamName: "logs", Records: [{ PartitionKey: "k", Data: "AB==" }, { PartitionKey: "k", Data: "" }] }));
    expect(ok.statusCode).toBe(200);
    expect(ok.json.FailedRecordCount).toBe(0);
  });
});
