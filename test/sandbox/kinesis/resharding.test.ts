import { describe, expect, it } from "vitest";
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  LimitExceededException,
  ListShardsCommand,
  PutRecordCommand,
  ResourceInUseException,
  UpdateShardCountCommand,
  type Shard,
} from "@aws-sdk/client-kinesis";
import { bytes, kinesisHarness, rejection, text, type Harness } from "./harness.js";

const SPACE = 1n << 128n;
const range = (s: Shard) => [BigInt(s.HashKeyRange!.StartingHashKey!), BigInt(s.HashKeyRange!.EndingHashKey!)];
/** Open shards' ranges in key order (ListShards lists by shard id, i.e. creation order). */
const ranges = (shards: Shard[]) => shards.map(range).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
const even = (n: number) => Array.from({ length: n }, (_, i) => [(BigInt(i) * SPACE) / BigInt(n), (BigInt(i + 1) * SPACE) / BigInt(n) - 1n]);

async function shards(h: Harness, type?: "AT_LATEST"): Promise<Shard[]> {
  const out = await h.client.send(new ListShardsCommand({ StreamName: "logs", ...(type ? { ShardFilter: { Type: type } } : {}) }));
  return out.Shards!;
}

async function scale(h: Harness, target: number) {
  const out = await h.client.send(new UpdateShardCountCommand({ StreamName: "logs", TargetShardCount: target, ScalingType: "UNIFORM_SCALING" }));
  await h.advance(10_000);
  return out;
}

describe("UpdateShardCount (UNIFORM_SCALING)", () => {
  it("doubling splits every shard in two: UPDATING while writes continue, then ACTIVE with children of even ranges", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 2 }] });
    const out = await h.client.send(new UpdateShardCountCommand({ StreamName: "logs", TargetShardCount: 4, ScalingType: "UNIFORM_SCALING" }));
    expect(out).toMatchObject({ StreamName: "logs", CurrentShardCount: 2, TargetShardCount: 4 });
    const during = await h.client.send(new DescribeStreamSummaryCommand({ StreamName: "logs" }));
    expect(during.StreamDescriptionSummary!.StreamStatus).toBe("UPDATING");
    const put = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", ExplicitHashKey: "0", Data: bytes("during") }));
    expect(put.ShardId).toBe("shardId-000000000000");
    await h.advance(10_000);
    const after = await h.client.send(new DescribeStreamSummaryCommand({ StreamName: "logs" }));
    expect(after.StreamDescriptionSummary).toMatchObject({ StreamStatus: "ACTIVE", OpenShardCount: 4 });
    const open = await shards(h, "AT_LATEST");
    expect(open.map(range)).toEqual(even(4));
    expect(open.map((s) => [s.ShardId, s.ParentShardId, s.AdjacentParentShardId])).toEqual([
      ["shardId-000000000002", "shardId-000000000000", undefined],
      ["shardId-000000000003", "shardId-000000000000", undefined],
      ["shardId-000000000004", "shardId-000000000001", undefined],
      ["shardId-000000000005", "shardId-000000000001", undefined],
    ]);
    const all = await shards(h);
    expect(all).toHaveLength(6);
    expect(all[0]!.SequenceNumberRange!.EndingSequenceNumber).toMatch(/^\d{56}$/);
    expect(open[0]!.SequenceNumberRange!.EndingSequenceNumber).toBeUndefined();
    // New writes land on the children.
    const next = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", ExplicitHashKey: "0", Data: bytes("after") }));
    expect(next.ShardId).toBe("shardId-000000000002");
    expect(BigInt(next.SequenceNumber!) > BigInt(put.SequenceNumber!)).toBe(true);
  });

  it("a closed parent reads to its end, then GetRecords names its children and gives no next iterator", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", Data: bytes("before") }));
    const it0 = (await h.client.send(new GetShardIteratorCommand({ StreamName: "logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator!;
    await scale(h, 2);
    const got = await h.client.send(new GetRecordsCommand({ ShardIterator: it0 }));
    expect(got.Records!.map((r) => text(r.Data))).toEqual(["before"]);
    expect(got.NextShardIterator).toBeUndefined();
    expect(got.ChildShards!.map((c) => [c.ShardId, c.ParentShards])).toEqual([
      ["shardId-000000000001", ["shardId-000000000000"]],
      ["shardId-000000000002", ["shardId-000000000000"]],
    ]);
  });

  it("halving merges neighbours: each child has a parent and an adjacent parent", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 4 }] });
    await scale(h, 2);
    const open = await shards(h, "AT_LATEST");
    expect(open.map(range)).toEqual(even(2));
    expect(open.map((s) => [s.ParentShardId, s.AdjacentParentShardId])).toEqual([
      ["shardId-000000000000", "shardId-000000000001"],
      ["shardId-000000000002", "shardId-000000000003"],
    ]);
  });

  it("uneven targets (3 to 5, 5 to 3) end in even ranges, through splits and merges of at most two parents", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 3 }] });
    await scale(h, 5);
    expect(ranges(await shards(h, "AT_LATEST"))).toEqual(even(5));
    await h.advance(1_000);
    await scale(h, 3);
    expect(ranges(await shards(h, "AT_LATEST"))).toEqual(even(3));
    const all = await shards(h);
    const byId = new Map(all.map((s) => [s.ShardId!, s]));
    for (const s of all) {
      for (const p of [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean)) {
        const parent = byId.get(p!)!;
        expect(parent.SequenceNumberRange!.EndingSequenceNumber, `${p} is closed`).toBeDefined();
        // A child's range is covered by its parents' ranges.
        expect(range(parent)[0]! <= range(s)[1]! && range(parent)[1]! >= range(s)[0]!).toBe(true);
      }
    }
  });

  it("refuses more than double or less than half, with AWS's messages", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 2 }] });
    const up = await rejection(h.client.send(new UpdateShardCountCommand({ StreamName: "logs", TargetShardCount: 5, ScalingType: "UNIFORM_SCALING" })));
    expect(up).toBeInstanceOf(LimitExceededException);
    expect(up.message).toBe("UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 2 Target shard count: 5");
    const h4 = await kinesisHarness({ streams: [{ name: "logs", shards: 4 }] });
    const down = await rejection(h4.client.send(new UpdateShardCountCommand({ StreamName: "logs", TargetShardCount: 1, ScalingType: "UNIFORM_SCALING" })));
    expect(down).toBeInstanceOf(LimitExceededException);
    expect(down.message).toBe("UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 4 Target shard count: 1");
  });

  it("refuses a second scaling while UPDATING, and an 11th within 24 hours", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    await h.client.send(new UpdateShardCountCommand({ StreamName: "logs", TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" }));
    const busy = await rejection(h.client.send(new UpdateShardCountCommand({ StreamName: "logs", TargetShardCount: 1, ScalingType: "UNIFORM_SCALING" })));
    expect(busy).toBeInstanceOf(ResourceInUseException);
    await h.advance(10_000);
    for (let i = 1; i < 10; i++) await scale(h, i % 2 === 0 ? 2 : 1);
    const eleventh = await rejection(h.client.send(new UpdateShardCountCommand({ StreamName: "logs", TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" })));
    expect(eleventh).toBeInstanceOf(LimitExceededException);
    expect(eleventh.message).toMatch(/scaled 10 times in the last 24 hours; the limit is 10/);
    await h.advance(24 * 3_600_000);
    await scale(h, 2);
  });

  it("refuses other scaling types and on-demand streams", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }, { name: "od", mode: "ON_DEMAND" }] });
    const type = await rejection(h.client.send(new UpdateShardCountCommand({ StreamName: "logs", TargetShardCount: 2, ScalingType: "SPLIT" as never })));
    expect(type).toBeInstanceOf(InvalidArgumentException);
    const od = await rejection(h.client.send(new UpdateShardCountCommand({ StreamName: "od", TargetShardCount: 8, ScalingType: "UNIFORM_SCALING" })));
    expect(od).toBeInstanceOf(InvalidArgumentException);
  });
});
