/**
 * A shard's records, oldest first, stored compactly: a 17-hour run holds over 800,000 of them, and
 * as one object (with two strings) each they took most of a gigabyte. Records go into chunks of
 * CHUNK_RECORDS: the numbers in typed arrays, the partition key and data bytes one after another in
 * a buffer, which is deflated once the chunk is full (log lines compress about 12 to 1). A read
 * inflates a chunk again and keeps the last one it inflated, as readers go through a shard in order.
 * Trimming drops whole chunks from the front. Hand-written because no library stores an append-only,
 * trimmable, compressed log of records in memory; node:zlib does the compression.
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
  /** Base64, exactly as the producer sent it: it goes back out unchanged. */
  data: string;
  /** Data bytes plus partition key bytes: what counts against the per-shard limits. */
  size: number;
}

/** Records per chunk: large enough to compress well, small enough to inflate quickly (~0.5 MB). */
export const CHUNK_RECORDS = 1024;
const INITIAL_BYTES = 16 * 1024;

class Chunk {
  readonly counters = new Float64Array(CHUNK_RECORDS);
  readonly arrivals = new Float64Array(CHUNK_RECORDS);
  readonly sizes = new Uint32Array(CHUNK_RECORDS);
  /** End of each record's bytes (partition key, then data) in the chunk's byte buffer. */
  readonly ends = new Uint32Array(CHUNK_RECORDS);
  /** Partition key length in bytes (UTF-8): at most 256 characters, so at most 1,024 bytes. */
  readonly keyBytes = new Uint16Array(CHUNK_RECORDS);
  length = 0;
  /** Raw bytes while the chunk fills; undefined once sealed. */
  open: Buffer | undefined = Buffer.allocUnsafe(INITIAL_BYTES);
  /** Deflated bytes, once sealed. */
  sealed: Buffer | undefined;

  get byteLength(): number {
    return this.length === 0 ? 0 : this.ends[this.length - 1]!;
  }

  append(r: StoredRecord): void {
    const key = Buffer.byteLength(r.partitionKey, "utf8");
    const need = this.byteLength + key + r.data.length;
    let buf = this.open!;
    if (need > buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
      buf.copy(grown, 0, 0, this.byteLength);
      buf = this.open = grown;
    }
    let at = this.byteLength;
    at += buf.write(r.partitionKey, at, "utf8");
    // Base64 is ASCII: one byte a character.
    at += buf.write(r.data, at, "latin1");
    const i = this.length++;
    this.counters[i] = r.counter;
    this.arrivals[i] = r.arrival;
    this.sizes[i] = r.size;
    this.keyBytes[i] = key;
    this.ends[i] = at;
  }

  seal(): void {
    this.sealed = deflateRawSync(this.open!.subarray(0, this.byteLength), { level: constants.Z_BEST_SPEED });
    this.open = undefined;
  }
}

export class RecordStore {
  private chunks: Chunk[] = [];
  /** Records dropped from the front of chunks[0] by trimming. */
  private head = 0;
  private inflated: { chunk: Chunk; bytes: Buffer } | undefined;

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
      last = new Chunk();
      this.chunks.push(last);
    }
    last.append(record);
  }

  /** Counter of the oldest record held, if any. */
  firstCounter(): number | undefined {
    const c = this.chunks[0];
    return c && this.head < c.length ? c.counters[this.head] : undefined;
  }

  /** Drops records that arrived before `before`; arrivals only grow, so they are at the front. */
  trimArrivedBefore(before: number): void {
    while (this.chunks.length > 0) {
      const c = this.chunks[0]!;
      while (this.head < c.length && c.arrivals[this.head]! < before) this.head++;
      if (this.head < c.length || c.length < CHUNK_RECORDS) break;
      // Every record of a full chunk is gone: drop it.
      this.chunks.shift();
      if (this.inflated?.chunk === c) this.inflated = undefined;
      this.head = 0;
    }
    // An open chunk emptied by trimming is kept and filled on: its records stay trimmed.
  }

  /** Position (0 = oldest held) of the first record whose counter is >= `counter`; size if none. */
  positionOfCounter(counter: number): number {
    return this.search((c, i) => c.counters[i]! < counter);
  }

  /** Position of the first record that arrived at or after `at`; size if none. */
  positionAtTime(at: number): number {
    return this.search((c, i) => c.arrivals[i]! < at);
  }

  counterAt(position: number): number {
    const [c, i] = this.locate(position);
    return c.counters[i]!;
  }

  arrivalAt(position: number): number {
    const [c, i] = this.locate(position);
    return c.arrivals[i]!;
  }

  sizeAt(position: number): number {
    const [c, i] = this.locate(position);
    return c.sizes[i]!;
  }

  /** The whole record at `position` (0 = oldest held). */
  at(position: number): StoredRecord {
    const [c, i] = this.locate(position);
    const bytes = this.bytesOf(c);
    const start = i === 0 ? 0 : c.ends[i - 1]!;
    const keyEnd = start + c.keyBytes[i]!;
    return {
      counter: c.counters[i]!,
      arrival: c.arrivals[i]!,
      size: c.sizes[i]!,
      partitionKey: bytes.toString("utf8", start, keyEnd),
      data: bytes.toString("latin1", keyEnd, c.ends[i]!),
    };
  }

  /** Bytes held in memory (typed arrays and buffers): what the compaction saves, for benches. */
  get heldBytes(): number {
    let n = 0;
    for (const c of this.chunks) n += CHUNK_RECORDS * (8 + 8 + 4 + 4 + 2) + (c.sealed?.length ?? c.open?.length ?? 0);
    return n;
  }

  private bytesOf(c: Chunk): Buffer {
    if (c.open) return c.open;
    if (this.inflated?.chunk !== c) this.inflated = { chunk: c, bytes: inflateRawSync(c.sealed!) };
    return this.inflated.bytes;
  }

  /** Chunk and index within it of a position. */
  private locate(position: number): [Chunk, number] {
    if (!(position >= 0 && position < this.size)) throw new RangeError(`no record at position ${position} (${this.size} held)`);
    const p = position + this.head;
    return [this.chunks[Math.floor(p / CHUNK_RECORDS)]!, p % CHUNK_RECORDS];
  }

  /** The first position where `before` is false; `before` must be true then false along the records. */
  private search(before: (c: Chunk, i: number) => boolean): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const p = mid + this.head;
      const c = this.chunks[Math.floor(p / CHUNK_RECORDS)]!;
      if (before(c, p % CHUNK_RECORDS)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
