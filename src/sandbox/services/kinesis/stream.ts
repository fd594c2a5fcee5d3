/**
 * One data stream: identity, mode, status, tags, settings and its shards (open and closed, in
 * creation order). Routing a hash key to its open shard and resharding live here; the API
 * handlers decide when.
 */
import { type HashRange, hashKeyHex, uniformRanges } from "./hash-keys.js";
import { Shard, type StoredRecord } from "./shard.js";

export type StreamMode = "PROVISIONED" | "ON_DEMAND";
export type StreamStatus = "CREATING" | "ACTIVE" | "UPDATING" | "DELETING";

export interface StreamOptions {
  name: string;
  arn: string;
  mode: StreamMode;
  shardCount: number;
  createdAt: number;
  retentionHours: number;
  maxRecordSizeKiB: number;
  tags: Record<string, string>;
  status: StreamStatus;
}

export class Stream {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  mode: StreamMode;
  status: StreamStatus;
  retentionHours: number;
  maxRecordSizeKiB: number;
  readonly tags = new Map<string, string>();
  /** Every shard ever created, in creation order; shard index = position. */
  readonly shards: Shard[] = [];
  /** Times of UpdateShardCount calls that scaled, for the 10-per-24-hours rule. */
  readonly scalings: number[] = [];
  /** Request counters that are not per shard. */
  readonly counters = { putRecordRequests: 0, putRecordsRequests: 0, putRecordsFailedRecords: 0, putRecordsThrottledRecords: 0 };
  private nextCounter = 0;
  private lastTrim = Number.NEGATIVE_INFINITY;
  private openByRange: Shard[] = [];
  /** Range starts of openByRange as hashKeyHex writes them, for routeHex. */
  private openStartsHex: string[] = [];

  constructor(options: StreamOptions) {
    this.name = options.name;
    this.arn = options.arn;
    this.createdAt = options.createdAt;
    this.mode = options.mode;
    this.status = options.status;
    this.retentionHours = options.retentionHours;
    this.maxRecordSizeKiB = options.maxRecordSizeKiB;
    for (const [k, v] of Object.entries(options.tags)) this.tags.set(k, v);
    for (const range of uniformRanges(options.shardCount)) this.addShard(range, options.createdAt);
  }

  get openShards(): readonly Shard[] {
    return this.openByRange;
  }

  shard(shardId: string): Shard | undefined {
    const m = /^shardId-(\d{12})$/.exec(shardId);
    return m ? this.shards[Number(m[1])] : undefined;
  }

  /** The open shard whose range holds `key`. Open shards always tile the whole key space. */
  route(key: bigint): Shard {
    const open = this.openByRange;
    let lo = 0;
    let hi = open.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (open[mid]!.range.start <= key) lo = mid;
      else hi = mid - 1;
    }
    return open[lo]!;
  }

  /**
   * route for a hash key as hashKeyHexOf writes it: the same shard, as fixed-width hex strings
   * compare like the numbers. Every record is routed here.
   */
  routeHex(keyHex: string): Shard {
    const starts = this.openStartsHex;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= keyHex) lo = mid;
      else hi = mid - 1;
    }
    return this.openByRange[lo]!;
  }

  /** The counter the next record will get: a LATEST iterator starts here. */
  get tip(): number {
    return this.nextCounter;
  }

  /** Stores the record, arrived at `arrival`, on `shard` under the next counter; returns its sequence number. */
  append(shard: Shard, arrival: number, record: Pick<StoredRecord, "partitionKey" | "data" | "size">): string {
    // One object per record, built field by field: every record of every PutRecords passes here,
    // and a spread of the caller's object cost an extra copy and a slower, generic clone.
    const stored: StoredRecord = { counter: this.nextCounter++, arrival, partitionKey: record.partitionKey, data: record.data, size: record.size };
    shard.append(stored);
    return shard.sequenceNumberOf(stored);
  }

  /** Drops records older than the retention period; at most once per clock second, as it walks every shard. */
  trim(now: number): void {
    if (now - this.lastTrim < 1000) return;
    this.lastTrim = now;
    const before = now - this.retentionHours * 3_600_000;
    for (const shard of this.shards) shard.trim(before);
  }

  /**
   * Reshards to `target` open shards with even ranges, the way UNIFORM_SCALING does: split open
   * shards at every new boundary that falls inside one, then merge neighbouring pieces that share
   * a target range. Each split or merge is a real generation (ParentShardId, and
   * AdjacentParentShardId for merges), so lineage-aware consumers read parents before children.
   */
  reshardUniform(target: number, at: number): void {
    const goal = uniformRanges(target);
    for (const range of goal.slice(1)) {
      const shard = this.route(range.start);
      if (shard.range.start < range.start) this.split(shard, range.start, at);
    }
    for (const range of goal) {
      let pieces = this.openByRange.filter((s) => s.range.start >= range.start && s.range.end <= range.end);
      while (pieces.length > 1) {
        const merged = this.merge(pieces[0]!, pieces[1]!, at);
        pieces = [merged, ...pieces.slice(2)];
      }
    }
  }

  private split(shard: Shard, boundary: bigint, at: number): void {
    this.closeShard(shard, at);
    this.addShard({ start: shard.range.start, end: boundary - 1n }, at, shard.shardId);
    this.addShard({ start: boundary, end: shard.range.end }, at, shard.shardId);
  }

  private merge(lower: Shard, upper: Shard, at: number): Shard {
    this.closeShard(lower, at);
    this.closeShard(upper, at);
    return this.addShard({ start: lower.range.start, end: upper.range.end }, at, lower.shardId, upper.shardId);
  }

  private closeShard(shard: Shard, at: number): void {
    shard.close(at, this.nextCounter);
    this.openByRange = this.openByRange.filter((s) => s !== shard);
    this.openStartsHex = this.openByRange.map((s) => hashKeyHex(s.range.start));
  }

  private addShard(range: HashRange, at: number, parent?: string, adjacentParent?: string): Shard {
    const shard = new Shard(this.shards.length, {
      range,
      createdAt: at,
      startingCounter: this.nextCounter,
      ...(parent ? { parentShardId: parent } : {}),
      ...(adjacentParent ? { adjacentParentShardId: adjacentParent } : {}),
    });
    this.shards.push(shard);
    if (parent) this.shard(parent)!.childShardIds.push(shard.shardId);
    if (adjacentParent) this.shard(adjacentParent)!.childShardIds.push(shard.shardId);
    const i = this.openByRange.findIndex((s) => s.range.start > range.start);
    if (i < 0) this.openByRange.push(shard);
    else this.openByRange.splice(i, 0, shard);
    this.openStartsHex = this.openByRange.map((s) => hashKeyHex(s.range.start));
    return shard;
  }
}
