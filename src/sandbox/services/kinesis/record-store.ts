/**
 * A shard's records, oldest first, stored compactly: a 17-hour run holds over 800,000 of them, and
 * as one object (with two strings) each they took most of a gigabyte. Records go into chunks of
 * CHUNK_RECORDS: while a chunk fills, the numbers sit in typed arrays and the partition key and data
 * bytes one after another in a buffer. A full chunk is sealed into one deflated buffer holding both
 * (the counters and arrivals as differences from the record before, which deflate shrinks to almost
 * nothing; log lines compress about 12 to 1), and keeps only its first and last counter and arrival
 * for the searches. Kept as typed arrays, the numbers of a sealed chunk were 26 bytes a record:
 * 21 MiB of the outage's peak, more than its deflated records. Data is kept as its bytes, not the
 * base64 text the wire carries: a quarter less to copy and deflate, and base64 compresses worse. A read inflates a chunk again and
 * keeps the last ones it inflated, as readers go through a shard in order. Trimming drops whole
 * chunks from the front. Hand-written because no library stores an append-only, trimmable,
 * compressed log of records in memory; node:zlib does the compression.
 */
import { deflateRawSync, inflateRawSync, constants } from "node:zlib";

export interface StoredRecord {
  /**
   * Position in the stream-wide sequence. The sequence number is derived from it and the shard
   * (formatSequenceNumber) when needed rather than stored.
   */
  counter: number;
  /** Arrival time on the clock (ms). */
  arrival: number;
  partitionKey: string;
  /** The record's bytes (decoded from the base64 the wire carries). */
  data: Uint8Array;
  /** Data bytes plus partition key bytes: what counts against the per-shard limits. */
  size: number;
}

/** Records per chunk: large enough to compress well, small enough to inflate quickly (~0.5 MB). */
export const CHUNK_RECORDS = 1024;
const INITIAL_BYTES = 16 * 1024;
/** Bytes of numbers per record in a chunk: counter and arrival (8 each), size and end (4 each), key length (2). */
const NUMBER_BYTES = 8 + 8 + 4 + 4 + 2;
/** Inflated chunks a store keeps: the one a reader is in and the one it goes on to (or the front, for trimming). */
const INFLATED_KEPT = 2;

/** A chunk's records as arrays: an open chunk's own, or a sealed chunk's inflated again. */
interface Columns {
  readonly counters: Float64Array;
  readonly arrivals: Float64Array;
  readonly sizes: Uint32Array;
  /** End of each record's bytes (partition key, then data) in `bytes`. */
  readonly ends: Uint32Array;
  /** Partition key length in bytes (UTF-8): at most 256 characters, so at most 1,024 bytes. */
  readonly keyBytes: Uint16Array;
  readonly bytes: Buffer;
}

function emptyColumns(bytes: Buffer): Columns {
  return {
    counters: new Float64Array(CHUNK_RECORDS),
    arrivals: new Float64Array(CHUNK_RECORDS),
    sizes: new Uint32Array(CHUNK_RECORDS),
    ends: new Uint32Array(CHUNK_RECORDS),
    keyBytes: new Uint16Array(CHUNK_RECORDS),
    bytes,
  };
}

/**
 * Differences from the value before (the first from 0), in place, when adding them back gives every
 * value exactly (integers do; fractional milliseconds may not, and are then kept as they are).
 */
function toDifferences(values: Float64Array, n: number): boolean {
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    out[i] = values[i]! - (i === 0 ? 0 : values[i - 1]!);
    sum += out[i]!;
    if (sum !== values[i]) return false;
  }
  values.set(out);
  return true;
}

function fromDifferences(values: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) values[i] = values[i]! + values[i - 1]!;
}

class Chunk {
  length = 0;
  /** While the chunk fills; undefined once sealed. */
  open: Columns | undefined;
  /** Numbers then bytes, deflated, once sealed. */
  sealed: Buffer | undefined;
  /** Whether the sealed counters and arrivals are differences (see toDifferences). */
  private differences = { counters: false, arrivals: false };
  /** Bytes the sealed chunk inflates to. */
  private rawLength = 0;

  /** `expectedBytes`: room for the records' bytes to start with (it doubles when outgrown). */
  constructor(expectedBytes: number) {
    this.open = emptyColumns(Buffer.allocUnsafe(expectedBytes));
  }
  firstCounter = 0;
  lastCounter = 0;
  firstArrival = 0;
  lastArrival = 0;

  /** Bytes of partition keys and data a sealed chunk holds. */
  get rawBytes(): number {
    return this.rawLength - NUMBER_BYTES * this.length;
  }

  get byteLength(): number {
    return this.length === 0 ? 0 : this.open!.ends[this.length - 1]!;
  }

  append(r: StoredRecord): void {
    let cols = this.open!;
    const start = this.byteLength;
    // Room for the key at its longest in UTF-8 (3 bytes a UTF-16 unit), so the key is written
    // without measuring it first: the write says how many bytes it took.
    const need = start + 3 * r.partitionKey.length + r.data.byteLength;
    if (need > cols.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, cols.bytes.length * 2));
      cols.bytes.copy(grown, 0, 0, start);
      cols = { ...cols, bytes: grown };
      this.open = cols;
    }
    const buf = cols.bytes;
    const key = buf.write(r.partitionKey, start, "utf8");
    buf.set(r.data, start + key);
    const end = start + key + r.data.byteLength;
    const i = this.length++;
    cols.counters[i] = r.counter;
    cols.arrivals[i] = r.arrival;
    cols.sizes[i] = r.size;
    cols.keyBytes[i] = key;
    cols.ends[i] = end;
    if (i === 0) {
      this.firstCounter = r.counter;
      this.firstArrival = r.arrival;
    }
    this.lastCounter = r.counter;
    this.lastArrival = r.arrival;
  }

  seal(): void {
    const { counters, arrivals, sizes, ends, keyBytes, bytes } = this.open!;
    const n = this.length;
    this.differences = { counters: toDifferences(counters, n), arrivals: toDifferences(arrivals, n) };
    const raw = Buffer.allocUnsafe(NUMBER_BYTES * n + this.byteLength);
    let at = 0;
    for (const column of [counters, arrivals, sizes, ends, keyBytes]) {
      at += Buffer.from(column.buffer, column.byteOffset, n * column.BYTES_PER_ELEMENT).copy(raw, at);
    }
    bytes.copy(raw, at, 0, this.byteLength);
    this.rawLength = raw.length;
    const deflated = deflateRawSync(raw, { level: constants.Z_BEST_SPEED });
    // zlib hands back a slice of its 16 KiB output buffer when the result fits in one: keep only the result.
    this.sealed = deflated.length === deflated.buffer.byteLength ? deflated : Buffer.from(new Uint8Array(deflated).buffer);
    this.open = undefined;
  }

  /** A sealed chunk's records as arrays again. */
  inflate(): Columns {
    // Room for the whole result in zlib's one output buffer: by default it inflates 16 KiB at a time
    // and joins the pieces, four times the work. One byte more than the result, or zlib, finding
    // the buffer full, allocates another to look for more.
    const raw = inflateRawSync(this.sealed!, { chunkSize: Math.max(constants.Z_MIN_CHUNK, this.rawLength + 1) });
    const n = this.length;
    // Copied out of the inflated buffer: a typed array needs its element alignment.
    const numbers = new Uint8Array(NUMBER_BYTES * n);
    numbers.set(raw.subarray(0, NUMBER_BYTES * n));
    let at = 0;
    const take = <T>(make: (buffer: ArrayBuffer, offset: number, length: number) => T, width: number): T => {
      const view = make(numbers.buffer, at, n);
      at += width * n;
      return view;
    };
    const counters = take((b, o, l) => new Float64Array(b, o, l), 8);
    const arrivals = take((b, o, l) => new Float64Array(b, o, l), 8);
    const sizes = take((b, o, l) => new Uint32Array(b, o, l), 4);
    const ends = take((b, o, l) => new Uint32Array(b, o, l), 4);
    const keyBytes = take((b, o, l) => new Uint16Array(b, o, l), 2);
    if (this.differences.counters) fromDifferences(counters, n);
    if (this.differences.arrivals) fromDifferences(arrivals, n);
    return { counters, arrivals, sizes, ends, keyBytes, bytes: raw.subarray(NUMBER_BYTES * n) };
  }
}

export class RecordStore {
  private chunks: Chunk[] = [];
  /** Records dropped from the front of chunks[0] by trimming. */
  private head = 0;
  /** Sealed chunks inflated again, most recently used last. */
  private inflated: { chunk: Chunk; columns: Columns }[] = [];

  /** Records held. */
  get size(): number {
    const n = this.chunks.length;
    // Every chunk but the last is full.
    return n === 0 ? 0 : (n - 1) * CHUNK_RECORDS + this.chunks[n - 1]!.length - this.head;
  }

  append(record: StoredRecord): void {
    let last = this.chunks[this.chunks.length - 1];
    if (!last || last.length === CHUNK_RECORDS) {
      last?.seal();
      // Room for as many bytes as the chunk before took, and an eighth more: a shard's records are
      // much alike, so the buffer is seldom outgrown and copied (doubling from 16 KiB copied
      // about as much as the chunk holds).
      last = new Chunk(last ? Math.max(INITIAL_BYTES, Math.ceil(last.rawBytes * 1.125)) : INITIAL_BYTES);
      this.chunks.push(last);
    }
    last.append(record);
  }

  /** Counter of the oldest record held, if any. */
  firstCounter(): number | undefined {
    const c = this.chunks[0];
    if (!c || this.head >= c.length) return undefined;
    return this.head === 0 ? c.firstCounter : this.columnsOf(c).counters[this.head];
  }

  /** Drops records that arrived before `before`; arrivals only grow, so they are at the front. */
  trimArrivedBefore(before: number): void {
    while (this.chunks.length > 0) {
      const c = this.chunks[0]!;
      if (c.length === CHUNK_RECORDS && c.lastArrival < before) {
        // Every record of a full chunk is gone: drop it.
        this.chunks.shift();
        this.inflated = this.inflated.filter((k) => k.chunk !== c);
        this.head = 0;
        continue;
      }
      // Some of this chunk stays (or it is the open one): step over what arrived before.
      if (this.head < c.length && (this.head === 0 ? c.firstArrival : this.columnsOf(c).arrivals[this.head]!) < before) {
        const { arrivals } = this.columnsOf(c);
        while (this.head < c.length && arrivals[this.head]! < before) this.head++;
      }
      break;
    }
    // An open chunk emptied by trimming is kept and filled on: its records stay trimmed.
  }

  /** Position (0 = oldest held) of the first record whose counter is >= `counter`; size if none. */
  positionOfCounter(counter: number): number {
    return this.search(
      (c) => c.lastCounter < counter,
      (c) => c.firstCounter >= counter,
      (cols, i) => cols.counters[i]! < counter,
    );
  }

  /** Position of the first record that arrived at or after `at`; size if none. */
  positionAtTime(at: number): number {
    return this.search(
      (c) => c.lastArrival < at,
      (c) => c.firstArrival >= at,
      (cols, i) => cols.arrivals[i]! < at,
    );
  }

  counterAt(position: number): number {
    const [c, i] = this.locate(position);
    return this.columnsOf(c).counters[i]!;
  }

  arrivalAt(position: number): number {
    const [c, i] = this.locate(position);
    return this.columnsOf(c).arrivals[i]!;
  }

  sizeAt(position: number): number {
    const [c, i] = this.locate(position);
    return this.columnsOf(c).sizes[i]!;
  }

  /** The whole record at `position` (0 = oldest held). */
  at(position: number): StoredRecord {
    return this.read(position, 1, Number.POSITIVE_INFINITY).records[0]!;
  }

  /**
   * Records from `position` on, oldest first: at most `maxRecords`, and while their sizes add up
   * to at most `maxBytes` (the first goes out whatever its size, so one large record cannot wedge
   * a reader). Each chunk is visited once: sizes, records and data in the same pass. The data is
   * the caller's to keep: each chunk's share of the bytes is copied once, and the records' data
   * are views over that copy.
   */
  read(position: number, maxRecords: number, maxBytes: number): { records: StoredRecord[]; bytes: number } {
    const records: StoredRecord[] = [];
    const held = this.size;
    let bytes = 0;
    let full = false;
    while (!full && position < held && records.length < maxRecords) {
      const [c, first] = this.locate(position);
      const cols = this.columnsOf(c);
      let end = first;
      while (end < c.length && records.length + (end - first) < maxRecords) {
        const size = cols.sizes[end]!;
        if ((records.length > 0 || end > first) && bytes + size > maxBytes) {
          full = true;
          break;
        }
        bytes += size;
        end++;
      }
      if (end === first) break;
      const from = first === 0 ? 0 : cols.ends[first - 1]!;
      const to = cols.ends[end - 1]!;
      const copy = Buffer.allocUnsafe(to - from);
      cols.bytes.copy(copy, 0, from, to);
      // A small copy is a slice of Node's shared pool: views count from its offset.
      const base = copy.byteOffset - from;
      for (let i = first; i < end; i++) {
        const start = i === 0 ? 0 : cols.ends[i - 1]!;
        const keyEnd = start + cols.keyBytes[i]!;
        records.push({
          counter: cols.counters[i]!,
          arrival: cols.arrivals[i]!,
          size: cols.sizes[i]!,
          partitionKey: cols.bytes.toString("utf8", start, keyEnd),
          data: new Uint8Array(copy.buffer, base + keyEnd, cols.ends[i]! - keyEnd),
        });
      }
      position += end - first;
    }
    return { records, bytes };
  }

  /** Bytes held in memory (typed arrays and buffers, inflated chunks included): what the compaction saves, for benches. */
  get heldBytes(): number {
    const columnBytes = (cols: Columns) => CHUNK_RECORDS * NUMBER_BYTES + cols.bytes.length;
    let n = 0;
    for (const c of this.chunks) n += c.sealed ? c.sealed.length + 64 : columnBytes(c.open!);
    for (const k of this.inflated) n += columnBytes(k.columns);
    return n;
  }

  private columnsOf(c: Chunk): Columns {
    if (c.open) return c.open;
    const latest = this.inflated[this.inflated.length - 1];
    if (latest?.chunk === c) return latest.columns;
    const kept = this.inflated.findIndex((k) => k.chunk === c);
    if (kept >= 0) {
      const [hit] = this.inflated.splice(kept, 1);
      this.inflated.push(hit!);
      return hit!.columns;
    }
    const columns = c.inflate();
    this.inflated.push({ chunk: c, columns });
    if (this.inflated.length > INFLATED_KEPT) this.inflated.shift();
    return columns;
  }

  /** Chunk and index within it of a position. */
  private locate(position: number): [Chunk, number] {
    if (!(position >= 0 && position < this.size)) throw new RangeError(`no record at position ${position} (${this.size} held)`);
    const p = position + this.head;
    return [this.chunks[Math.floor(p / CHUNK_RECORDS)]!, p % CHUNK_RECORDS];
  }

  /**
   * The first position where a record is not `before` (true then false along the records): first
   * the chunk, from its first and last values (`allBefore`, `noneBefore`) without inflating it, then
   * the record within it.
   */
  private search(allBefore: (c: Chunk) => boolean, noneBefore: (c: Chunk) => boolean, before: (cols: Columns, i: number) => boolean): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (allBefore(this.chunks[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.chunks.length) return this.size;
    const c = this.chunks[lo]!;
    const from = lo === 0 ? this.head : 0;
    let i = from;
    if (!(from === 0 && noneBefore(c))) {
      const cols = this.columnsOf(c);
      let end = c.length;
      while (i < end) {
        const mid = (i + end) >> 1;
        if (before(cols, mid)) i = mid + 1;
        else end = mid;
      }
    }
    return lo * CHUNK_RECORDS + i - this.head;
  }
}
