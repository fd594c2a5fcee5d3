/**
 * Sequence numbers: 56-digit decimal strings, like the real ones. The sandbox builds them from a
 * per-stream counter (so they increase per shard, and a child shard's numbers exceed its
 * parents') followed by the shard's index (so a number names the shard it came from, which
 * GetShardIterator needs to reject a number from another shard).
 *
 *   "49" + counter (36 digits) + shard index (18 digits)
 */

const COUNTER_DIGITS = 36;
const SHARD_DIGITS = 18;

const ZEROS = "0".repeat(COUNTER_DIGITS);

export function formatSequenceNumber(counter: number, shardIndex: number): string {
  // Every record read out gets one: slicing a constant is cheaper than two padStarts.
  const c = String(counter);
  const s = String(shardIndex);
  return `49${ZEROS.slice(c.length)}${c}${ZEROS.slice(COUNTER_DIGITS - SHARD_DIGITS + s.length)}${s}`;
}

export interface ParsedSequenceNumber {
  counter: number;
  shardIndex: number;
}

/** Returns undefined for anything the sandbox did not issue. */
export function parseSequenceNumber(text: string): ParsedSequenceNumber | undefined {
  if (!/^49\d{54}$/.test(text)) return undefined;
  const counter = Number(text.slice(2, 2 + COUNTER_DIGITS));
  const shardIndex = Number(text.slice(2 + COUNTER_DIGITS));
  if (!Number.isSafeInteger(counter) || !Number.isSafeInteger(shardIndex)) return undefined;
  return { counter, shardIndex };
}

/** Only the format: SequenceNumberForOrdering and the like must be a decimal number. */
export function isDecimalSequence(text: string): boolean {
  return /^(0|[1-9]\d{0,128})$/.test(text);
}
