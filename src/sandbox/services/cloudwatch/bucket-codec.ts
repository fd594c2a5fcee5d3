/**
 * A packed bucket ([sampleCount, sum, minimum, maximum, flags, value, count, value, count, ...],
 * see store.ts) as a string of bytes, which gives back exactly the same numbers.
 *
 * As an array of numbers a bucket of values costs 16 bytes a value (8 for it, 8 for its count),
 * and the minute buckets of request latencies were most of a long run's metric store (over
 * 17 hours, 7 million numbers: 60 MiB). Latencies are mostly whole milliseconds put in seconds
 * (0.001, 0.002, ...) or microseconds put as milliseconds over 1000 (0.003168 is 3.168 / 1000,
 * which is not 3168 / 1e6), and counts are small whole numbers, so here a value is the difference
 * from the one before as such an integer, a varint of a byte or two, and a count a varint: about
 * 3 bytes a value. Values that are not such fractions are kept as their 8 bytes. A one-byte
 * string has no backing store of its own, unlike a typed array (over 100 bytes each for 120,000
 * buckets). Hand-written because no library packs a handful of doubles into a string exactly.
 */

/**
 * How values are written: the first scale whose integers give every value back exactly, each an
 * integer k = round(value * times) and the value computed back from it as a publisher would have.
 */
const TIMES: readonly number[] = [1, 1_000, 1_000_000, 1_000_000];

/** The value integer k of scale `s` stands for (a switch: a call through a table per value cost more). */
function unscaled(s: number, k: number): number {
  switch (s) {
    case 0:
      return k;
    case 1:
      return k / 1_000;
    case 2:
      return k / 1_000_000;
    default:
      // Thousandths of a millisecond, put in seconds (ms / 1000).
      return k / 1_000 / 1_000;
  }
}
/** Marks values kept as their 8 bytes (no scale fits). */
const RAW = TIMES.length;
/** Integers (scaled values, their differences, counts) stay below this, so arithmetic on them is exact. */
const MAX_INTEGER = 2 ** 40;

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
let out = Buffer.allocUnsafe(4_096);
let at = 0;

function ensure(bytes: number): void {
  if (at + bytes <= out.length) return;
  const grown = Buffer.allocUnsafe(Math.max(out.length * 2, at + bytes));
  out.copy(grown, 0, 0, at);
  out = grown;
}

function writeDouble(v: number): void {
  ensure(8);
  f64[0] = v;
  for (let i = 0; i < 8; i++) out[at++] = f64Bytes[i]!;
}

/** A non-negative integer below MAX_INTEGER, 7 bits a byte, low bits first. */
function writeVarint(n: number): void {
  ensure(6);
  while (n >= 128) {
    out[at++] = (n % 128) + 128;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
}

/** Whether scale `s` writes `v` exactly. */
function fits(s: number, v: number): boolean {
  const k = Math.round(v * TIMES[s]!);
  // -0 would come back as 0.
  return unscaled(s, k) === v && !(v === 0 && 1 / v < 0) && Math.abs(k) < MAX_INTEGER / 2;
}

/**
 * The scale index that writes every value exactly (the first such in TIMES), or RAW. One pass
 * that moves on to the next scale at a value the current one cannot write, then a check of the
 * values before the last move: what the first scale that fits them all is, without a pass per
 * scale tried (latencies in microseconds tried three).
 */
function scaleOf(flat: readonly number[], length: number): number {
  let s = 0;
  let movedAt = 5;
  for (let i = 5; i < length && s < RAW; i += 2) {
    const v = flat[i]!;
    if (fits(s, v)) continue;
    // Scales before s failed an earlier value; those up to the one that fits this value fail this one.
    do s++;
    while (s < RAW && !fits(s, v));
    movedAt = i;
  }
  if (s === RAW) return RAW;
  for (let i = 5; i < movedAt; i += 2) if (!fits(s, flat[i]!)) return scaleFrom(flat, length, s + 1);
  return s;
}

/** The first scale from `first` on that writes every value exactly, or RAW: a pass per scale. */
function scaleFrom(flat: readonly number[], length: number, first: number): number {
  next: for (let s = first; s < RAW; s++) {
    for (let i = 5; i < length; i += 2) if (!fits(s, flat[i]!)) continue next;
    return s;
  }
  return RAW;
}

/**
 * The bucket as a string, or undefined when a count is not a whole number below MAX_INTEGER (it
 * then stays an array). `length`: how much of `flat` is the bucket (a caller may reuse a longer array).
 */
export function encodeBucket(flat: readonly number[], length = flat.length): string | undefined {
  for (let i = 6; i < length; i += 2) {
    const c = flat[i]!;
    if (!(Number.isInteger(c) && c >= 0 && c < MAX_INTEGER)) return undefined;
  }
  const scaleIndex = scaleOf(flat, length);
  at = 0;
  ensure(1);
  // Flags (1 = values kept, 2 = rounded) in the low bits, the scale above them.
  out[at++] = flat[4]! | (scaleIndex << 2);
  for (let i = 0; i < 4; i++) writeDouble(flat[i]!);
  const times = scaleIndex === RAW ? undefined : TIMES[scaleIndex]!;
  let previous = 0;
  for (let i = 5; i < length; i += 2) {
    if (times === undefined) writeDouble(flat[i]!);
    else {
      const k = Math.round(flat[i]! * times);
      const d = k - previous;
      previous = k;
      // Zigzag: small differences of either sign take few bytes.
      writeVarint(d >= 0 ? d * 2 : -d * 2 - 1);
    }
    writeVarint(flat[i + 1]!);
  }
  return out.toString("latin1", 0, at);
}

let pos = 0;

function readDouble(s: string): number {
  for (let i = 0; i < 8; i++) f64Bytes[i] = s.charCodeAt(pos++);
  return f64[0]!;
}

function readVarint(s: string): number {
  let n = 0;
  let weight = 1;
  for (;;) {
    const b = s.charCodeAt(pos++);
    n += (b % 128) * weight;
    if (b < 128) return n;
    weight *= 128;
  }
}

/** The array encodeBucket was given. */
export function decodeBucket(s: string): number[] {
  const flags = s.charCodeAt(0);
  pos = 1;
  const flat = [readDouble(s), readDouble(s), readDouble(s), readDouble(s), flags & 3];
  const scaleIndex = flags >> 2;
  let previous = 0;
  while (pos < s.length) {
    if (scaleIndex === RAW) flat.push(readDouble(s));
    else {
      const z = readVarint(s);
      previous += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      flat.push(unscaled(scaleIndex, previous));
    }
    flat.push(readVarint(s));
  }
  return flat;
}

/** sampleCount, sum, minimum and maximum of an encoded bucket, without its values. */
export function decodeScalars(s: string): [number, number, number, number] {
  pos = 1;
  return [readDouble(s), readDouble(s), readDouble(s), readDouble(s)];
}
