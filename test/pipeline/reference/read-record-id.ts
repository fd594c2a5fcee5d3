// readRecordId before it read plain ids off the bytes (commit a17a50d), kept as the oracle of
// test/pipeline/envelope-differential.test.ts. Not used by gameday itself.
import { ID_FIELD, type RecordId } from "../../../src/pipeline/envelope.js";

const decoder = new TextDecoder();
/** How much of a record's end is read for its id: room for any usual host name; a longer one falls back to the full parse. */
const TAIL_CHARS = 400;
const TAIL = new RegExp(`"${ID_FIELD}":\\{"h":("(?:[^"\\\\]|\\\\.)*"),"b":("(?:[^"\\\\]|\\\\.)*"),"s":(\\d+)\\}\\}\\s*$`);

/** Reads the id back from a shipped record (for consumers, probes and tests). */
export function referenceReadRecordId(data: Uint8Array | string): RecordId | undefined {
  // The stamper always puts the id last: read it off the tail without decoding or parsing the
  // whole line (a consumer checking hundreds of thousands of records pays for every full parse).
  // A tail cut inside a multi-byte character decodes to U+FFFD there, before the id.
  const tailText = typeof data === "string" ? data.slice(-TAIL_CHARS) : decoder.decode(data.subarray(-TAIL_CHARS));
  const tail = TAIL.exec(tailText);
  if (tail) {
    try {
      return { h: JSON.parse(tail[1]!) as string, b: JSON.parse(tail[2]!) as string, s: Number(tail[3]) };
    } catch {
      // fall through to the full parse
    }
  }
  try {
    const parsed = JSON.parse(typeof data === "string" ? data : decoder.decode(data)) as Record<string, unknown>;
    const id = parsed[ID_FIELD] as RecordId | undefined;
    if (id && typeof id.h === "string" && typeof id.b === "string" && typeof id.s === "number") return id;
  } catch {
    // not a shipped record
  }
  return undefined;
}
