import { describe, expect, it } from "vitest";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
} from "@aws-sdk/client-kinesis";
import { ACCOUNT, MiB, answered, blob, bytes, kinesisHarness, rejection } from "./harness.js";

const LOW = "0"; // ExplicitHashKey on shard 0 of a 2-shard stream
const HIGH = ((1n << 128n) - 1n).toString(); // on shard 1
const entry = (hashKey: string, data: Uint8Array = bytes("x")): PutRecordsRequestEntry => ({ PartitionKey: "k", ExplicitHashKey: hashKey, Data: data });
const many = (n: number, hashKey: string) => Array.from({ length: n }, () => entry(hashKey));
const RATE = (shard: string) => `Rate exceeded for shard ${shard} in stream logs under account ${ACCOUNT}.`;

describe("per-shard write limits: 1,000 records or 1 MiB per second", () => {
  it("a shard over its 1,000 records/s fails those entries in a 200 response, aligned with the request; the other shard's entries succeed", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 2 }] });
    for (let i = 0; i < 2; i++) {
      const out = await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: many(500, LOW) }));
      expect(out.FailedRecordCount).toBe(0);
    }
    const mixed = [LOW, HIGH, LOW, HIGH, HIGH, LOW].map((k) => entry(k));
    const raw = answered(h.call("PutRecords", { StreamName: "logs", Records: mixed.map((e) => ({ ...e, Data: Buffer.from(e.Data!).toString("base64") })) }));
    expect(raw.statusCode).toBe(200);
    expect(raw.json.FailedRecordCount).toBe(3);
    const records = raw.json.Records as Record<string, string>[];
    expect(records.map((r) => Object.keys(r).sort())).toEqual([
      ["ErrorCode", "ErrorMessage"],
      ["SequenceNumber", "ShardId"],
      ["ErrorCode", "ErrorMessage"],
      ["SequenceNumber", "ShardId"],
      ["SequenceNumber", "ShardId"],
      ["ErrorCode", "ErrorMessage"],
    ]);
    expect(records[0]).toEqual({ ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: RATE("shardId-000000000000") });
    expect(records[1]!.ShardId).toBe("shardId-000000000001");

    // Through the SDK: the same shape, and no exception.
    const out = await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: [entry(LOW), entry(HIGH)] }));
    expect(out.FailedRecordCount).toBe(1);
    expect(out.Records![0]).toEqual({ ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: RATE("shardId-000000000000") });
    expect(out.Records![1]).toMatchObject({ ShardId: "shardId-000000000001" });
    expect(out.Records![1]!.SequenceNumber).toMatch(/^\d{56}$/);

    const m = h.kinesis.metrics().streams["logs"]!;
    expect(m.writeProvisionedThroughputExceeded).toBe(4);
    expect(m.putRecordsFailedRecords).toBe(4);
    expect(m.incomingRecords).toBe(1_000 + 3 + 1);
  });

  it("the allowance is per whole clock second: the next second takes writes again", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    await h.advance(999); // t = x.999 s: late in the second still gets the whole second's allowance
    for (let i = 0; i < 2; i++) expect((await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: many(500, LOW) }))).FailedRecordCount).toBe(0);
    expect((await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: many(1, LOW) }))).FailedRecordCount).toBe(1);
    await h.advance(1); // the next second starts
    for (let i = 0; i < 2; i++) expect((await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: many(500, LOW) }))).FailedRecordCount).toBe(0);
  });

  it("1 MiB/s of data plus partition keys: the record that would cross it fails", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const big = new Uint8Array(100 * 1024);
    const out = await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: Array.from({ length: 11 }, () => entry(LOW, big)) }));
    expect(out.Records!.map((r) => r.ErrorCode ?? "ok")).toEqual([...Array(10).fill("ok"), "ProvisionedThroughputExceededException"]);
  });

  it("PutRecord over the limit fails the whole call: ProvisionedThroughputExceededException, HTTP 400", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 2 }] });
    for (let i = 0; i < 2; i++) await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: many(500, HIGH) }));
    const err = await rejection(h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", ExplicitHashKey: HIGH, Data: bytes("x") })));
    expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(RATE("shardId-000000000001"));
    const ok = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", ExplicitHashKey: LOW, Data: bytes("x") }));
    expect(ok.ShardId).toBe("shardId-000000000000");
  });
});

describe("request and record size limits", () => {
  it("a record of data plus partition key over 1 MiB is an InvalidArgumentException; exactly 1 MiB is fine", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const fits = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", Data: new Uint8Array(MiB - 1) }));
    expect(fits.ShardId).toBeDefined();
    await h.advance(1_000);
    const err = await rejection(h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", Data: new Uint8Array(MiB) })));
    expect(err).toBeInstanceOf(InvalidArgumentException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe("Record size 1048577 bytes (data plus partition key) exceeds the stream's maximum record size of 1048576 bytes (MaxRecordSizeInKiB 1024).");
  });

  it("PutRecords takes 1 to 500 records and at most 5 MiB including partition keys", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const tooMany = await rejection(h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: many(501, LOW) })));
    expect(tooMany).toBeInstanceOf(InvalidArgumentException);
    expect(tooMany.message).toBe("1 validation error detected: Value '501 records' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500");
    const none = await rejection(h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: [] })));
    expect(none).toBeInstanceOf(InvalidArgumentException);
    const huge = Array.from({ length: 6 }, () => entry(LOW, new Uint8Array(MiB - 100)));
    const tooBig = await rejection(h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: huge })));
    expect(tooBig).toBeInstanceOf(InvalidArgumentException);
    expect(tooBig.message).toBe(`Records size ${6 * (MiB - 100 + 1)} bytes (data plus partition keys) exceeds the PutRecords request limit of ${5 * MiB} bytes.`);
    expect(h.kinesis.metrics().streams["logs"]!.incomingRecords).toBe(0);
  });

  it("a partition key is 1 to 256 characters", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    for (const key of ["", "k".repeat(257)]) {
      const err = await rejection(h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: key, Data: bytes("x") })));
      expect(err, `key of ${key.length}`).toBeInstanceOf(InvalidArgumentException);
      expect(err.message).toMatch(/at 'partitionKey' failed to satisfy constraint/);
    }
    const inBatch = await rejection(h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: [entry(LOW), { PartitionKey: "k".repeat(257), Data: bytes("x") }] })));
    expect(inBatch).toBeInstanceOf(InvalidArgumentException);
    expect(inBatch.message).toMatch(/at 'records\.2\.member\.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256$/);
    const ok = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "é".repeat(256), Data: bytes("x") }));
    expect(ok.SequenceNumber).toBeDefined();
  });

  it("a large-record stream (MaxRecordSizeInKiB 10240) takes a 5 MiB record as a burst, then throttles the shard until it is paid off", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1, maxRecordSizeKiB: 10_240 }] });
    await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", Data: new Uint8Array(5 * MiB - 1) }));
    await h.advance(1_000);
    const err = await rejection(h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", Data: bytes("x") })));
    expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
    await h.advance(4_000);
    const later = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", Data: bytes("x") }));
    expect(later.SequenceNumber).toBeDefined();
    // Its request limit is 10 MiB rather than 5.
    await h.advance(10_000);
    const out = await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: [entry(LOW, new Uint8Array(4 * MiB)), entry(LOW, new Uint8Array(4 * MiB))] }));
    expect(out.Records!.map((r) => r.ErrorCode ?? "ok")).toEqual(["ok", "ProvisionedThroughputExceededException"]);
  });
});

describe("per-shard read limits: 5 GetRecords calls and 2 MiB per second", () => {
  async function trimHorizon(h: Awaited<ReturnType<typeof kinesisHarness>>) {
    return (await h.client.send(new GetShardIteratorCommand({ StreamName: "logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator!;
  }

  it("the sixth GetRecords on a shard within one second is throttled; the next second reads again", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const it0 = await trimHorizon(h);
    for (let i = 0; i < 5; i++) await h.client.send(new GetRecordsCommand({ ShardIterator: it0 }));
    const err = await rejection(h.client.send(new GetRecordsCommand({ ShardIterator: it0 })));
    expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(`Rate exceeded for Shard - ${ACCOUNT}/logs/shardId-000000000000`);
    expect(h.kinesis.metrics().streams["logs"]!.readProvisionedThroughputExceeded).toBe(1);
    await h.advance(1_000);
    await h.client.send(new GetRecordsCommand({ ShardIterator: it0 }));
  });

  it("a 10 MiB GetRecords makes the shard's reads fail for the next 5 seconds", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    for (let i = 0; i < 10; i++) {
      // Exactly 1 MiB per record, one per second: the most the shard takes.
      await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", Data: new Uint8Array(MiB - 1) }));
      await h.advance(1_000);
    }
    const got = await h.client.send(new GetRecordsCommand({ ShardIterator: await trimHorizon(h) }));
    expect(got.Records).toHaveLength(10);
    const it1 = got.NextShardIterator!;
    for (let s = 1; s <= 4; s++) {
      await h.advance(1_000);
      const err = await rejection(h.client.send(new GetRecordsCommand({ ShardIterator: it1 })));
      expect(err, `${s} s later`).toBeInstanceOf(ProvisionedThroughputExceededException);
    }
    await h.advance(1_000);
    const after = await h.client.send(new GetRecordsCommand({ ShardIterator: it1 }));
    expect(after.Records).toEqual([]);
  });

  it("GetRecords returns at most Limit records and refuses a Limit above 10,000", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: many(30, LOW) }));
    const got = await h.client.send(new GetRecordsCommand({ ShardIterator: await trimHorizon(h), Limit: 7 }));
    expect(got.Records).toHaveLength(7);
    const err = await rejection(h.client.send(new GetRecordsCommand({ ShardIterator: got.NextShardIterator!, Limit: 10_001 })));
    expect(err).toBeInstanceOf(InvalidArgumentException);
  });
});

describe("raw wire shape", () => {
  it("errors travel as awsJson1_1: __type and x-amzn-errortype name the exception", () => {
    return kinesisHarness().then((h) => {
      const res = answered(h.call("PutRecord", { StreamName: "missing", PartitionKey: "k", Data: blob(1) }));
      expect(res.statusCode).toBe(400);
      expect(res.headers["x-amzn-errortype"]).toBe("ResourceNotFoundException");
      expect(res.json).toEqual({ __type: "ResourceNotFoundException", message: `Stream missing under account ${ACCOUNT} not found.` });
    });
  });
});
