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
  return (typeof data === "string" ? undefined : readPlainId(data)) ?? readIdOffTail(data);
}

const QUOTE = 0x22;
/** `"_gd":{"h":`, the bytes before the host's opening quote. */
const MARKER = Array.from(`"${ID_FIELD}":{"h":`, (c) => c.charCodeAt(0));
/**
 * Hosts and boots read lately, newest last: a shard interleaves the records of every shipper
 * writing to it (random partition keys), so a record's host and boot are nearly always among a
 * few seen before, and are handed out as the same strings rather than built again.
 */
const recent: string[] = [];
const RECENT_MAX = 64;

/**
 * The id of a record as the stamper writes it, read off its bytes from the end, with no decoding:
 * `"_gd":{"h":"<h>","b":"<b>","s":<digits>}}` then ASCII white space, where h and b are printable
 * ASCII without quotes or backslashes and s has at most 15 digits (exact as a double). Undefined
 * for anything else (a host with escapes or beyond ASCII, a longer id): readIdOffTail reads those.
 * For the records it reads it gives what readIdOffTail gives: the tail pattern can match such a
 * record in one place only, this one, and JSON.parse of a string without escapes is its text.
 */
function readPlainId(data: Uint8Array): RecordId | undefined {
  const at = plainIdAt(data);
  return at && { h: textOf(data, at.hostStart, at.hostEnd), b: textOf(data, at.bootStart, at.bootEnd), s: at.s };
}

/** Where a plain id's host and boot lie in a record's bytes, and its sequence number. */
interface PlainIdAt {
  hostStart: number;
  hostEnd: number;
  bootStart: number;
  bootEnd: number;
  s: number;
}
/** Reused by every parse (the caller reads it before the next): no object per record. */
const plainAt: PlainIdAt = { hostStart: 0, hostEnd: 0, bootStart: 0, bootEnd: 0, s: 0 };

/** Parses a plain id off the end of `data` (see readPlainId); undefined when it is not one. */
function plainIdAt(data: Uint8Array): PlainIdAt | undefined {
  let i = data.length;
  while (i > 0 && isSpace(data[i - 1]!)) i--;
  const stop = Math.max(0, data.length - TAIL_CHARS);
  if (i - 2 < stop || data[i - 1] !== 0x7d || data[i - 2] !== 0x7d) return undefined;
  i -= 2;
  let s = 0;
  let scale = 1;
  const digitsEnd = i;
  while (i > stop && data[i - 1]! >= 0x30 && data[i - 1]! <= 0x39) {
    s += (data[i - 1]! - 0x30) * scale;
    scale *= 10;
    i--;
  }
  if (i === digitsEnd || digitsEnd - i > 15) return undefined;
  // ,"s":   then the boot's closing quote
  if (!expectBefore(data, i, ',"s":', stop)) return undefined;
  i -= 5;
  const bootEnd = i - 1;
  const bootStart = plainStringStart(data, bootEnd, stop);
  if (bootStart < 0) return undefined;
  i = bootStart - 1;
  if (!expectBefore(data, i, ',"b":', stop)) return undefined;
  i -= 5;
  const hostEnd = i - 1;
  const hostStart = plainStringStart(data, hostEnd, stop);
  if (hostStart < 0) return undefined;
  i = hostStart - 1;
  if (i - MARKER.length < stop) return undefined;
  for (let k = 0; k < MARKER.length; k++) if (data[i - MARKER.length + k] !== MARKER[k]) return undefined;
  plainAt.hostStart = hostStart;
  plainAt.hostEnd = hostEnd;
  plainAt.bootStart = bootStart;
  plainAt.bootEnd = bootEnd;
  plainAt.s = s;
  return plainAt;
}

/**
 * Reads record ids as readRecordId does, for a consumer that files every record under its producer
 * (host and boot): the producer comes back as the value `producerOf` made the first time that pair
 * was read, found by comparing the id's bytes with the few pairs read lately, so a plain id costs
 * no string, no id object and no map lookup. One reader per consumer (it keeps what it read lately).
 */
export class RecordIdReader<P> {
  /** The producer and sequence number of the record read last (when read() returned true). */
  producer: P | undefined;
  seq = 0;
  /** Producers read lately, newest last, each with the bytes from its host's first to its boot's last. */
  private readonly recent: { span: Uint8Array; producer: P }[] = [];

  constructor(private readonly producerOf: (h: string, b: string) => P) {}

  /** Reads the id of `data`; false when it has none (readRecordId would give undefined). */
  read(data: Uint8Array): boolean {
    if (this.readPlain(data)) return true;
    const id = readIdOffTail(data);
    if (!id) return false;
    this.producer = this.producerOf(id.h, id.b);
    this.seq = id.s;
    return true;
  }

  /** A plain id (see readPlainId), with the producer looked up by its bytes. */
  private readPlain(data: Uint8Array): boolean {
    const at = plainIdAt(data);
    if (!at) return false;
    this.producer = this.producerAt(data, at.hostStart, at.hostEnd, at.bootStart, at.bootEnd);
    this.seq = at.s;
    return true;
  }

  private producerAt(data: Uint8Array, hostStart: number, hostEnd: number, bootStart: number, bootEnd: number): P {
    const length = bootEnd - hostStart;
    const recent = this.recent;
    for (let r = recent.length - 1; r >= 0; r--) {
      const span = recent[r]!.span;
      if (span.length !== length) continue;
      // From the end: boots are random, so another producer's differs at once.
      let k = length - 1;
      while (k >= 0 && span[k] === data[hostStart + k]) k--;
      if (k < 0) return recent[r]!.producer;
    }
    const producer = this.producerOf(asciiText(data, hostStart, hostEnd), asciiText(data, bootStart, bootEnd));
    if (recent.length >= RECENT_MAX) recent.shift();
    recent.push({ span: data.slice(hostStart, bootEnd), producer });
    return producer;
  }
}

function asciiText(data: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let k = start; k < end; k++) text += String.fromCharCode(data[k]!);
  return text;
}

/** True when the bytes just before `end` spell `text` (ASCII), all at or after `stop`. */
function expectBefore(data: Uint8Array, end: number, text: string, stop: number): boolean {
  if (end - text.length < stop) return false;
  for (let k = 0; k < text.length; k++) if (data[end - text.length + k] !== text.charCodeAt(k)) return false;
  return true;
}

/**
 * Given the index of a string's closing quote, the index just after its opening quote, when every
 * byte between is printable ASCII other than a quote or a backslash; else -1.
 */
function plainStringStart(data: Uint8Array, closing: number, stop: number): number {
  if (closing < stop || data[closing] !== QUOTE) return -1;
  let i = closing;
  while (i > stop) {
    const c = data[i - 1]!;
    if (c === QUOTE) return i;
    if (c < 0x20 || c > 0x7e || c === 0x5c) return -1;
    i--;
  }
  return -1;
}

/** The ASCII text of data[start, end): a string from `recent` when one spells it, else a new one (then remembered). */
function textOf(data: Uint8Array, start: number, end: number): string {
  const length = end - start;
  for (let r = recent.length - 1; r >= 0; r--) {
    const text = recent[r]!;
    if (text.length !== length) continue;
    let k = 0;
    while (k < length && text.charCodeAt(k) === data[start + k]) k++;
    if (k === length) return text;
  }
  const text = asciiText(data, start, end);
  if (recent.length >= RECENT_MAX) recent.shift();
  recent.push(text);
  return text;
}

/** The id off the record's decoded tail, or from a full parse (every record the stamper wrote, and any other shape). */
function readIdOffTail(data: Uint8Array | string): RecordId | undefined {
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
