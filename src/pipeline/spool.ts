/**
 * The disk spool: where records wait while Kinesis cannot take them. Append-only segment files
 * (seg-000000000001.spool, ...) of checksummed, length-prefixed frames (spool-format.ts) in one
 * directory, with an fsync policy, a size cap and an explicit, counted drop policy when full.
 *
 * Replay reads segments oldest first, a megabyte at a time (see readAhead). Acks are tracked per record in memory (one byte per record),
 * and a segment file is deleted only once every record in it is acked. Replay progress survives a
 * crash through a checkpoint per segment (seg-N.ack beside seg-N.spool): how many records from the
 * segment's start are all acked, written at most every checkpointIntervalMs (and at close), synced
 * unless fsync is `never`. A restart skips that prefix, so what it resends is bounded by the acks
 * of the last interval plus the records acked out of order past the prefix, not the whole segment.
 * A checkpoint only ever counts acked records, so a stale one costs duplicates, never a loss (the
 * file's two slots: see readCheckpoint).
 *
 * Synchronous fs calls on purpose: the shipper runs in pino's transport worker thread, where sync
 * I/O blocks nobody, and async fs callbacks would let a virtual clock run ahead of the disk (the
 * clock advances when nothing else is runnable), which would break determinism in the sandbox and
 * in tests. It also means a record is on disk (in the page cache at least) when append() returns.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { crc32 } from "node:zlib";
import type { Clock } from "../time/clock.js";
import { FRAME_HEADER_BYTES, frameSize, readFrame, writeFrame, type FrameEntry, type SpoolEntry } from "./spool-format.js";

export type FsyncPolicy = "always" | "interval" | "never";
export type DropPolicy = "drop-newest" | "drop-oldest";

export interface SpoolOptions {
  /** The directory for segment files; created if missing. One shipper per directory. */
  dir: string;
  /** Cap on the bytes of all segment files. Default 1 GiB. */
  maxBytes?: number;
  /** A segment is sealed and a new one started past this size. Default 8 MiB. */
  segmentBytes?: number;
  /** `always`: fsync after every append; `interval`: at most every fsyncIntervalMs; `never`: leave it to the OS. */
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** When full: refuse the new record (`drop-newest`, default) or delete whole oldest segments (`drop-oldest`). */
  dropPolicy?: DropPolicy;
  /** Replay progress is checkpointed at most this often. Default 1 s. */
  checkpointIntervalMs?: number;
}

export const SPOOL_DEFAULTS = {
  maxBytes: 1024 * 1024 * 1024,
  segmentBytes: 8 * 1024 * 1024,
  fsync: "interval" as FsyncPolicy,
  fsyncIntervalMs: 1_000,
  dropPolicy: "drop-newest" as DropPolicy,
  checkpointIntervalMs: 1_000,
};

const PENDING = 0;
const OUT = 1;
const ACKED = 2;
const SEGMENT_NAME = /^seg-(\d{12})\.spool$/;
const CHECKPOINT_SUFFIX = ".ack";
const READ_CHUNK = 256 * 1024;
/**
 * Replay reads a segment this much at a time and keeps the last read: a replay batch (500 records
 * at most) is a fraction of it, so most batches, and rereads after a failed send, need no syscall.
 */
const REPLAY_CHUNK = 1024 * 1024;
const LOCK_FILE = "spool.lock";

interface Segment {
  id: number;
  path: string;
  /** Logical end: the bytes of valid frames (a torn or corrupt tail is excluded). */
  bytes: number;
  records: number;
  /** acceptedAt of the first record: the age metric's (conservative) reference. */
  firstAt: number;
  /** Per record: PENDING, OUT (handed to replay) or ACKED. */
  state: Uint8Array;
  acked: number;
  out: number;
  /** Records [0, ackedPrefix) are all acked: what the checkpoint file records. */
  ackedPrefix: number;
  /** ackedPrefix as last written to the checkpoint file. */
  checkpointed: number;
  /** The checkpoint slot the next in-place write goes to; -1 until this process wrote the file whole. */
  checkpointSlot: number;
  /** Where replay continues reading. */
  cursorOffset: number;
  cursorIndex: number;
  /**
   * Where each record read so far starts, so that releasing one moves the cursor back to it
   * rather than rereading the whole segment (a failed probe every few seconds through a long
   * outage would otherwise reread megabytes each time).
   */
  offsets: Float64Array;
  evicted: boolean;
  /** Records whose send timed out since they were written (the flag on disk is older). */
  ambiguous: Set<number> | undefined;
}

/** A handle on one spooled record, for ack() and release(). */
export interface SpoolRef {
  readonly segment: object;
  readonly index: number;
}

export interface SpooledRecord extends FrameEntry {
  ref: SpoolRef;
}

export interface SpoolCounters {
  /** Records refused because the spool was full (drop-newest). */
  droppedNewest: number;
  /** Records deleted with whole oldest segments (drop-oldest). */
  droppedOldest: number;
  /** Records that could not be written (disk full below the cap, I/O errors) or read back. */
  droppedIo: number;
  /** Bytes found torn or corrupt in segments at open. */
  corruptBytes: number;
}

export class Spool {
  readonly counters: SpoolCounters = { droppedNewest: 0, droppedOldest: 0, droppedIo: 0, corruptBytes: 0 };
  private readonly segments: Segment[] = [];
  private active: { seg: Segment; fd: number; dirty: boolean } | undefined;
  private totalBytes = 0;
  /** Running totals over live segments, so the shipper's frequent questions cost O(1). */
  private unacked = 0;
  private outstanding = 0;
  private nextId = 1;
  private lastSync = 0;
  private cancelSyncTimer: (() => void) | undefined;
  private cancelCheckpointTimer: (() => void) | undefined;
  private closed = false;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly fsyncPolicy: FsyncPolicy;
  private readonly fsyncIntervalMs: number;
  private readonly dropPolicy: DropPolicy;
  private readonly checkpointIntervalMs: number;
  /**
   * The last bytes replay read, [start, start + buf.length) of seg's file. Bytes below a segment's
   * logical end never change (segments are append-only), so they serve later batches as they are.
   * A fresh buffer per read rather than one reused: records handed out are views into it, not copies.
   */
  private readAhead: { seg: Segment; start: number; buf: Buffer } | undefined;
  /** Frames are assembled here before one writeSync; reused, since the write completes before append() returns. */
  private writeBuffer = Buffer.allocUnsafe(64 * 1024);

  constructor(
    readonly options: SpoolOptions,
    private readonly clock: Pick<Clock, "now" | "setTimer">,
    private readonly onError: (error: unknown, during: string) => void = () => {},
  ) {
    this.maxBytes = options.maxBytes ?? SPOOL_DEFAULTS.maxBytes;
    this.segmentBytes = options.segmentBytes ?? SPOOL_DEFAULTS.segmentBytes;
    this.fsyncPolicy = options.fsync ?? SPOOL_DEFAULTS.fsync;
    this.fsyncIntervalMs = options.fsyncIntervalMs ?? SPOOL_DEFAULTS.fsyncIntervalMs;
    this.dropPolicy = options.dropPolicy ?? SPOOL_DEFAULTS.dropPolicy;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? SPOOL_DEFAULTS.checkpointIntervalMs;
    fs.mkdirSync(options.dir, { recursive: true });
    this.lock();
    this.recover();
  }

  /** Bytes of all segment files (acked records count until their segment is deleted). */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Records on disk that are not acked yet, including those replay has in flight. */
  get pendingRecords(): number {
    return this.unacked;
  }

  /** Records replay could read now (pending and not in flight). */
  get readableRecords(): number {
    return this.unacked - this.outstanding;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** acceptedAt of the first record of the oldest segment that still holds unacked records. */
  oldestAcceptedAt(): number | undefined {
    for (const s of this.segments) if (s.records > s.acked) return s.firstAt;
    return undefined;
  }

  /** Appends records; returns how many were written (the rest were dropped and counted). */
  append(entries: readonly SpoolEntry[]): number {
    this.assertOpen("append");
    let written = 0;
    let frames: Buffer | undefined;
    let used = 0;
    let framed: SpoolEntry[] = [];
    const flush = () => {
      if (frames && framed.length > 0) written += this.writeFrames(frames.subarray(0, used), framed);
      frames = undefined;
      used = 0;
      framed = [];
    };
    for (const entry of entries) {
      const size = frameSize(entry);
      // Eviction may seal the active segment: write what is framed for it first.
      if (this.totalBytes + size > this.maxBytes) flush();
      if (!this.makeRoom(size)) {
        this.counters.droppedNewest++;
        continue;
      }
      const seg = this.active?.seg;
      if (!seg || (seg.bytes + used + size > this.segmentBytes && seg.records + framed.length > 0)) {
        flush();
        this.rotate();
      }
      frames ??= this.writeBuffer;
      if (used + size > frames.length) {
        const bigger = Buffer.allocUnsafe(Math.max(frames.length * 2, used + size));
        frames.copy(bigger, 0, 0, used);
        frames = bigger;
        // Keep a grown buffer for next time, up to a size worth keeping around.
        if (bigger.length <= 4 * 1024 * 1024) this.writeBuffer = bigger;
      }
      used = writeFrame(entry, frames, used);
      framed.push(entry);
      // Counted now so that makeRoom() sees the bytes of frames not yet written.
      this.totalBytes += size;
    }
    flush();
    return written;
  }

  /**
   * Up to `maxRecords` pending records, oldest first, whose data plus keys fit in `maxBytes` (at
   * least one record is returned when any is pending). They are marked in flight until ack()/release().
   */
  readBatch(maxRecords: number, maxBytes: number): SpooledRecord[] {
    this.assertOpen("readBatch");
    const out: SpooledRecord[] = [];
    const budget = { records: maxRecords, bytes: maxBytes };
    for (const seg of this.segments) {
      if (out.length >= maxRecords) break;
      if (seg.records - seg.acked - seg.out === 0) continue;
      if (!this.readSegment(seg, out, budget)) break;
    }
    return out;
  }

  /** Kinesis took the record. Deletes its segment once every record in it is acked. */
  ack(ref: SpoolRef): void {
    const seg = ref.segment as Segment;
    if (seg.state[ref.index] !== OUT) return;
    seg.state[ref.index] = ACKED;
    seg.out--;
    seg.acked++;
    if (seg.evicted) return;
    this.outstanding--;
    this.unacked--;
    if (seg.acked === seg.records) return this.remove(seg);
    if (ref.index === seg.ackedPrefix) {
      while (seg.ackedPrefix < seg.records && seg.state[seg.ackedPrefix] === ACKED) seg.ackedPrefix++;
      this.scheduleCheckpoint();
    }
  }

  /** Writes the checkpoint of every segment whose acked prefix moved since the last one. */
  checkpoint(): void {
    this.cancelCheckpointTimer?.();
    this.cancelCheckpointTimer = undefined;
    for (const seg of this.segments) {
      if (seg.ackedPrefix === seg.checkpointed || seg.evicted) continue;
      try {
        const file = seg.path + CHECKPOINT_SUFFIX;
        const sync = this.fsyncPolicy !== "never";
        if (seg.checkpointSlot < 0) {
          writeCheckpoint(file, seg.ackedPrefix, sync);
          seg.checkpointSlot = 0;
        } else {
          writeCheckpointSlot(file, seg.checkpointSlot, seg.ackedPrefix, sync);
          seg.checkpointSlot ^= 1;
        }
        seg.checkpointed = seg.ackedPrefix;
      } catch (error) {
        // Next time, the whole file again: this one may be gone or half-written.
        seg.checkpointSlot = -1;
        this.onError(error, "write checkpoint");
      }
    }
  }

  private scheduleCheckpoint(): void {
    if (this.cancelCheckpointTimer || this.closed) return;
    this.cancelCheckpointTimer = this.clock.setTimer(this.checkpointIntervalMs, () => {
      this.cancelCheckpointTimer = undefined;
      if (!this.closed) this.checkpoint();
    });
  }

  /** The record was not delivered: it becomes readable again (and is counted as dropped if its segment was evicted meanwhile). */
  release(ref: SpoolRef, ambiguous: boolean): void {
    const seg = ref.segment as Segment;
    if (seg.state[ref.index] !== OUT) return;
    seg.out--;
    if (seg.evicted) {
      seg.state[ref.index] = ACKED;
      this.counters.droppedOldest++;
      return;
    }
    this.outstanding--;
    seg.state[ref.index] = PENDING;
    if (ambiguous) (seg.ambiguous ??= new Set()).add(ref.index);
    if (ref.index < seg.cursorIndex) {
      seg.cursorIndex = ref.index;
      seg.cursorOffset = seg.offsets[ref.index]!;
    }
  }

  /** Makes appended data durable now, whatever the policy (used at close for `interval`). */
  sync(): void {
    if (this.active?.dirty) {
      try {
        fs.fsyncSync(this.active.fd);
      } catch (error) {
        this.onError(error, "fsync");
      }
      this.active.dirty = false;
      this.lastSync = this.clock.now();
    }
  }

  close(): void {
    if (this.closed) return;
    if (this.fsyncPolicy !== "never") this.sync();
    this.checkpoint();
    this.cancelSyncTimer?.();
    this.cancelSyncTimer = undefined;
    if (this.active) {
      const seg = this.active.seg;
      fs.closeSync(this.active.fd);
      this.active = undefined;
      if (seg.records === 0) this.remove(seg);
    }
    this.closed = true;
    fs.rmSync(path.join(this.options.dir, LOCK_FILE), { force: true });
  }

  // -- writing ---------------------------------------------------------------------------------

  private writeFrames(frames: Buffer, entries: SpoolEntry[]): number {
    const active = this.active!;
    const seg = active.seg;
    try {
      let off = 0;
      while (off < frames.length) off += fs.writeSync(active.fd, frames, off, frames.length - off);
    } catch (error) {
      // Cut the file back to its last whole frame so later appends stay readable, and start afresh.
      this.totalBytes -= frames.length;
      this.counters.droppedIo += entries.length;
      this.onError(error, "append");
      try {
        fs.ftruncateSync(active.fd, seg.bytes);
      } catch {
        // the segment's logical end already excludes the partial frames
      }
      this.seal();
      return 0;
    }
    if (seg.records === 0) seg.firstAt = entries[0]!.acceptedAt;
    seg.state = grow(seg.state, seg.records + entries.length);
    seg.records += entries.length;
    seg.bytes += frames.length;
    this.unacked += entries.length;
    active.dirty = true;
    this.afterWrite();
    return entries.length;
  }

  private afterWrite(): void {
    if (this.fsyncPolicy === "always") return this.sync();
    if (this.fsyncPolicy === "never") return;
    const now = this.clock.now();
    if (now - this.lastSync >= this.fsyncIntervalMs) return this.sync();
    // Sync the tail within the interval even if no further append comes along.
    this.cancelSyncTimer ??= this.clock.setTimer(this.fsyncIntervalMs - (now - this.lastSync), () => {
      this.cancelSyncTimer = undefined;
      if (!this.closed) this.sync();
    });
  }

  /** Frees room for `size` more bytes under the drop policy; false when the record must be refused. */
  private makeRoom(size: number): boolean {
    if (size > this.maxBytes) return false;
    while (this.totalBytes + size > this.maxBytes) {
      if (this.dropPolicy === "drop-newest") return false;
      const oldest = this.segments[0];
      if (!oldest) return false;
      if (this.active?.seg === oldest) this.seal();
      this.evict(oldest);
    }
    return true;
  }

  private rotate(): void {
    this.seal();
    const id = this.nextId++;
    const file = path.join(this.options.dir, segmentName(id));
    const fd = fs.openSync(file, "ax");
    const seg: Segment = {
      id,
      path: file,
      bytes: 0,
      records: 0,
      firstAt: Number.NaN,
      state: new Uint8Array(1024),
      acked: 0,
      out: 0,
      ackedPrefix: 0,
      checkpointed: 0,
      checkpointSlot: -1,
      cursorOffset: 0,
      cursorIndex: 0,
      offsets: new Float64Array(1024),
      evicted: false,
      ambiguous: undefined,
    };
    this.segments.push(seg);
    this.active = { seg, fd, dirty: false };
    if (this.fsyncPolicy === "always") this.syncDirectory();
  }

  /** Closes the active segment for appends; deletes it if everything in it is already acked. */
  private seal(): void {
    const active = this.active;
    if (!active) return;
    if (this.fsyncPolicy !== "never") this.sync();
    fs.closeSync(active.fd);
    this.active = undefined;
    if (active.seg.acked === active.seg.records && !active.seg.evicted) this.remove(active.seg);
  }

  private evict(seg: Segment): void {
    this.counters.droppedOldest += seg.records - seg.acked - seg.out;
    this.unacked -= seg.records - seg.acked;
    this.outstanding -= seg.out;
    seg.evicted = true;
    this.remove(seg);
  }

  private remove(seg: Segment): void {
    if (this.active?.seg === seg) {
      fs.closeSync(this.active.fd);
      this.active = undefined;
    }
    const i = this.segments.indexOf(seg);
    if (i >= 0) this.segments.splice(i, 1);
    if (this.readAhead?.seg === seg) this.readAhead = undefined;
    this.totalBytes -= seg.bytes;
    try {
      fs.rmSync(seg.path, { force: true });
      fs.rmSync(seg.path + CHECKPOINT_SUFFIX, { force: true });
    } catch (error) {
      this.onError(error, "delete segment");
    }
  }

  private syncDirectory(): void {
    try {
      const fd = fs.openSync(this.options.dir, "r");
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch (error) {
      this.onError(error, "fsync directory");
    }
  }

  // -- reading ---------------------------------------------------------------------------------

  /** Reads pending records of `seg` from its cursor into `out`; false when the batch is full. */
  private readSegment(seg: Segment, out: SpooledRecord[], budget: { records: number; bytes: number }): boolean {
    let fd: number | undefined;
    try {
      while (seg.cursorOffset < seg.bytes) {
        let cached = this.readAhead;
        let at = cached && cached.seg === seg ? seg.cursorOffset - cached.start : -1;
        let frame = cached && at >= 0 && at < cached.buf.length ? readFrame(cached.buf, at, cached.buf.length, false) : undefined;
        if (!frame || frame.kind === "incomplete") {
          // Not in what was read last: read on from the cursor, enough for at least this frame.
          const needed = frame?.kind === "incomplete" ? frame.needed : 0;
          if (seg.cursorOffset + needed > seg.bytes) {
            this.lose(seg, seg.cursorIndex, new Error(`spool segment ${seg.path} changed on disk: a frame overruns its end`));
            return true;
          }
          try {
            fd ??= fs.openSync(seg.path, "r");
          } catch (error) {
            this.lose(seg, seg.cursorIndex, error);
            return true;
          }
          const want = Math.min(Math.max(REPLAY_CHUNK, needed), seg.bytes - seg.cursorOffset);
          const buf = Buffer.allocUnsafe(want);
          let got = 0;
          while (got < want) {
            const n = fs.readSync(fd, buf, got, want - got, seg.cursorOffset + got);
            if (n === 0) break;
            got += n;
          }
          cached = this.readAhead = { seg, start: seg.cursorOffset, buf: buf.subarray(0, got) };
          at = 0;
          frame = readFrame(cached.buf, 0, got, false);
          if (frame.kind === "incomplete") {
            // The file is shorter than its logical end says.
            this.lose(seg, seg.cursorIndex, new Error(`spool segment ${seg.path} changed on disk: it ends inside a frame`));
            return true;
          }
        }
        if (frame.kind === "corrupt") {
          this.lose(seg, seg.cursorIndex, new Error(`spool segment ${seg.path} changed on disk: ${frame.reason}`));
          return true;
        }
        const index = seg.cursorIndex;
        if (index >= seg.offsets.length) seg.offsets = growOffsets(seg.offsets, index + 1);
        seg.offsets[index] = seg.cursorOffset;
        if (seg.state[index] === PENDING) {
          const entry = frame.entry;
          const size = entry.data.length + Buffer.byteLength(entry.key);
          if (out.length > 0 && size > budget.bytes) return false;
          // The data stays a view into the read buffer, which is never reused (see readAhead).
          entry.ambiguous ||= seg.ambiguous?.has(index) ?? false;
          (entry as SpooledRecord).ref = { segment: seg, index };
          out.push(entry as SpooledRecord);
          seg.state[index] = OUT;
          seg.out++;
          this.outstanding++;
          budget.bytes -= size;
        }
        seg.cursorOffset += frame.size;
        seg.cursorIndex++;
        if (out.length >= budget.records) return false;
      }
      return true;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** The segment can no longer be read from `fromIndex` on: count what is lost, keep the rest. */
  private lose(seg: Segment, fromIndex: number, error: unknown): void {
    this.onError(error, "read segment");
    let lost = 0;
    for (let i = fromIndex; i < seg.records; i++) {
      if (seg.state[i] === PENDING) {
        seg.state[i] = ACKED;
        seg.acked++;
        lost++;
      }
    }
    this.counters.droppedIo += lost;
    this.unacked -= lost;
    seg.cursorOffset = seg.bytes;
    seg.cursorIndex = seg.records;
    if (seg.acked === seg.records && this.active?.seg !== seg) this.remove(seg);
  }

  // -- recovery --------------------------------------------------------------------------------

  /** One shipper per directory: a second process appending to the same segments would corrupt them. */
  private lock(): void {
    const file = path.join(this.options.dir, LOCK_FILE);
    try {
      const holder = Number.parseInt(fs.readFileSync(file, "utf8"), 10);
      // The same pid is an earlier shipper of this process that died without close() (a restart).
      if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
        throw new Error(`spool directory ${this.options.dir} is in use by process ${holder}; give each shipper its own spool dir`);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    fs.writeFileSync(file, String(process.pid));
  }

  /** Finds the segments a previous run left and counts their records (their acks died with it). */
  private recover(): void {
    const names = fs
      .readdirSync(this.options.dir)
      .map((name) => ({ name, m: SEGMENT_NAME.exec(name) }))
      .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
      .map((x) => ({ name: x.name, id: Number(x.m[1]) }))
      .sort((a, b) => a.id - b.id);
    for (const { name, id } of names) {
      this.nextId = Math.max(this.nextId, id + 1);
      const file = path.join(this.options.dir, name);
      const { records, validBytes, fileBytes, firstAt } = scanSegment(file);
      this.counters.corruptBytes += fileBytes - validBytes;
      // Records the last run checkpointed as acked are not replayed again.
      const done = Math.min(records, readCheckpoint(file + CHECKPOINT_SUFFIX));
      if (records === done) {
        fs.rmSync(file, { force: true });
        fs.rmSync(file + CHECKPOINT_SUFFIX, { force: true });
        continue;
      }
      const state = new Uint8Array(records);
      state.fill(ACKED, 0, done);
      this.segments.push({
        id,
        path: file,
        bytes: validBytes,
        records,
        firstAt,
        state,
        acked: done,
        out: 0,
        ackedPrefix: done,
        checkpointed: done,
        checkpointSlot: -1,
        cursorOffset: 0,
        cursorIndex: 0,
        offsets: new Float64Array(Math.max(records, 1)),
        evicted: false,
        ambiguous: undefined,
      });
      this.totalBytes += validBytes;
      this.unacked += records - done;
    }
    // Checkpoints whose segment is gone (deleted just before a crash) mean nothing now.
    for (const name of fs.readdirSync(this.options.dir)) {
      if (name.endsWith(`${CHECKPOINT_SUFFIX}.tmp`)) fs.rmSync(path.join(this.options.dir, name), { force: true });
      else if (name.endsWith(CHECKPOINT_SUFFIX) && !this.segments.some((s) => s.path === path.join(this.options.dir, name.slice(0, -CHECKPOINT_SUFFIX.length)))) {
        fs.rmSync(path.join(this.options.dir, name), { force: true });
      }
    }
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new Error(`Spool.${what}: the spool at ${this.options.dir} is closed`);
  }
}

/**
 * The checkpoint file holds the acked prefix twice, in two slots of CHECKPOINT_SLOT_BYTES:
 *
 *   4 bytes "GDCK", f64 LE acked prefix, u32 LE CRC-32 of the 12 bytes before it
 *
 * A segment's first checkpoint in a process is written whole, to a temporary file renamed over
 * the old one. Later ones overwrite one slot in place, the two in turn, so a torn write damages
 * only the slot being written while the other keeps the checkpoint before it; reading takes the
 * larger valid slot (the prefix only grows). In place because a rename over an existing file makes
 * ext4 write the new file's blocks out at once (auto_da_alloc): one rename a second per replaying
 * shipper cost the sandbox's 17-hour outage seconds of CPU. Missing or unreadable means 0 (replay
 * it all); decimal text is the checkpoint of an earlier version and still read.
 */
const CHECKPOINT_MAGIC = 0x4b434447; // "GDCK" little-endian
const CHECKPOINT_SLOT_BYTES = 16;

function readCheckpoint(file: string): number {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return 0;
  }
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === CHECKPOINT_MAGIC) {
    let best = 0;
    for (let at = 0; at + CHECKPOINT_SLOT_BYTES <= bytes.length; at += CHECKPOINT_SLOT_BYTES) {
      if (bytes.readUInt32LE(at) !== CHECKPOINT_MAGIC || crc32(bytes.subarray(at, at + 12)) !== bytes.readUInt32LE(at + 12)) continue;
      const n = bytes.readDoubleLE(at + 4);
      if (Number.isSafeInteger(n) && n > best) best = n;
    }
    return best;
  }
  const n = Number.parseInt(bytes.toString("latin1"), 10);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

function checkpointSlot(ackedPrefix: number): Buffer {
  const slot = Buffer.alloc(CHECKPOINT_SLOT_BYTES);
  slot.writeUInt32LE(CHECKPOINT_MAGIC, 0);
  slot.writeDoubleLE(ackedPrefix, 4);
  slot.writeUInt32LE(crc32(slot.subarray(0, 12)), 12);
  return slot;
}

/** Both slots, to a temporary file renamed over the old one, so a crash leaves one or the other whole. */
function writeCheckpoint(file: string, ackedPrefix: number, sync: boolean): void {
  const tmp = `${file}.tmp`;
  const slot = checkpointSlot(ackedPrefix);
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, Buffer.concat([slot, slot]));
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** One slot, in place: the other slot still holds the previous checkpoint should this write tear. */
function writeCheckpointSlot(file: string, slot: number, ackedPrefix: number, sync: boolean): void {
  const fd = fs.openSync(file, "r+");
  try {
    fs.writeSync(fd, checkpointSlot(ackedPrefix), 0, CHECKPOINT_SLOT_BYTES, slot * CHECKPOINT_SLOT_BYTES);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function segmentName(id: number): string {
  return `seg-${String(id).padStart(12, "0")}.spool`;
}

function grow(state: Uint8Array, needed: number): Uint8Array {
  if (needed <= state.length) return state;
  const bigger = new Uint8Array(Math.max(needed, state.length * 2));
  bigger.set(state);
  return bigger;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Counts the whole frames of a segment file; a torn or corrupt tail ends it. */
export function scanSegment(file: string): { records: number; validBytes: number; fileBytes: number; firstAt: number } {
  const fd = fs.openSync(file, "r");
  try {
    const fileBytes = fs.fstatSync(fd).size;
    let buf = Buffer.allocUnsafe(READ_CHUNK);
    let offset = 0;
    let records = 0;
    let firstAt = Number.NaN;
    let ended = false;
    while (!ended && offset < fileBytes) {
      const got = fs.readSync(fd, buf, 0, Math.min(buf.length, fileBytes - offset), offset);
      if (got === 0) break;
      let at = 0;
      while (at < got) {
        const frame = readFrame(buf, at, got, false);
        if (frame.kind === "incomplete") {
          if (offset + at + frame.needed > fileBytes) ended = true; // a torn tail
          else if (at === 0) buf = Buffer.allocUnsafe(Math.max(frame.needed, buf.length * 2));
          break;
        }
        if (frame.kind === "corrupt") {
          ended = true;
          break;
        }
        if (records === 0) firstAt = frame.entry.acceptedAt;
        records++;
        at += frame.size;
      }
      offset += at;
    }
    return { records, validBytes: offset, fileBytes, firstAt };
  } finally {
    fs.closeSync(fd);
  }
}

export { FRAME_HEADER_BYTES };

function growOffsets(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
