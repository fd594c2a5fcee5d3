/**
 * Partition keys decide the shard. Random keys spread a producer's load over every shard; a key
 * taken from a record field keeps related records on one shard (and in order there, if the
 * consumer cares). Kinesis takes 1 to 256 Unicode characters.
 */
import type { Random } from "../random/random.js";

/** Eight hex characters from the injected Random: 2^32 keys is plenty to spread over shards. Fixed length keeps size accounting exact when a resend re-draws it. */
export function randomPartitionKey(random: Random): string {
  return random.int(0, 0xffffffff).toString(16).padStart(8, "0");
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
