/**
 * One shard: its hash-key range, its lineage, the records it holds (oldest first) and the
 * per-second budgets that make throttling emerge from load.
 */
import type { HashRange } from "./hash-keys.js";
import {
  SHARD_READ_BYTES_PER_SECOND,
  SHARD_ITERATOR_CALLS_PER_SECOND,
  SHARD_READ_CALLS_PER_SECOND,
  SHARD_WRITE_BYTES_PER_SECOND,
  SHARD_WRITE_RECORDS_PER_SECOND,
} from "./limits.js";
import { PerSecondBudget } from "./per-second-budget.js";
import { formatSequenceNumber } from "./sequence-numbers.js";
import { RecordStore, type StoredRecord } from "./record-store.js";

export type { StoredRecord };

export interface ShardCounters {
  incomingBytes: number;
  incomingRecords: number;
  outgoingBytes: number;
  outgoingRecords: number;
  getRecordsCalls: number;
  /** Records refused because the shard's write allowance was used up. */
  writeThrottledRecords: number;
  /** GetRecords calls refused because the shard's read allowance was used up. */
  readThrottledCalls: number;
}

export interface ReadResult {
  records: StoredRecord[];
  /** Counter to continue from. */
  next: number;
  /** True when the shard is closed and nothing is left after this batch. */
  exhausted: boolean;
  bytes: number;
}

export class Shard {
  readonly shardId: string;
  readonly range: HashRange;
  readonly parentShardId: string | undefined;
  readonly adjacentParentShardId: string | undefined;
  readonly createdAt: number;
  /** First counter this shard may hold: sequence numbers of a shard start here. */
  readonly startingCounter: number;
  closedAt: number | undefined;
  /** Counter after the last one this shard may hold, fixed when the shard closes. */
  endingCounter: number | undefined;
  readonly childShardIds: string[] = [];

  readonly writeBytes = new PerSecondBudget(SHARD_WRITE_BYTES_PER_SECOND);
  readonly writeRecords = new PerSecondBudget(SHARD_WRITE_RECORDS_PER_SECOND);
  readonly readBytes = new PerSecondBudget(SHARD_READ_BYTES_PER_SECOND);
  readonly readCalls = new PerSecondBudget(SHARD_READ_CALLS_PER_SECOND);
  readonly iteratorCalls = new PerSecondBudget(SHARD_ITERATOR_CALLS_PER_SECOND);
  readonly counters: ShardCounters = {
    incomingBytes: 0,
    incomingRecords: 0,
    outgoingBytes: 0,
    outgoingRecords: 0,
    getRecordsCalls: 0,
    writeThrottledRecords: 0,
    readThrottledCalls: 0,
  };

  private readonly records = new RecordStore();

  constructor(
    readonly index: number,
    options: { range: HashRange; createdAt: number; startingCounter: number; parentShardId?: string; adjacentParentShardId?: string },
  ) {
    this.shardId = `shardId-${String(index).padStart(12, "0")}`;
    this.range = options.range;
    this.createdAt = options.createdAt;
    this.startingCounter = options.startingCounter;
    this.parentShardId = options.parentShardId;
    this.adjacentParentShardId = options.adjacentParentShardId;
  }

  get open(): boolean {
    return this.closedAt === undefined;
  }

  get startingSequenceNumber(): string {
    return formatSequenceNumber(this.startingCounter, this.index);
  }

  sequenceNumberOf(record: StoredRecord): string {
    return formatSequenceNumber(record.counter, this.index);
  }

  get endingSequenceNumber(): string | undefined {
    return this.endingCounter === undefined ? undefined : formatSequenceNumber(this.endingCounter, this.index);
  }

  /** Counter of the oldest record still held, or where the next record will go. */
  get trimHorizon(): number {
    return this.records.firstCounter() ?? this.startingCounter;
  }

  get size(): number {
    return this.records.size;
  }

  close(at: number, endingCounter: number): void {
    this.closedAt = at;
    this.endingCounter = endingCounter;
  }

  append(record: StoredRecord): void {
    this.records.append(record);
    this.counters.incomingBytes += record.size;
    this.counters.incomingRecords++;
  }

  /** Drops records that arrived before `before` (retention). */
  trim(before: number): void {
    this.records.trimArrivedBefore(before);
  }

  /** Counter of the first held record that arrived at or after `at`, or the next counter to come. */
  counterAtTime(at: number, next: number): number {
    const p = this.records.positionAtTime(at);
    return p < this.records.size ? this.records.counterAt(p) : next;
  }

  /** Reads from the first record whose counter is >= `from`, within the record and byte caps. */
  read(from: number, maxRecords: number, maxBytes: number): ReadResult {
    const first = this.records.positionOfCounter(from);
    const { records: out, bytes } = this.records.read(first, maxRecords, maxBytes);
    const last = out[out.length - 1];
    const next = last ? last.counter + 1 : Math.max(from, this.trimHorizon);
    const exhausted = !this.open && first + out.length >= this.records.size;
    return { records: out, next, exhausted, bytes };
  }

  /** Arrival time of the first held record whose counter is >= `from`, if any. */
  arrivalOfNext(from: number): number | undefined {
    const p = this.records.positionOfCounter(from);
    return p < this.records.size ? this.records.arrivalAt(p) : undefined;
  }

  /**
   * Admits one record against the write allowance (1,000 records and 1 MiB per second). A record
   * larger than a whole second's bytes (only possible on a large-record stream) is admitted when
   * the second is untouched and overdraws the following seconds, like AWS's burst for large records.
   */
  tryWrite(now: number, size: number): boolean {
    if (!this.writeRecords.fits(now, 1)) return false;
    const fits = this.writeBytes.fits(now, size) || (size > this.writeBytes.perSecond && this.writeBytes.untouched(now));
    if (!fits) return false;
    this.writeRecords.spend(now, 1);
    this.writeBytes.spend(now, size);
    return true;
  }

  /** Whether a GetRecords call may run now: a call left this second, and no read overdraft. */
  mayRead(now: number): boolean {
    return this.readCalls.fits(now, 1) && this.readBytes.remaining(now) > 0;
  }

  recordRead(now: number, records: number, bytes: number): void {
    this.readCalls.spend(now, 1);
    this.readBytes.spend(now, bytes);
    this.counters.getRecordsCalls++;
    this.counters.outgoingRecords += records;
    this.counters.outgoingBytes += bytes;
  }
}
