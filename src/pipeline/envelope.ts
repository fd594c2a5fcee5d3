/**
 * Every shipped record carries its identity so that consumers can drop duplicates: delivery is
 * at-least-once (Kinesis has no idempotent put; ambiguous timeouts and crash replays resend).
 *
 * The choice: the id is added to the JSON line itself as a trailing field
 *   {"level":30,"msg":"hi","_gd":{"h":"web-1","b":"3f9c0a1b2c4d","s":41}}
 * rather than wrapped in an envelope, so that consumers that already parse pino lines keep working
 * and the record stays one JSON object. h = host, b = boot (random per process start), s = sequence
 * number within the boot (0, 1, 2, ...). (h, b, s) is unique per record; dedupe on it.
 *
 * Strings are spliced, not parsed: the shipper sits on the logging hot path and pino already
 * produced valid JSON. A string must look like one JSON object ("{...}"); anything else is refused
 * with an error naming what was found.
 */

export const ID_FIELD = "_gd";

export interface RecordId {
  h: string;
  b: string;
  s: number;
}

export class Stamper {
  private readonly prefix: string;

  constructor(
    readonly host: string,
    readonly boot: string,
  ) {
    this.prefix = `"${ID_FIELD}":{"h":${JSON.stringify(host)},"b":${JSON.stringify(boot)},"s":`;
  }

  /** The JSON text of `line` with the id field for `seq` added as its last member. */
  stamp(line: string | object, seq: number): string {
    const json = typeof line === "string" ? jsonObjectText(line) : objectText(line);
    return closesEmpty(json) ? `{${this.prefix}${seq}}}` : `${json.slice(0, json.lastIndexOf("}"))},${this.prefix}${seq}}}`;
  }
}

function jsonObjectText(line: string): string {
  let end = line.length;
  while (end > 0 && isSpace(line.charCodeAt(end - 1))) end--;
  let start = 0;
  while (start < end && isSpace(line.charCodeAt(start))) start++;
  if (end - start < 2 || line.charCodeAt(start) !== 0x7b || line.charCodeAt(end - 1) !== 0x7d) {
    throw new TypeError(`Shipper.write: expected one JSON object per line ("{...}"), found ${preview(line)}`);
  }
  return start === 0 && end === line.length ? line : line.slice(start, end);
}

function objectText(value: object): string {
  if (value === null || Array.isArray(value)) {
    throw new TypeError(`Shipper.write: expected a JSON object line or a plain object, found ${value === null ? "null" : "an array"}`);
  }
  if (Object.prototype.hasOwnProperty.call(value, ID_FIELD)) {
    throw new TypeError(`Shipper.write: the field "${ID_FIELD}" is reserved for the record id, found it in the object`);
  }
  const json = JSON.stringify(value);
  if (typeof json !== "string" || !json.startsWith("{")) {
    throw new TypeError(`Shipper.write: expected an object that serialises to a JSON object, found ${preview(String(json))}`);
  }
  return json;
}

/** True for "{}" and "{ }": nothing to put a comma after. */
function closesEmpty(json: string): boolean {
  let i = json.length - 2;
  while (i > 0 && isSpace(json.charCodeAt(i))) i--;
  return i === 0;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function preview(text: string): string {
  return text.length > 60 ? `${JSON.stringify(text.slice(0, 60))}... (${text.length} chars)` : JSON.stringify(text);
}

const decoder = new TextDecoder();
/** How much of a record's end is read for its id: room for any usual host name; a longer one falls back to the full parse. */
const TAIL_CHARS = 400;
const TAIL = new RegExp(`"${ID_FIELD}":\\{"h":("(?:[^"\\\\]|\\\\.)*"),"b":("(?:[^"\\\\]|\\\\.)*"),"s":(\\d+)\\}\\}\\s*$`);

/** Reads the id back from a shipped record (for consumers, probes and tests). */
export function readRecordId(data: Uint8Array | string): RecordId | undefined {
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

/** The dedupe key for a record id. */
export function recordKey(id: RecordId): string {
  return `${id.h}/${id.b}/${id.s}`;
}
