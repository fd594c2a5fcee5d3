/**
 * On-demand capacity. A new on-demand stream has 4 shards (4 MiB/s, 4,000 records/s of writes).
 * AWS says it "accommodates up to double its previous peak": the sandbox keeps the highest
 * per-second write rate it has accepted and, when twice that peak needs more shards than the
 * stream has, reshards up to it after ON_DEMAND_SCALE_DELAY_MS. Traffic that more than doubles
 * faster than that is throttled meanwhile, and a hot partition key is throttled by its own shard
 * whatever the stream's size. Scaling down is not modelled: AWS does it slowly and rarely.
 */
import type { Kernel } from "../../kernel.js";
import { MiB, ON_DEMAND_INITIAL_SHARDS, ON_DEMAND_SCALE_DELAY_MS, onDemandMaxShards, SHARD_WRITE_RECORDS_PER_SECOND } from "./limits.js";
import type { Stream } from "./stream.js";

export class OnDemandScaler {
  private second = Number.NEGATIVE_INFINITY;
  private bytes = 0;
  private records = 0;
  /** Highest accepted write rate in any one second: bytes and records. */
  peakBytes = 0;
  peakRecords = 0;
  private scaling = false;

  constructor(
    private readonly kernel: Kernel,
    private readonly stream: Stream,
    private readonly stillExists: () => boolean,
  ) {}

  /** Shards needed to absorb twice the peak. */
  shardsWanted(): number {
    const forBytes = Math.ceil((2 * this.peakBytes) / MiB);
    const forRecords = Math.ceil((2 * this.peakRecords) / SHARD_WRITE_RECORDS_PER_SECOND);
    return Math.min(onDemandMaxShards(this.kernel.region), Math.max(ON_DEMAND_INITIAL_SHARDS, forBytes, forRecords));
  }

  accepted(now: number, bytes: number, records: number): void {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.bytes = 0;
      this.records = 0;
    }
    this.bytes += bytes;
    this.records += records;
    // The current second's total so far is already a lower bound on its final total.
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    this.peakRecords = Math.max(this.peakRecords, this.records);
    if (!this.scaling && this.shardsWanted() > this.stream.openShards.length) this.scheduleScaleUp();
  }

  private scheduleScaleUp(): void {
    this.scaling = true;
    this.kernel.clock.setTimer(ON_DEMAND_SCALE_DELAY_MS, () => {
      this.scaling = false;
      if (!this.stillExists() || this.stream.mode !== "ON_DEMAND") return;
      const from = this.stream.openShards.length;
      const target = this.shardsWanted();
      if (target <= from) return;
      this.stream.reshardUniform(target, this.kernel.now());
      this.kernel.record("kinesis", "on-demand-scale", `on-demand stream ${this.stream.name} scaled from ${from} to ${target} shards`, {
        stream: this.stream.name,
        from,
        to: target,
      });
    });
  }
}
