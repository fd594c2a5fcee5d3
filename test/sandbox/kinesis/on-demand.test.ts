import { describe, expect, it } from "vitest";
import { ListShardsCommand, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { kinesisHarness, type Harness } from "./harness.js";

/** A hash key in the middle of shard i of n even shards, so load spreads evenly. */
const keyIn = (i: number, n: number) => (((2n * BigInt(i) + 1n) * (1n << 128n)) / (2n * BigInt(n))).toString();

/** Writes `perShard` records to each of `n` even slices of the key space in one second. */
async function burst(h: Harness, n: number, perShard: number): Promise<number> {
  let failed = 0;
  const entries: PutRecordsRequestEntry[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < perShard; j++) entries.push({ PartitionKey: "k", ExplicitHashKey: keyIn(i, n), Data: new Uint8Array(10) });
  for (let at = 0; at < entries.length; at += 500) {
    const out = await h.client.send(new PutRecordsCommand({ StreamName: "od", Records: entries.slice(at, at + 500) }));
    failed += out.FailedRecordCount!;
  }
  return failed;
}

const openShards = async (h: Harness) => (await h.client.send(new ListShardsCommand({ StreamName: "od", ShardFilter: { Type: "AT_LATEST" } }))).Shards!.length;

describe("on-demand streams", () => {
  it("start with 4 shards: 4,000 records/s go through, the 4,001st in that second does not", async () => {
    const h = await kinesisHarness({ streams: [{ name: "od", mode: "ON_DEMAND" }] });
    expect(await openShards(h)).toBe(4);
    expect(await burst(h, 4, 1_000)).toBe(0);
    expect(await burst(h, 4, 1)).toBe(4);
  });

  it("absorb twice their previous peak once they have scaled; faster growth is throttled until then (about 15 minutes)", async () => {
    const h = await kinesisHarness({ streams: [{ name: "od", mode: "ON_DEMAND" }] });
    expect(await burst(h, 4, 1_000)).toBe(0); // peak: 4,000 records/s
    await h.advance(1_000);
    expect(await burst(h, 8, 1_000)).toBe(4_000); // 8,000/s before scaling: half is throttled
    await h.advance(15 * 60_000);
    expect(await openShards(h)).toBe(8);
    expect(await burst(h, 8, 1_000)).toBe(0); // twice the previous peak now fits
    const trace = h.kernel.trace.entries.filter((e) => e.kind === "on-demand-scale");
    expect(trace.map((e) => e.detail)).toEqual([{ stream: "od", from: 4, to: 8 }]);
  });

  it("a hot partition key still throttles at its shard's 1,000 records/s, whatever the stream's capacity", async () => {
    const h = await kinesisHarness({ streams: [{ name: "od", mode: "ON_DEMAND" }] });
    const hot = Array.from({ length: 500 }, () => ({ PartitionKey: "tenant-42", Data: new Uint8Array(10) }));
    let failed = 0;
    for (let i = 0; i < 3; i++) failed += (await h.client.send(new PutRecordsCommand({ StreamName: "od", Records: hot }))).FailedRecordCount!;
    expect(failed).toBe(500);
  });
});
