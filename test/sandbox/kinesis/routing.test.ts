/**
 * Every record is routed by comparing its hash key, as 32 hex digits, with the open shards' range
 * starts (Stream.routeHex) instead of as a BigInt (Stream.route). These pin the two to the same
 * shard for any key, on any layout the stream can reach: even splits of any count and the
 * uneven ones resharding leaves on the way from one count to another.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashKeyHex, hashKeyHexOf } from "../../../src/sandbox/services/kinesis/hash-keys.js";
import { MAX_HASH_KEY } from "../../../src/sandbox/services/kinesis/limits.js";
import { Stream } from "../../../src/sandbox/services/kinesis/stream.js";

const stream = (shardCount: number) =>
  new Stream({ name: "logs", arn: "arn", mode: "PROVISIONED", shardCount, createdAt: 0, retentionHours: 24, maxRecordSizeKiB: 1024, tags: {}, status: "ACTIVE" });

const hashKey = fc.bigInt({ min: 0n, max: MAX_HASH_KEY });

describe("routing by hex hash keys", () => {
  it("a partition key's hex hash key is its MD5 digest (UTF-8) read as a big-endian 128-bit number, in 32 hex digits", () => {
    // Read through another API than the one the sandbox uses: the digest's bytes, one by one.
    const md5Number = (key: string) => [...createHash("md5").update(key, "utf8").digest()].reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
    fc.assert(
      fc.property(fc.string({ maxLength: 256 }), (key) => {
        expect(hashKeyHexOf(key)).toBe(hashKeyHex(md5Number(key)));
      }),
      { numRuns: 2000 },
    );
    // RFC 1321's test vectors, and the padding of small keys.
    expect(hashKeyHexOf("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(hashKeyHexOf("abc")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(hashKeyHex(0n)).toBe("0".repeat(32));
    expect(hashKeyHex(1n)).toBe(`${"0".repeat(31)}1`);
    expect(hashKeyHex(MAX_HASH_KEY)).toBe("f".repeat(32));
  });

  it("routeHex picks the shard route picks, for any key and any shard layout", () => {
    const edges = (s: Stream) => s.openShards.flatMap((sh) => [sh.range.start, sh.range.end, sh.range.start - 1n, sh.range.end + 1n]).filter((k) => k >= 0n && k <= MAX_HASH_KEY);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }), fc.array(hashKey, { maxLength: 40 }), (count, reshards, keys) => {
        const s = stream(count);
        reshards.forEach((target, i) => s.reshardUniform(target, i + 1));
        for (const key of [...keys, ...edges(s)]) expect(s.routeHex(hashKeyHex(key))).toBe(s.route(key));
      }),
      { numRuns: 300 },
    );
  });
});
