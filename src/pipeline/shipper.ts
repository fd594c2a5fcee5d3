/**
 * The resilient log shipper: JSON lines in, Kinesis PutRecords out, with nothing lost through
 * throttling, partial failures, outages of hours and process restarts.
 *
 * ONE RETRY LAYER. The shipper is the only thing that retries PutRecords. The SDK client behind the
 * Kinesis port must have its own retries off (maxAttempts 1, see kinesis-port.ts, which checks it):
 * the SDK would retry a throttled call as a whole, resending records that already succeeded, and
 * two layers multiply the load on a stream that is already struggling. Here, a partial failure
 * resends exactly the failed entries; whole-call errors are classified (src/retry) and only
 * throttling and transient ones retry, with capped full-jitter backoff, a token-bucket retry budget
 * and a deadline per batch. Whatever a batch cannot deliver goes to the disk spool, never away.
 *
 * Flow. write() stamps the record with its id (envelope.ts), picks a partition key and queues it in
 * memory. Batches (<= 500 records, <= 5 MiB, linger) go out with at most maxInFlight calls at once.
 * A circuit breaker (breaker.ts) watches the calls; while it is open, records go to the secondary
 * sink if one is set, else straight to the spool (spool.ts), and one probe batch tests Kinesis when
 * it turns half-open. Once closed, the spool replays oldest first at its own rate, after a random
 * delay, and only when no live batch is waiting; a segment is deleted when all its records are acked.
 *
 * Memory is bounded: queued plus in-flight live records never exceed memory.maxRecords/maxBytes;
 * past that write() returns false (wait for drain()) and further records spill to the spool. On
 * top of that, replay holds at most one batch read back from disk.
 *
 * Delivery is at-least-once: ambiguous timeouts and crash replays can duplicate a record, and
 * consumers dedupe on its id {h, b, s}. A hard crash loses only what was in memory and not yet on
 * disk (bounded by the memory budget); close() puts all of that on disk first. With durability
 * "wal" nothing waits in memory: write() appends to the spool, and everything is sent from there.
 *
 * Time and randomness come only from the injected Clock and Random, so the shipper runs unchanged
 * on the wall clock in pino's worker and on a virtual clock inside the sandbox.
 */
import { retry, type RetryOptions } from "../retry/retry.js";
import { RetryBudget } from "../retry/budget.js";
import type { BackoffPolicy } from "../retry/backoff.js";
import type { Random } from "../random/random.js";
import { Stamper } from "./envelope.js";
import type { PutEntry, PutResult } from "./kinesis-port.js";
import { CircuitBreaker, type BreakerState } from "./breaker.js";
import { Spool, type SpoolRef } from "./spool.js";
import { dataBytes, type SpoolEntry } from "./spool-format.js";
import { DeadLetterFile, type DeadLetter } from "./dead-letter.js";
import { httpSecondary, postWithTimeout, type SecondaryPort } from "./secondary.js";
import { Queue } from "./queue.js";
import { after } from "./timer.js";
import { guardedCall } from "./call.js";
import type { ShipperMetrics } from "./metrics.js";
import { startEmf } from "./emf.js";
import { partitionKeyFromField, randomPartitionKey } from "./partition-key.js";
import { resolveOptions, type ResolvedOptions, type ShipperEvent, type ShipperOptions } from "./options.js";
import {
  PartialFailure,
  ShipperAbort,
  classifyForShipper,
  describeError,
  isAmbiguous,
  isInvalidInput,
} from "./errors.js";

export type { ShipperOptions, ShipperEvent } from "./options.js";
export type { ShipperMetrics } from "./metrics.js";


interface Rec extends SpoolEntry {
  /** This boot's sequence number; -1 for a record replayed from the spool. */
  seq: number;
  /**
   * The stamped line: text until its bytes are first needed (bytesOf), so that a record spooled
   * straight away (breaker open, over the memory budget, "wal") is encoded once, into its frame.
   */
  data: Uint8Array | string;
  key: string;
  randomKey: boolean;
  /** data + partition key bytes: what Kinesis counts against its limits. */
  size: number;
  acceptedAt: number;
  enqueuedAt: number;
  /** A send timed out or was cut: Kinesis may already hold it. */
  ambiguous: boolean;
  duplicateCounted: boolean;
  /** Counted in the memory budget (queued, urgent or in flight as a live record). */
  inMemory: boolean;
  /** Set for a record read back from the spool: it lives on disk, not in the memory budget. */
  ref: SpoolRef | undefined;
}

interface Batch {
  records: Rec[];
  /** Records of this batch not yet acked: what metrics().inFlight counts for it. */
  unresolved: number;
  to: "kinesis" | "secondary";
  probe: boolean;
  /** Sent by close(): one attempt, whatever does not make it goes to the spool. */
  final: boolean;
  replay: boolean;
  abort: AbortController;
  done: Promise<void>;
}

/** A record's data as bytes, encoded on first need and kept (a resend does not encode it again). */
function bytesOf(r: Rec): Uint8Array {
  if (typeof r.data === "string") r.data = Buffer.from(r.data, "utf8");
  return r.data;
}

const THROTTLED = "ProvisionedThroughputExceededException";

/**
 * A half-open probe asks one question, "is Kinesis back?": a few records answer it. A full batch
 * would send (and, on failure, reread from the spool) up to 5 MiB on every probe of a long outage.
 */
const PROBE_RECORDS = 10;

/** How often close() looks at whether a "wal" spool has drained. */
const WAL_DRAIN_POLL_MS = 10;

export class Shipper {
  readonly host: string;
  readonly boot: string;
  private readonly o: ResolvedOptions;
  private readonly stamper: Stamper;
  private readonly spool: Spool;
  private readonly deadLetters: DeadLetterFile;
  private readonly breaker: CircuitBreaker;
  private readonly budget: RetryBudget;
  private readonly policy: BackoffPolicy;
  private readonly probePolicy: BackoffPolicy;
  private readonly keyRandom: Random;
  private readonly retryRandom: Random;
  private readonly jitterRandom: Random;
  private readonly secondary: SecondaryPort | undefined;

  private seq = 0;
  private readonly queue = new Queue<Rec>();
  private queueBytes = 0;
  /** Halves of batches Kinesis refused as invalid, sent before anything else. */
  private readonly urgent: Rec[][] = [];
  private urgentRecords = 0;
  /** Live records in memory: queued, urgent and in flight. What the memory budget bounds. */
  private memRecords = 0;
  private memBytes = 0;
  private readonly batches = new Set<Batch>();
  private inFlightRecords = 0;
  /** Of those, records read back from the spool (still counted by spoolRecords until acked). */
  private replayInFlightRecords = 0;
  private replayInFlight = 0;
  /** Abort functions of calls on the wire. */
  private readonly calls = new Set<(reason: Error) => void>();

  private replayNotBefore: number;
  private secondaryDownUntil = 0;
  private wakeAt: number | undefined;
  private cancelWake: (() => void) | undefined;
  private pumping = false;
  private pumpAgain = false;
  private backpressured = false;
  private flushing = 0;
  private readonly drainWaiters: (() => void)[] = [];
  private readonly flushWaiters: { upTo: number; resolve: () => void }[] = [];
  private closing = false;
  /** close() was called: writes are refused (with "wal", sending goes on while the spool drains). */
  private refusing = false;
  private closed: Promise<void> | undefined;
  /** Writes the last EMF line and stops; undefined without the metrics option. */
  private readonly stopEmf: (() => void) | undefined;

  private readonly m = {
    accepted: 0,
    delivered: 0,
    deliveredSecondary: 0,
    resent: 0,
    throttled: 0,
    spooled: 0,
    replayed: 0,
    deadLettered: 0,
    duplicatesPossible: 0,
    partitionKeyFallbacks: 0,
    droppedIo: 0,
  };

  constructor(options: ShipperOptions) {
    this.o = resolveOptions(options);
    const { random, clock } = this.o;
    // The boot id comes off the caller's stream, so each Shipper built from one Random gets its own.
    this.boot = random.uuid().replace(/-/g, "").slice(0, 12);
    const own = random.fork(`shipper:${this.boot}`);
    this.keyRandom = own.fork("partition-keys");
    this.retryRandom = own.fork("retry");
    this.jitterRandom = own.fork("replay");
    this.host = this.o.host;
    this.stamper = new Stamper(this.host, this.boot);
    this.policy = {
      baseMs: this.o.retry.baseMs,
      capMs: this.o.retry.capMs,
      maxAttempts: this.o.retry.maxAttempts,
      deadlineMs: this.o.retry.deadlineMs,
    };
    this.probePolicy = { ...this.policy, maxAttempts: 1 };
    this.budget = new RetryBudget(this.o.retry.budget);
    const breakerRandom = own.fork("breaker");
    this.breaker = new CircuitBreaker(this.o.breaker, clock, (to, from) => this.onBreaker(to, from), () => breakerRandom.next());
    this.spool = new Spool(this.o.spool, clock, (error, during) => this.emit({ type: "io-error", during, error: describeError(error), at: clock.now() }));
    this.deadLetters = new DeadLetterFile(this.o.deadLetterPath);
    const s = this.o.secondary;
    this.secondary = s ? (s.port ?? httpSecondary(s.url!)) : undefined;
    // A spool left by an earlier run replays after the same random delay as after an outage.
    this.replayNotBefore = clock.now() + (this.spool.readableRecords > 0 ? this.startJitter() : 0);
    this.stopEmf = this.o.metrics ? startEmf(this.o.metrics, clock, this.host, this.boot, () => this.metrics()) : undefined;
    this.pump();
  }

  // -- the writer's API ------------------------------------------------------------------------

  /**
   * Accepts one record: a JSON object line (as pino writes them) or a plain object. Returns false
   * when memory is at its budget: the record is still accepted (it spilled to the spool), but the
   * caller should wait for drain() before writing more. Throws on input that is not a JSON object
   * and after close(); nothing is accepted then.
   */
  write(line: string | object): boolean {
    this.assertOpen("write");
    const rec = this.accept(line);
    if (rec) this.place([rec]);
    return !this.backpressured;
  }

  /**
   * Accepts many lines at once, as the pino transport takes them off pino's buffer: what spills
   * (or, with durability "wal", everything) goes to the spool in one append and one sync. A line
   * that is not one JSON object is shipped as {"unparsedLine": "<the line>"} rather than refused.
   * Returns what write() returns.
   */
  writeLines(lines: readonly string[]): boolean {
    this.assertOpen("writeLines");
    const recs: Rec[] = [];
    for (const line of lines) {
      let rec: Rec | undefined;
      try {
        rec = this.accept(line);
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        rec = this.accept({ unparsedLine: line });
      }
      if (rec) recs.push(rec);
    }
    if (recs.length > 0) this.place(recs);
    return !this.backpressured;
  }

  private assertOpen(what: string): void {
    if (this.closing || this.refusing) throw new Error(`Shipper.${what}: the shipper is closed (close() was called)`);
  }

  /** Stamps one record; undefined when it was dead-lettered as too large. */
  private accept(line: string | object): Rec | undefined {
    const data = this.stamper.stamp(line, this.seq);
    const { key, randomKey } = this.partitionKey(line);
    const now = this.o.clock.now();
    const rec: Rec = {
      seq: this.seq++,
      data,
      key,
      randomKey,
      size: dataBytes(data) + (randomKey ? key.length : Buffer.byteLength(key)),
      acceptedAt: now,
      enqueuedAt: now,
      ambiguous: false,
      duplicateCounted: false,
      inMemory: false,
      ref: undefined,
    };
    this.m.accepted++;
    if (rec.size > this.o.batch.maxRecordBytes) {
      this.deadLetter([rec], "too-large", `record is ${rec.size} bytes (data plus partition key); the limit is ${this.o.batch.maxRecordBytes}`);
      return undefined;
    }
    return rec;
  }

  /**
   * Queues accepted records in memory, or spools them: all of them with durability "wal" (the
   * spool is the write-ahead log, and replay sends from it), those past the memory budget, and
   * everything while the breaker is open with no secondary sink.
   */
  private place(recs: readonly Rec[]): void {
    const now = this.o.clock.now();
    if (this.o.durability === "wal") {
      this.spoolRecords(recs);
      this.pump();
      return;
    }
    if (this.breaker.state() === "open" && !this.secondaryUsable(now)) return this.spoolRecords(recs);
    const spill: Rec[] = [];
    for (const rec of recs) {
      if (this.memRecords + 1 > this.o.memory.maxRecords || this.memBytes + rec.size > this.o.memory.maxBytes) {
        this.backpressured = true;
        spill.push(rec);
        continue;
      }
      rec.inMemory = true;
      this.memRecords++;
      this.memBytes += rec.size;
      this.queue.push(rec);
      this.queueBytes += rec.size;
      if (this.memRecords >= this.o.memory.maxRecords || this.memBytes >= this.o.memory.maxBytes) this.backpressured = true;
      if (this.queue.length >= this.o.batch.maxRecords || this.queueBytes >= this.o.batch.maxBytes || this.o.batch.lingerMs === 0) this.pump();
      else if (this.queue.length === 1) this.armWake(now);
    }
    if (spill.length > 0) this.spoolRecords(spill);
  }

  /** Resolves when write() would return true again (at once if it already would). */
  drain(): Promise<void> {
    if (!this.backpressured || this.closing) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Sends what is queued without waiting for the linger time and resolves when every record
   * accepted before the call has left memory: acked, spooled, dead-lettered or taken by the
   * secondary sink. It does not wait for the spool to drain (that can take an outage's length).
   */
  flush(): Promise<void> {
    if (this.closing) return this.closed ?? Promise.resolve();
    const upTo = this.seq;
    if (this.lowestSeqInMemory() >= upTo) return Promise.resolve();
    this.flushing++;
    const done = new Promise<void>((resolve) => this.flushWaiters.push({ upTo, resolve }));
    this.pump();
    return done.finally(() => this.flushing--);
  }

  /**
   * Stops sending and puts everything not acked on disk. Queued records are spooled at once;
   * batches waiting in backoff give up; calls on the wire get closeGraceMs to answer and are then
   * abandoned (their records spooled and flagged as possible duplicates). With durability "wal"
   * it first keeps sending from the spool for what is left of closeGraceMs. Resolves within
   * closeGraceMs plus disk time whatever Kinesis does, well inside pino's 10 s exit limit.
   */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  metrics(): ShipperMetrics {
    const c = this.spool.counters;
    const dropped = { "spool-full": c.droppedNewest, "spool-evicted": c.droppedOldest, "io-error": c.droppedIo + this.m.droppedIo };
    const oldest = this.spool.oldestAcceptedAt();
    return {
      accepted: this.m.accepted,
      delivered: this.m.delivered,
      deliveredSecondary: this.m.deliveredSecondary,
      resent: this.m.resent,
      throttled: this.m.throttled,
      spooled: this.m.spooled,
      replayed: this.m.replayed,
      dropped: { ...dropped, total: dropped["spool-full"] + dropped["spool-evicted"] + dropped["io-error"] },
      deadLettered: this.m.deadLettered,
      duplicatesPossible: this.m.duplicatesPossible,
      spoolBytes: this.spool.bytes,
      spoolRecords: this.spool.pendingRecords,
      oldestSpooledAgeMs: oldest === undefined ? 0 : Math.max(0, this.o.clock.now() - oldest),
      breaker: this.breaker.peek(),
      inMemory: this.queue.length + this.urgentRecords,
      inFlight: this.inFlightRecords,
      replayInFlight: this.replayInFlightRecords,
      backpressure: this.backpressured,
      partitionKeyFallbacks: this.m.partitionKeyFallbacks,
      spoolCorruptBytes: c.corruptBytes,
    };
  }

  // -- scheduling ------------------------------------------------------------------------------

  /** Starts whatever can start now. Re-entrant calls (from breaker callbacks) fold into one loop. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    this.settleWaiters();
  }

  private pumpOnce(): void {
    if (this.closing) return;
    const now = this.o.clock.now();
    const state = this.breaker.state();
    if (state === "open") {
      this.whileOpen(now);
    } else {
      while (this.batches.size < this.o.maxInFlight) {
        const probe = state === "half-open";
        if (probe && this.breaker.probing) break;
        const records = this.nextForKinesis(now, probe);
        if (!records) break;
        this.breaker.tryAcquire();
        this.launch(records, "kinesis", probe);
        if (probe) break;
      }
    }
    this.armWake(now);
  }

  /** Urgent halves first, then a ready live batch, then (rate permitting) the spool. */
  private nextForKinesis(now: number, probe: boolean): Rec[] | undefined {
    const limit = probe ? Math.min(PROBE_RECORDS, this.o.batch.maxRecords) : this.o.batch.maxRecords;
    const urgent = this.takeUrgent();
    if (urgent) return urgent;
    if (this.queueReady(now) || (probe && this.queue.length > 0)) return this.takeQueued(limit);
    if (this.spool.readableRecords > 0 && this.replayInFlight < this.replaySlots() && (probe || now >= this.replayNotBefore)) return this.takeSpooled(now, limit);
    return undefined;
  }

  /**
   * Replay batches in flight at once. Replaying a backlog takes one slot, at its own rate, so live
   * records go first; with durability "wal" every record comes from the spool, so it takes them all.
   */
  private replaySlots(): number {
    return this.o.durability === "wal" ? this.o.maxInFlight : 1;
  }

  private whileOpen(now: number): void {
    if (!this.secondaryUsable(now)) {
      this.setAsideQueued();
      return;
    }
    while (this.batches.size < this.o.maxInFlight) {
      let records = this.takeUrgent();
      if (records) {
        // Spooled records wait on disk for Kinesis; only live ones go to the secondary.
        for (const r of records) if (r.ref) this.spool.release(r.ref, r.ambiguous);
        records = records.filter((r) => !r.ref);
        if (records.length === 0) continue;
      } else if (this.queueReady(now)) {
        records = this.takeQueued();
      } else {
        break;
      }
      this.launch(records, "secondary", false);
    }
  }

  private queueReady(now: number): boolean {
    const head = this.queue.peek();
    if (!head) return false;
    return (
      this.flushing > 0 ||
      this.queue.length >= this.o.batch.maxRecords ||
      this.queueBytes >= this.o.batch.maxBytes ||
      now >= head.enqueuedAt + this.o.batch.lingerMs
    );
  }

  /** Arms one timer for the earliest moment something could become sendable. */
  private armWake(now: number): void {
    if (this.closing) return;
    let next = Infinity;
    const reopen = this.breaker.reopensAt();
    if (reopen !== undefined) next = reopen;
    const head = this.queue.peek();
    if (head && (reopen === undefined || this.secondary) && !this.breaker.probing) next = Math.min(next, head.enqueuedAt + this.o.batch.lingerMs);
    if (reopen === undefined && !this.breaker.probing && this.spool.readableRecords > 0 && this.replayInFlight < this.replaySlots()) next = Math.min(next, this.replayNotBefore);
    // Only the future needs a timer: what is due now either went out in pump() or waits for a
    // slot or the probe, and finish() pumps again when those free up.
    if (!(next > now) || next === Infinity) return;
    if (this.wakeAt !== undefined && this.wakeAt <= next) return;
    this.cancelWake?.();
    this.wakeAt = next;
    this.cancelWake = after(this.o.clock, next - now, () => {
      this.wakeAt = undefined;
      this.cancelWake = undefined;
      this.pump();
    });
  }

  private takeUrgent(): Rec[] | undefined {
    const records = this.urgent.shift();
    if (records) this.urgentRecords -= records.length;
    return records;
  }

  private takeQueued(limit = this.o.batch.maxRecords): Rec[] {
    const records: Rec[] = [];
    let bytes = 0;
    for (let head = this.queue.peek(); head; head = this.queue.peek()) {
      if (records.length >= limit || (records.length > 0 && bytes + head.size > this.o.batch.maxBytes)) break;
      this.queue.shift();
      this.queueBytes -= head.size;
      bytes += head.size;
      records.push(head);
    }
    return records;
  }

  private takeSpooled(now: number, limit = this.o.batch.maxRecords): Rec[] | undefined {
    // With "wal" the spool is the live path: it goes at Kinesis's pace, not the backlog's rate.
    const rate = this.o.durability === "wal" ? Infinity : this.o.replay.ratePerSec;
    const want = Math.max(1, Math.min(limit, Math.floor(rate)));
    const items = this.spool.readBatch(want, this.o.batch.maxBytes);
    if (items.length === 0) return undefined;
    // Pace by what was read: over any window replay sends at most rate x window + one batch.
    if (rate !== Infinity) this.replayNotBefore = Math.max(this.replayNotBefore, now) + (items.length * 1000) / rate;
    return items.map((item) => {
      const rec: Rec = {
        seq: -1,
        data: item.data,
        key: item.key,
        randomKey: item.randomKey,
        size: item.data.length + Buffer.byteLength(item.key),
        acceptedAt: item.acceptedAt,
        enqueuedAt: now,
        ambiguous: item.ambiguous,
        duplicateCounted: false,
        inMemory: false,
        ref: item.ref,
      };
      if (rec.ambiguous) this.countDuplicate(rec);
      return rec;
    });
  }

  private launch(records: Rec[], to: Batch["to"], probe: boolean, final = false): void {
    const batch: Batch = {
      records,
      unresolved: records.length,
      to,
      probe,
      final,
      replay: records.some((r) => r.ref !== undefined),
      abort: new AbortController(),
      done: Promise.resolve(),
    };
    this.batches.add(batch);
    this.inFlightRecords += records.length;
    if (batch.replay) {
      this.replayInFlight++;
      this.replayInFlightRecords += records.length;
    }
    batch.done = (to === "kinesis" ? this.sendToKinesis(batch) : this.sendToSecondary(batch)).finally(() => this.finish(batch));
  }

  private finish(batch: Batch): void {
    this.batches.delete(batch);
    this.inFlightRecords -= batch.unresolved;
    if (batch.replay) {
      this.replayInFlight--;
      this.replayInFlightRecords -= batch.unresolved;
    }
    if (batch.probe) this.breaker.releaseProbe();
    this.pump();
  }

  // -- sending ---------------------------------------------------------------------------------

  private async sendToKinesis(batch: Batch): Promise<void> {
    let remaining = batch.records;
    const options: RetryOptions = {
      policy: batch.probe || batch.final ? this.probePolicy : this.policy,
      clock: this.o.clock,
      random: this.retryRandom,
      budget: this.budget,
      signal: batch.abort.signal,
      classify: classifyForShipper,
    };
    try {
      await retry(async (attempt) => {
        if (batch.abort.signal.aborted) throw batch.abort.signal.reason;
        if (attempt > 1) this.noteResend(remaining);
        let result: PutResult;
        try {
          result = await this.call(remaining);
        } catch (error) {
          if (isAmbiguous(error)) for (const r of remaining) r.ambiguous = true;
          const throttledCall = classifyForShipper(error) === "throttling";
          if (throttledCall) this.m.throttled += remaining.length;
          // A request refused for its content says Kinesis is up; so does a throttled one (it is
          // pacing us: backoff and the budget deal with that, not the breaker).
          if (!(error instanceof ShipperAbort)) this.breaker.record(isInvalidInput(error) || throttledCall, batch.probe);
          throw error;
        }
        const failed: Rec[] = [];
        let throttled = false;
        let throttledEntries = 0;
        let firstError = "";
        result.records.forEach((entry, i) => {
          const rec = remaining[i]!;
          if ("errorCode" in entry && typeof entry.errorCode === "string") {
            failed.push(rec);
            if (entry.errorCode === THROTTLED) {
              throttled = true;
              throttledEntries++;
            }
            firstError ||= `${entry.errorCode}: ${entry.errorMessage}`;
          } else {
            this.acked(rec);
            batch.unresolved--;
            this.inFlightRecords--;
            if (batch.replay) this.replayInFlightRecords--;
          }
        });
        this.m.throttled += throttledEntries;
        // The call fails for the breaker only when Kinesis took nothing and not because it was
        // pacing us: a shard at its limit throttles every entry of a retry within the same second,
        // and opening the breaker then would stop sends the shard has room for a moment later.
        this.breaker.record(failed.length < remaining.length || throttledEntries === failed.length, batch.probe);
        remaining = failed;
        if (failed.length > 0) throw new PartialFailure(failed.length, throttled, firstError);
      }, options);
    } catch (error) {
      this.giveUp(remaining, error);
    }
  }

  /** One PutRecords call, abandoned after requestTimeoutMs (the answer may still come: it is ignored). */
  private call(records: readonly Rec[]): Promise<PutResult> {
    const entries: PutEntry[] = records.map((r) => ({ data: bytesOf(r), partitionKey: r.key }));
    const kinesis = this.o.kinesis;
    return guardedCall(this.o.clock, this.o.requestTimeoutMs, this.calls, entries.length, (signal) => kinesis.putRecords(entries, { signal }));
  }

  private async sendToSecondary(batch: Batch): Promise<void> {
    try {
      await postWithTimeout(
        this.secondary!,
        batch.records.map(bytesOf),
        this.o.clock,
        this.o.secondary!.timeoutMs,
        batch.abort.signal,
      );
      for (const r of batch.records) {
        this.m.deliveredSecondary++;
        this.leaveMemory(r);
      }
    } catch (error) {
      this.secondaryDownUntil = this.o.clock.now() + this.o.secondary!.retryAfterMs;
      this.emit({ type: "secondary-failed", records: batch.records.length, error: describeError(error), at: this.o.clock.now() });
      this.setAside(batch.records);
    }
  }

  private noteResend(records: readonly Rec[]): void {
    this.m.resent += records.length;
    for (const r of records) {
      if (r.ambiguous) this.countDuplicate(r);
      // A random key was only for spreading load: a fresh one may land on a shard that is not hot.
      if (r.randomKey) r.key = randomPartitionKey(this.keyRandom);
    }
  }

  private countDuplicate(r: Rec): void {
    if (r.duplicateCounted) return;
    r.duplicateCounted = true;
    this.m.duplicatesPossible++;
  }

  private acked(rec: Rec): void {
    this.m.delivered++;
    if (rec.ref) {
      this.spool.ack(rec.ref);
      this.m.replayed++;
    } else {
      this.leaveMemory(rec);
    }
  }

  /** The batch is over with `remaining` undelivered: bisect, dead-letter or set them aside. */
  private giveUp(remaining: Rec[], error: unknown): void {
    if (remaining.length === 0) return;
    if (isInvalidInput(error) && !this.closing) {
      if (remaining.length > 1) {
        // Kinesis names no culprit for an invalid request: halve until the bad record stands alone.
        const mid = Math.ceil(remaining.length / 2);
        this.urgent.push(remaining.slice(0, mid), remaining.slice(mid));
        this.urgentRecords += remaining.length;
        return;
      }
      this.deadLetter(remaining, "invalid", describeError(error));
      return;
    }
    if (!(error instanceof ShipperAbort)) {
      const reason = (error as { gaveUp?: string }).gaveUp ?? "failed";
      const now = this.o.clock.now();
      this.emit({ type: "gave-up", records: remaining.length, reason, error: describeError(error), at: now });
      // The retry loop just gave up (deadline, budget, a non-retryable error): replaying these
      // from the spool at once would be the retry it refused. Wait out a full backoff first.
      this.replayNotBefore = Math.max(this.replayNotBefore, now + this.o.retry.capMs);
    }
    this.setAside(remaining);
  }

  /** Undelivered records: spooled ones stay on disk; live ones go to the secondary (breaker open) or the spool. */
  private setAside(records: readonly Rec[]): void {
    const live: Rec[] = [];
    for (const r of records) {
      if (r.ref) this.spool.release(r.ref, r.ambiguous);
      else live.push(r);
    }
    if (live.length === 0) return;
    if (!this.closing && this.breaker.peek() === "open" && this.secondaryUsable(this.o.clock.now())) {
      this.urgent.push(live);
      this.urgentRecords += live.length;
      return;
    }
    this.spoolRecords(live);
  }

  private setAsideQueued(): void {
    while (this.urgent.length > 0) this.setAside(this.takeUrgent()!);
    if (this.queue.length > 0) {
      const queued = this.queue.drain();
      this.queueBytes = 0;
      this.setAside(queued);
    }
  }

  /** Writes live records to the spool; they leave memory whether written or dropped by policy. */
  private spoolRecords(records: readonly Rec[]): void {
    const before = { ...this.spool.counters };
    let written = 0;
    try {
      // A Rec carries every field of a SpoolEntry: no copy per record.
      written = this.spool.append(records);
    } catch (error) {
      // append() counts write errors itself; anything else (a closed spool) is a bug to surface.
      this.emit({ type: "io-error", during: "spool append", error: describeError(error), at: this.o.clock.now() });
      this.m.droppedIo += records.length;
    }
    this.m.spooled += written;
    for (const r of records) this.leaveMemory(r);
    const now = this.o.clock.now();
    const after = this.spool.counters;
    if (after.droppedNewest > before.droppedNewest) this.emit({ type: "dropped", records: after.droppedNewest - before.droppedNewest, reason: "spool-full", at: now });
    if (after.droppedOldest > before.droppedOldest) this.emit({ type: "dropped", records: after.droppedOldest - before.droppedOldest, reason: "spool-evicted", at: now });
    if (after.droppedIo > before.droppedIo) this.emit({ type: "dropped", records: after.droppedIo - before.droppedIo, reason: "io-error", at: now });
  }

  private deadLetter(records: readonly Rec[], reason: DeadLetter["reason"], detail: string): void {
    const at = this.o.clock.now();
    const written = this.deadLetters.write(
      records.map((r) => ({ at, reason, detail, partitionKey: r.key, data: bytesOf(r) })),
      (error) => this.emit({ type: "io-error", during: "dead-letter write", error: describeError(error), at }),
    );
    this.m.deadLettered += written;
    this.m.droppedIo += records.length - written;
    for (const r of records) {
      if (r.ref) this.spool.ack(r.ref); // dead-lettered is final: the spool may let it go
      else this.leaveMemory(r);
    }
    this.emit({ type: "dead-letter", records: records.length, reason, detail, at });
  }

  private leaveMemory(r: Rec): void {
    // Spilled and replayed records never entered the budget; the flag keeps the books straight.
    if (!r.inMemory) return;
    r.inMemory = false;
    this.memRecords--;
    this.memBytes -= r.size;
  }

  // -- breaker, waiters, shutdown --------------------------------------------------------------

  private onBreaker(to: BreakerState, from: BreakerState): void {
    const now = this.o.clock.now();
    this.emit({ type: "breaker", from, to, at: now });
    if (to === "open") {
      // Batches waiting in backoff stop; their records go to the secondary or the spool.
      for (const b of this.batches) if (b.to === "kinesis" && !b.probe) b.abort.abort(new ShipperAbort("circuit breaker opened"));
    }
    if (to === "closed") this.replayNotBefore = Math.max(this.replayNotBefore, now + this.startJitter());
    this.pumpAgain = true;
    if (!this.pumping) this.pump();
  }

  private startJitter(): number {
    return Math.floor(this.jitterRandom.next() * this.o.replay.startJitterMs);
  }

  private secondaryUsable(now: number): boolean {
    return this.secondary !== undefined && now >= this.secondaryDownUntil;
  }

  private settleWaiters(): void {
    if (this.backpressured && (this.closing || (this.memRecords <= this.o.memory.maxRecords / 2 && this.memBytes <= this.o.memory.maxBytes / 2))) {
      this.backpressured = false;
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
    if (this.flushWaiters.length > 0) {
      const lowest = this.closing ? Infinity : this.lowestSeqInMemory();
      for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
        const w = this.flushWaiters[i]!;
        if (lowest >= w.upTo) {
          this.flushWaiters.splice(i, 1);
          w.resolve();
        }
      }
    }
  }

  /** The lowest sequence number of a live record still in memory (Infinity when none). */
  private lowestSeqInMemory(): number {
    if (this.memRecords === 0) return Infinity;
    let lowest = this.queue.peek()?.seq ?? Infinity;
    for (const group of this.urgent) for (const r of group) if (r.inMemory) lowest = Math.min(lowest, r.seq);
    for (const b of this.batches) for (const r of b.records) if (r.inMemory) lowest = Math.min(lowest, r.seq);
    return lowest;
  }

  private async shutdown(): Promise<void> {
    this.refusing = true;
    const graceEnd = this.o.clock.now() + this.o.closeGraceMs;
    if (this.o.durability === "wal") await this.drainWal(graceEnd);
    this.closing = true;
    this.cancelWake?.();
    this.cancelWake = undefined;
    // Batches asleep in backoff give up at once; calls on the wire finish their current attempt.
    for (const b of this.batches) b.abort.abort(new ShipperAbort("shipper closing"));
    // What waits in memory gets one send if Kinesis looks healthy (a clean exit should not leave a
    // spool behind); otherwise, and for whatever that send does not deliver, the spool.
    this.sendFinal();
    if (this.batches.size > 0) {
      const stopSleeping = new AbortController();
      const settled = Promise.allSettled([...this.batches].map((b) => b.done));
      const left = Math.max(0, graceEnd - this.o.clock.now());
      await Promise.race([settled, this.o.clock.sleep(left, stopSleeping.signal).catch(() => undefined)]);
      stopSleeping.abort();
      // Still no answer: abandon the calls; their records are spooled, flagged as possible duplicates.
      for (const abandon of [...this.calls]) abandon(new ShipperAbort("shipper closing: call abandoned after the grace period", true));
      await Promise.allSettled([...this.batches].map((b) => b.done));
    }
    this.setAsideQueued();
    this.stopEmf?.();
    this.spool.close();
    this.deadLetters.close();
    this.settleWaiters();
  }

  /**
   * With "wal", what is on disk is safe, but a clean exit should not leave a spool behind: keep
   * sending from it (no start delay: these are this run's own records) until it is empty, the
   * breaker opens, or the grace period ends. What is left replays on the next start.
   */
  private async drainWal(graceEnd: number): Promise<void> {
    this.replayNotBefore = this.o.clock.now();
    this.pump();
    while (this.spool.pendingRecords > 0 && this.breaker.peek() !== "open") {
      const left = graceEnd - this.o.clock.now();
      if (left <= 0) return;
      await this.o.clock.sleep(Math.min(WAL_DRAIN_POLL_MS, left));
    }
  }

  private sendFinal(): void {
    const now = this.o.clock.now();
    const state = this.breaker.state();
    const to: Batch["to"] | undefined = state === "closed" ? "kinesis" : state === "open" && this.secondaryUsable(now) ? "secondary" : undefined;
    if (!to) return this.setAsideQueued();
    for (let records = this.takeUrgent(); records; records = this.takeUrgent()) {
      if (to === "secondary") {
        this.setAside(records.filter((r) => r.ref));
        records = records.filter((r) => !r.ref);
      }
      if (records.length > 0) this.launch(records, to, false, true);
    }
    while (this.queue.length > 0) this.launch(this.takeQueued(), to, false, true);
  }

  private partitionKey(line: string | object): { key: string; randomKey: boolean } {
    const field = this.o.partitionKeyField;
    if (field !== undefined) {
      const value = partitionKeyFromField(line, field);
      if (value !== undefined) return { key: value, randomKey: false };
      this.m.partitionKeyFallbacks++;
    }
    return { key: randomPartitionKey(this.keyRandom), randomKey: true };
  }

  private emit(event: ShipperEvent): void {
    try {
      this.o.onEvent(event);
    } catch {
      // An observer's bug must not stop delivery.
    }
  }
}

