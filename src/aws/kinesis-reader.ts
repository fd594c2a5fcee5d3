/**
 * Reads a Kinesis stream as a consumer would, resuming where it left off: each call lists the
 * shards (new ones appear after resharding), takes an iterator after the last sequence number it
 * saw on each shard (its checkpoint, so iterator expiry between calls does not matter) and reads up
 * to the tip. A shard read to its end names its children, which the same round reads on. A
 * checkpoint older than the stream's retention is refused by Kinesis; the shard is then read on
 * from its trim horizon, as a KCL consumer restarts, and the round says so (what lay between
 * expired unread). It reports how far behind the tip it was and how often reads were throttled,
 * which is what a consumer of the stream would experience.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type Shard,
} from "./sdk/kinesis.js";
import type { Clock } from "../time/clock.js";
import type { Permission } from "../iam/permission.js";

interface ShardPosition {
  lastSequence: string | undefined;
  /** Read to its end after a reshard: nothing more will come. */
  finished: boolean;
  /** MillisBehindLatest of the last GetRecords that answered: kept when later reads are throttled. */
  lag: number;
}

export interface ReadOptions {
  /** Keep reading (pausing on throttling) until every shard is at its tip, or `maxMs` of clock time passes. */
  untilComplete?: boolean;
  maxMs?: number;
}

export interface ReadReport {
  records: number;
  /** How far behind the tip the reader is after this round: the largest over shards (the last lag each reported). */
  millisBehindLatest: number;
  /** Reads that gave up on throttling this round. */
  throttled: number;
  shards: number;
  /** Every shard was read to its tip this round: nothing stored was left unread. */
  complete: boolean;
  /** Shards whose checkpoint had expired this round, read on from their trim horizon. */
  expiredCheckpoints: string[];
}

/** Kinesis allows 5 GetRecords a second per shard. */
const READ_SPACING_MS = 200;
/** A throttled shard is retried this many times, this far apart, before the round moves on (as a KCL worker backs off). */
const THROTTLE_RETRIES = 5;
const THROTTLE_PAUSE_MS = 1_000;
/**
 * Records asked for per GetRecords. A shard serves 2 MiB a second to its readers and 5 calls: at a
 * few hundred bytes a log record, 2,000 a call already reaches that rate, and a response of 10,000
 * (the API's most) holds five times the memory while it is being read, for no more throughput.
 */
const RECORDS_PER_CALL = 2_000;

export class StreamReader {
  private readonly shards = new Map<string, ShardPosition>();

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly stream: string,
    private readonly clock: Clock,
    /** Bounds one round's work per shard; what is left is read next round. */
    private readonly maxCallsPerShard = 50,
  ) {}

  async readNew(onRecord: (data: Uint8Array) => void, signal?: AbortSignal, options: ReadOptions = {}): Promise<ReadReport> {
    const report: ReadReport = { records: 0, millisBehindLatest: 0, throttled: 0, shards: 0, complete: true, expiredCheckpoints: [] };
    const deadline = options.untilComplete ? this.clock.now() + (options.maxMs ?? 3_600_000) : undefined;
    const budget = options.untilComplete ? Number.POSITIVE_INFINITY : this.maxCallsPerShard;
    const round = (await this.listShards(signal)).map((s) => s.ShardId!);
    const inRound = new Set(round);
    // A shard closed by a reshard during the round names its children, which ListShards did not list yet.
    const readOnInto = (children: string[]) => {
      for (const child of children) {
        if (!inRound.has(child)) {
          inRound.add(child);
          round.push(child);
        }
      }
    };
    for (let i = 0; i < round.length; i++) {
      const id = round[i]!;
      let pos = this.shards.get(id);
      if (!pos) {
        pos = { lastSequence: undefined, finished: false, lag: 0 };
        this.shards.set(id, pos);
      }
      report.shards++;
      let throttles = 0;
      while (!pos.finished) {
        try {
          if (await this.readShard(id, pos, onRecord, report, budget, readOnInto, signal)) break;
          if (deadline === undefined) {
            report.complete = false;
            break;
          }
        } catch (err) {
          if (signal?.aborted) throw err;
          if ((err as { name?: string }).name !== "ProvisionedThroughputExceededException") throw err;
          report.throttled++;
          throttles++;
          if (deadline === undefined ? throttles > THROTTLE_RETRIES : this.clock.now() >= deadline) {
            report.complete = false;
            break;
          }
          await this.clock.sleep(THROTTLE_PAUSE_MS, signal);
        }
        if (deadline !== undefined && this.clock.now() >= deadline) {
          report.complete = false;
          break;
        }
      }
      report.millisBehindLatest = Math.max(report.millisBehindLatest, pos.lag);
    }
    return report;
  }

  private async listShards(signal?: AbortSignal): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.kinesis.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.stream }), { abortSignal: signal as never });
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }

  /** An iterator just after the shard's checkpoint, or at its trim horizon (first read, expired checkpoint). */
  private async iteratorFor(id: string, pos: ShardPosition, report: ReadReport, signal?: AbortSignal): Promise<string | undefined> {
    if (pos.lastSequence) {
      try {
        const after = { StreamName: this.stream, ShardId: id, ShardIteratorType: "AFTER_SEQUENCE_NUMBER" as const, StartingSequenceNumber: pos.lastSequence };
        return (await this.kinesis.send(new GetShardIteratorCommand(after), { abortSignal: signal as never })).ShardIterator;
      } catch (err) {
        if (!checkpointExpired(err)) throw err;
        report.expiredCheckpoints.push(id);
      }
    }
    const horizon = { StreamName: this.stream, ShardId: id, ShardIteratorType: "TRIM_HORIZON" as const };
    return (await this.kinesis.send(new GetShardIteratorCommand(horizon), { abortSignal: signal as never })).ShardIterator;
  }

  /** Reads one shard up to its tip (or `calls` GetRecords); true when it got to the tip. */
  private async readShard(
    id: string,
    pos: ShardPosition,
    onRecord: (data: Uint8Array) => void,
    report: ReadReport,
    calls: number,
    readOnInto: (children: string[]) => void,
    signal?: AbortSignal,
  ): Promise<boolean> {
    let iterator = await this.iteratorFor(id, pos, report, signal);
    let atTip = false;
    for (let call = 0; iterator && call < calls; call++) {
      if (call > 0) await this.clock.sleep(READ_SPACING_MS, signal);
      const out = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: RECORDS_PER_CALL }), { abortSignal: signal as never });
      for (const r of out.Records ?? []) {
        if (r.Data) onRecord(r.Data);
        if (r.SequenceNumber) pos.lastSequence = r.SequenceNumber;
        report.records++;
      }
      pos.lag = out.MillisBehindLatest ?? 0;
      iterator = out.NextShardIterator;
      if (!iterator) {
        pos.finished = true;
        readOnInto((out.ChildShards ?? []).map((c) => c.ShardId!));
      }
      // At the tip: nothing stored is unread (records that arrive later belong to the next round;
      // waiting for an empty read would chase a stream that producers keep writing to).
      if (pos.lag === 0) {
        atTip = true;
        break;
      }
    }
    return atTip || pos.finished;
  }
}

/**
 * Kinesis refuses an AFTER_SEQUENCE_NUMBER iterator for a sequence number it no longer holds with
 * InvalidArgumentException naming the StartingSequenceNumber (other invalid arguments say otherwise).
 */
function checkpointExpired(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  return e.name === "InvalidArgumentException" && /StartingSequenceNumber/i.test(e.message ?? "");
}

/** What a StreamReader calls: ListShards, GetShardIterator and GetRecords on its stream. */
export function streamReaderPermissions(o: { region: string; accountId: string; stream: string }): Permission[] {
  return [{ why: "read the stream as a consumer", actions: ["kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"], resources: [`arn:aws:kinesis:${o.region}:${o.accountId}:stream/${o.stream}`] }];
}
