import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  ProvisionedThroughputExceededException,
  type GetRecordsCommandOutput,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { ACCOUNT, answered, bytes, kinesisHarness, rejection, text } from "./harness.js";

async function iterator(client: KinesisClient, shardId: string, type: string, extra: Record<string, unknown> = {}): Promise<string> {
  const out = await client.send(new GetShardIteratorCommand({ StreamName: "logs", ShardId: shardId, ShardIteratorType: type as never, ...extra }));
  return out.ShardIterator!;
}

/** The shard whose range holds MD5(key), computed here independently of the sandbox. */
async function expectedShard(client: KinesisClient, partitionKey: string): Promise<string> {
  const key = BigInt(`0x${createHash("md5").update(partitionKey).digest("hex")}`);
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: "logs" }));
  return Shards!.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) <= key && key <= BigInt(s.HashKeyRange!.EndingHashKey!))!.ShardId!;
}

describe("writing and reading records", () => {
  it("PutRecord returns the shard and a sequence number; GetRecords from TRIM_HORIZON returns the record as written", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const put = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "host-1", Data: bytes("hello") }));
    expect(put.ShardId).toBe("shardId-000000000000");
    expect(put.SequenceNumber).toMatch(/^\d{56}$/);
    const it0 = await iterator(h.client, "shardId-000000000000", "TRIM_HORIZON");
    const got = await h.client.send(new GetRecordsCommand({ ShardIterator: it0 }));
    expect(got.Records).toHaveLength(1);
    expect(text(got.Records![0]!.Data)).toBe("hello");
    expect(got.Records![0]!.PartitionKey).toBe("host-1");
    expect(got.Records![0]!.SequenceNumber).toBe(put.SequenceNumber);
    expect(got.Records![0]!.ApproximateArrivalTimestamp!.getTime()).toBe(h.clock.now());
    expect(got.MillisBehindLatest).toBe(0);
    expect(got.NextShardIterator).toBeDefined();
  });

  it("routes each record to the shard whose hash range holds MD5(partition key)", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 4 }] });
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    const out = await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: keys.map((k) => ({ PartitionKey: k, Data: bytes(k) })) }));
    expect(out.FailedRecordCount).toBe(0);
    for (const [i, k] of keys.entries()) expect(out.Records![i]!.ShardId, k).toBe(await expectedShard(h.client, k));
    expect(new Set(out.Records!.map((r) => r.ShardId)).size).toBe(4);
  });

  it("an ExplicitHashKey overrides the partition key's hash", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 2 }] });
    const low = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", ExplicitHashKey: "0", Data: bytes("a") }));
    const high = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", ExplicitHashKey: ((1n << 128n) - 1n).toString(), Data: bytes("b") }));
    expect([low.ShardId, high.ShardId]).toEqual(["shardId-000000000000", "shardId-000000000001"]);
    const bad = await rejection(h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", ExplicitHashKey: (1n << 128n).toString(), Data: bytes("c") })));
    expect(bad).toBeInstanceOf(InvalidArgumentException);
    expect(bad.message).toMatch(/ExplicitHashKey/);
  });

  it("keeps order within a shard: sequence numbers increase and GetRecords pages through in order", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const seqs: string[] = [];
    for (let i = 0; i < 25; i++) {
      const out = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: `p${i % 3}`, Data: bytes(`m${i}`) }));
      seqs.push(out.SequenceNumber!);
      await h.advance(10);
    }
    for (let i = 1; i < seqs.length; i++) expect(BigInt(seqs[i]!) > BigInt(seqs[i - 1]!)).toBe(true);
    const seen: string[] = [];
    let it0: string | undefined = await iterator(h.client, "shardId-000000000000", "TRIM_HORIZON");
    for (let page = 0; page < 4 && it0; page++) {
      const got: GetRecordsCommandOutput = await h.client.send(new GetRecordsCommand({ ShardIterator: it0, Limit: 10 }));
      seen.push(...got.Records!.map((r) => text(r.Data)));
      it0 = got.NextShardIterator;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
  });

  it("reports MillisBehindLatest as the age of the oldest unread record", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "a", Data: bytes("1") }));
    await h.advance(1_000);
    await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "a", Data: bytes("2") }));
    await h.advance(3_000);
    const got = await h.client.send(new GetRecordsCommand({ ShardIterator: await iterator(h.client, "shardId-000000000000", "TRIM_HORIZON"), Limit: 1 }));
    expect(got.MillisBehindLatest).toBe(3_000);
    const rest = await h.client.send(new GetRecordsCommand({ ShardIterator: got.NextShardIterator! }));
    expect(rest.Records!.map((r) => text(r.Data))).toEqual(["2"]);
    expect(rest.MillisBehindLatest).toBe(0);
  });

  it("reports MillisBehindLatest in whole milliseconds (a Long in the API), also when time has fractions of one", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    await h.advance(0.25);
    await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "a", Data: bytes("1") }));
    await h.advance(1_000.625);
    await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "a", Data: bytes("2") }));
    await h.advance(2.5);
    const got = await h.client.send(new GetRecordsCommand({ ShardIterator: await iterator(h.client, "shardId-000000000000", "TRIM_HORIZON"), Limit: 1 }));
    expect(got.MillisBehindLatest).toBe(2);
  });

  it("iterator types: LATEST, AT_ and AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const shard = "shardId-000000000000";
    const put = async (d: string) => (await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "a", Data: bytes(d) }))).SequenceNumber!;
    const s1 = await put("one");
    await h.advance(1_000);
    const t2 = h.clock.now();
    const s2 = await put("two");
    const latest = await iterator(h.client, shard, "LATEST");
    await put("three");
    const read = async (it: string) => (await h.client.send(new GetRecordsCommand({ ShardIterator: it }))).Records!.map((r) => text(r.Data));
    expect(await read(latest)).toEqual(["three"]);
    expect(await read(await iterator(h.client, shard, "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: s2 }))).toEqual(["two", "three"]);
    expect(await read(await iterator(h.client, shard, "AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: s1 }))).toEqual(["two", "three"]);
    expect(await read(await iterator(h.client, shard, "AT_TIMESTAMP", { Timestamp: new Date(t2) }))).toEqual(["two", "three"]);
  });

  it("a sequence number from another shard is refused with InvalidArgumentException", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 2 }] });
    const put = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "a", ExplicitHashKey: "0", Data: bytes("x") }));
    const err = await rejection(iterator(h.client, "shardId-000000000001", "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: put.SequenceNumber }));
    expect(err).toBeInstanceOf(InvalidArgumentException);
    expect(err.message).toContain(`used in GetShardIterator on shard shardId-000000000001 in stream logs under account ${ACCOUNT} is invalid`);
  });

  it("a shard iterator expires 5 virtual minutes after it was issued; the NextShardIterator is a fresh one", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const it0 = await iterator(h.client, "shardId-000000000000", "TRIM_HORIZON");
    await h.advance(4 * 60_000);
    const ok = await h.client.send(new GetRecordsCommand({ ShardIterator: it0 }));
    await h.advance(60_001);
    const err = await rejection(h.client.send(new GetRecordsCommand({ ShardIterator: it0 })));
    expect(err).toBeInstanceOf(ExpiredIteratorException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toMatch(/^Iterator expired\. The iterator was created at time Wed Nov 25 13:15:00 UTC 2020 while right now it is Wed Nov 25 13:20:00 UTC 2020 which is further in the future than the tolerated delay of 300000 milliseconds\.$/);
    // The iterator handed out a minute ago is still good.
    const next = await h.client.send(new GetRecordsCommand({ ShardIterator: ok.NextShardIterator! }));
    expect(next.Records).toEqual([]);
  });

  it("an iterator the service did not issue is an InvalidArgumentException", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const err = await rejection(h.client.send(new GetRecordsCommand({ ShardIterator: "not-an-iterator" })));
    expect(err).toBeInstanceOf(InvalidArgumentException);
  });

  it("records go through unchanged as bytes, including non-UTF-8 data", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const data = new Uint8Array([0, 255, 128, 10, 13, 0xc3]);
    await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: [{ PartitionKey: "b", Data: data }] }));
    const got = await h.client.send(new GetRecordsCommand({ ShardIterator: await iterator(h.client, "shardId-000000000000", "TRIM_HORIZON") }));
    expect([...got.Records![0]!.Data!]).toEqual([...data]);
  });

  it("on the awsJson wire, records go in and come out as base64 text; non-canonical base64 comes back canonical, as Kinesis keeps bytes", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const sent = ["+/8B", "", "AB==", "aGVsbG8="];
    const put = answered(h.call("PutRecords", { StreamName: "logs", Records: sent.map((Data) => ({ PartitionKey: "k", Data })) }));
    expect(put.json.FailedRecordCount).toBe(0);
    const it0 = answered(h.call("GetShardIterator", { StreamName: "logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" })).json.ShardIterator;
    const got = answered(h.call("GetRecords", { ShardIterator: it0 }));
    expect(got.body).toContain('"Data":"+/8B","PartitionKey":"k"');
    expect(got.json.Records.map((r: { Data: string }) => r.Data)).toEqual(["+/8B", "", "AA==", "aGVsbG8="]);
    expect(Object.keys(got.json.Records[0])).toEqual(["SequenceNumber", "ApproximateArrivalTimestamp", "Data", "PartitionKey"]);
    expect(Object.keys(got.json)).toEqual(["Records", "MillisBehindLatest", "NextShardIterator"]);
  });

  it("GetShardIterator takes 5 calls per second per shard", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 2 }] });
    for (let i = 0; i < 5; i++) await iterator(h.client, "shardId-000000000000", "LATEST");
    expect(await rejection(iterator(h.client, "shardId-000000000000", "LATEST"))).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(await iterator(h.client, "shardId-000000000001", "LATEST")).toBeDefined();
    await h.advance(1_000);
    expect(await iterator(h.client, "shardId-000000000000", "LATEST")).toBeDefined();
  });

  it("records older than the retention period are trimmed: TRIM_HORIZON starts after them", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1, retentionHours: 24 }] });
    await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "a", Data: bytes("old") }));
    await h.advance(23 * 3_600_000);
    await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "a", Data: bytes("new") }));
    await h.advance(3_600_000 + 1_000);
    const got = await h.client.send(new GetRecordsCommand({ ShardIterator: await iterator(h.client, "shardId-000000000000", "TRIM_HORIZON") }));
    expect(got.Records!.map((r) => text(r.Data))).toEqual(["new"]);
  });
});
