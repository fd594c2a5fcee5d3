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
import { RecordIdReader } from "../pipeline/envelope.js";

/** One producer's records seen: bit n is record n. */
export interface SeenBits {
  bits: Uint8Array;
}

/** Which records of each producer (host and boot) were seen: a growable bit set per producer. */
export class Seen {
  private readonly byProducer = new Map<string, SeenBits>();
  distinct = 0;
  duplicates = 0;

  add(producer: string, seq: number): void {
    this.addTo(this.of(producer), seq);
  }

  /** The bit set of `producer`, to file many records under it with addTo() (no lookup each). */
  of(producer: string): SeenBits {
    let set = this.byProducer.get(producer);
    if (!set) {
      set = { bits: new Uint8Array(64) };
      this.byProducer.set(producer, set);
    }
    return set;
  }

  addTo(set: SeenBits, seq: number): void {
    const byte = seq >> 3;
    if (set.bits.length <= byte) {
      const grown = new Uint8Array(Math.max(byte + 1, set.bits.length * 2));
      grown.set(set.bits);
      set.bits = grown;
    }
    const bits = set.bits;
    const mask = 1 << (seq & 7);
    if (bits[byte]! & mask) this.duplicates++;
    else {
      bits[byte]! |= mask;
      this.distinct++;
    }
  }

  /** How many of the producer's records 0 .. n-1 were seen. */
  countBelow(producer: string, n: number): number {
    const set = this.byProducer.get(producer)?.bits;
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

  /** Hands back each producer's bit set itself, so a record is filed without building its key. */
  private readonly ids = new RecordIdReader((h, b) => this.seen.of(producerKey(h, b)));

  private readonly take = (data: Uint8Array): void => {
    const ids = this.ids;
    if (ids.read(data)) this.seen.addTo(ids.producer!, ids.seq);
    else this.unidentified++;
  };
}
