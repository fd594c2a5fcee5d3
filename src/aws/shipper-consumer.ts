/**
 * The log shippers' stream read by one consumer for a whole run, as an operator's consumer reads
 * it: it keeps its place (a checkpoint per shard, StreamReader) and which of each producer's
 * records it has seen (gameday's shipper gives every record a {host, boot, seq} id), and every
 * read goes on from there. So each record crosses the SDK once per run, however many readings ask
 * what was delivered, and what a reading learns is everything delivered so far.
 */
import type { KinesisClient } from "./sdk/kinesis.js";
import type { Clock } from "../time/clock.js";
import { StreamReader, type ReadOptions, type ReadReport } from "./kinesis-reader.js";
import { readRecordId } from "../pipeline/envelope.js";

/** Which records of each producer (host and boot) were seen: a growable bit set per producer. */
export class Seen {
  private readonly bits = new Map<string, Uint8Array>();
  distinct = 0;
  duplicates = 0;

  add(producer: string, seq: number): void {
    let set = this.bits.get(producer);
    const byte = seq >> 3;
    if (!set || set.length <= byte) {
      const grown = new Uint8Array(Math.max(byte + 1, (set?.length ?? 0) * 2, 64));
      if (set) grown.set(set);
      set = grown;
      this.bits.set(producer, set);
    }
    const mask = 1 << (seq & 7);
    if (set[byte]! & mask) this.duplicates++;
    else {
      set[byte]! |= mask;
      this.distinct++;
    }
  }

  /** How many of the producer's records 0 .. n-1 were seen. */
  countBelow(producer: string, n: number): number {
    const set = this.bits.get(producer);
    if (!set) return 0;
    let count = 0;
    const full = Math.min(n >> 3, set.length);
    for (let i = 0; i < full; i++) count += POPCOUNT[set[i]!]!;
    if (full < set.length && (n & 7) !== 0) count += POPCOUNT[set[full]! & ((1 << (n & 7)) - 1)]!;
    return count;
  }
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let c = 0;
  for (let v = b; v; v >>= 1) c += v & 1;
  return c;
});

/** The producer key Seen files a record under. */
export function producerKey(host: string, boot: string): string {
  return `${host}|${boot}`;
}

export class ShipperStreamConsumer {
  readonly seen = new Seen();
  /** Records in the stream without a shipper id. */
  unidentified = 0;
  private readonly reader: StreamReader;
  /** The read under way: readings that overlap (a monitor and a steady-state check) take turns. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(kinesis: KinesisClient, stream: string, clock: Clock) {
    this.reader = new StreamReader(kinesis, stream, clock);
  }

  /** Reads on from the checkpoint, after any read already under way. */
  readOn(signal: AbortSignal, options: ReadOptions): Promise<ReadReport> {
    const read = this.turn.then(() => this.reader.readNew(this.take, signal, options));
    this.turn = read.catch(() => undefined);
    return read;
  }

  private readonly take = (data: Uint8Array): void => {
    const id = readRecordId(data);
    if (id) this.seen.add(producerKey(id.h, id.b), id.s);
    else this.unidentified++;
  };
}
