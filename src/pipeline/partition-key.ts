/**
 * Partition keys decide the shard. Random keys spread a producer's load over every shard; a key
 * taken from a record field keeps related records on one shard (and in order there, if the
 * consumer cares). Kinesis takes 1 to 256 Unicode characters.
 */
import type { Random } from "../random/random.js";

/** Each byte's two hex digits: a key is four look-ups, where toString(16) and padStart cost several times more (a key per record). */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Eight hex characters from the injected Random: 2^32 keys is plenty to spread over shards. Fixed length keeps size accounting exact when a resend re-draws it. */
export function randomPartitionKey(random: Random): string {
  const n = random.int(0, 0xffffffff);
  return HEX[n >>> 24]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!;
}

/** The key from a record's field: a non-empty string or a finite number, cut to 256 characters; undefined when absent. */
export function partitionKeyFromField(line: string | object, field: string): string | undefined {
  let record: unknown = line;
  if (typeof line === "string") {
    try {
      record = JSON.parse(line);
    } catch {
      return undefined;
    }
  }
  const value = record && typeof record === "object" ? (record as Record<string, unknown>)[field] : undefined;
  if (typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) return undefined;
  const key = String(value);
  if (key.length === 0) return undefined;
  return key.length <= 256 ? key : Array.from(key).slice(0, 256).join("");
}
