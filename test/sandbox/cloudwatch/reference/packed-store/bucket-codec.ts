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
const SCALES: readonly { times: number; value: (k: number) => number }[] = [
  { times: 1, value: (k) => k },
  { times: 1_000, value: (k) => k / 1_000 },
  { times: 1_000_000, value: (k) => k / 1_000_000 },
  // Thousandths of a millisecond, put in seconds (ms / 1000).
  { times: 1_000_000, value: (k) => k / 1_000 / 1_000 },
];
/** Marks values kept as their 8 bytes (no scale fits). */
const RAW = SCALES.length;
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

/** The scale index that writes every value exactly, or RAW. */
function scaleOf(flat: readonly number[]): number {
  next: for (let s = 0; s < SCALES.length; s++) {
    const scale = SCALES[s]!;
    for (let i = 5; i < flat.length; i += 2) {
      const v = flat[i]!;
      const k = Math.round(v * scale.times);
      // -0 would come back as 0.
      if (!(scale.value(k) === v) || Object.is(v, -0) || Math.abs(k) >= MAX_INTEGER / 2) continue next;
    }
    return s;
  }
  return RAW;
}

/**
 * The bucket as a string, or undefined when a count is not a whole number below MAX_INTEGER (it
 * then stays an array).
 */
export function encodeBucket(flat: readonly number[]): string | undefined {
  for (let i = 6; i < flat.length; i += 2) {
    const c = flat[i]!;
    if (!(Number.isInteger(c) && c >= 0 && c < MAX_INTEGER)) return undefined;
  }
  const scaleIndex = scaleOf(flat);
  at = 0;
  ensure(1);
  // Flags (1 = values kept, 2 = rounded) in the low bits, the scale above them.
  out[at++] = flat[4]! | (scaleIndex << 2);
  for (let i = 0; i < 4; i++) writeDouble(flat[i]!);
  const scale = scaleIndex === RAW ? undefined : SCALES[scaleIndex]!;
  let previous = 0;
  for (let i = 5; i < flat.length; i += 2) {
    if (scale === undefined) writeDouble(flat[i]!);
    else {
      const k = Math.round(flat[i]! * scale.times);
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
  const scale = scaleIndex === RAW ? undefined : SCALES[scaleIndex]!;
  let previous = 0;
  while (pos < s.length) {
    if (scale === undefined) flat.push(readDouble(s));
    else {
      const z = readVarint(s);
      previous += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      flat.push(scale.value(previous));
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
