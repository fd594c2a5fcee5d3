import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseStatistic } from "../../../src/sandbox/services/cloudwatch/statistic.js";
import { harness } from "../harness.js";
import { SeededRandom } from "../../../src/random/random.js";
import { Kernel } from "../../../src/sandbox/kernel.js";
import { minuteOf } from "../../../src/sandbox/metrics/period.js";
import { KinesisService } from "../../../src/sandbox/services/kinesis/index.js";
import { VirtualClock } from "../../../src/time/clock.js";
import { RecordingSink } from "./recording-sink.js";

const LOGS = { StreamName: "logs" };

function setUp() {
  const clock = new VirtualClock();
  const kernel = new Kernel({ clock, random: new SeededRandom(3), region: "us-east-1", accountId: "123456789012" });
  const sink = new RecordingSink();
  const kinesis = new KinesisService(kernel, { streams: [{ name: "logs", shards: 1 }] }, sink);
  const op = (name: string, input: Record<string, unknown>) => kinesis.json.operations[name]!(input) as Record<string, unknown>;
  const records = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ Data: Buffer.from(`line ${from + i}`).toString("base64"), PartitionKey: `k${from + i}` }));
  return { clock, kinesis, sink, op, records };
}

describe("AWS/Kinesis from the stream's calls", () => {
  it("counts PutRecords entries, what the shard accepted and what its write limit throttled, once per minute", async () => {
    const { clock, kinesis, sink, op, records } = setUp();
    const start = clock.now();
    // 1,200 records within one second against one shard: 1,000 fit its limit, 200 are throttled.
    let failed = 0;
    for (let i = 0; i < 3; i++) failed += op("PutRecords", { StreamName: "logs", Records: records(400, i * 400) }).FailedRecordCount as number;
    expect(failed).toBe(200);
    await clock.sleep(2_000);
    op("PutRecord", { StreamName: "logs", ...records(1, 9_000)[0] });
    kinesis.publishMetrics();
    expect(sink.datums).toEqual([]);
    await clock.sleep(60_000);
    kinesis.publishMetrics();

    const stream = kinesis.metrics().streams.logs!;
    expect(sink.sum("IncomingRecords", LOGS)).toBe(1_001);
    expect(sink.sum("IncomingRecords", LOGS)).toBe(stream.incomingRecords);
    expect(sink.sum("IncomingBytes", LOGS)).toBe(stream.incomingBytes);
    expect(sink.find("IncomingBytes", LOGS)[0]).toMatchObject({ namespace: "AWS/Kinesis", unit: "Bytes", timestamp: minuteOf(start), storageResolution: 60 });
    expect(sink.sum("PutRecords.TotalRecords", LOGS)).toBe(1_200);
    expect(sink.sum("PutRecords.SuccessfulRecords", LOGS)).toBe(1_000);
    expect(sink.sum("PutRecords.FailedRecords", LOGS)).toBe(200);
    expect(sink.sum("PutRecords.ThrottledRecords", LOGS)).toBe(200);
    // Every PutRecords call had at least one entry accepted.
    expect(sink.find("PutRecords.Success", LOGS)[0]!.statistics).toEqual({ sampleCount: 3, sum: 3, minimum: 1, maximum: 1 });
    // One sample per record written: Sum is the throttled records, Average their share.
    expect(sink.find("WriteProvisionedThroughputExceeded", LOGS)[0]!.statistics).toEqual({ sampleCount: 1_201, sum: 200, minimum: 0, maximum: 1 });
    expect(sink.find("IncomingRecords", LOGS)).toHaveLength(1);
  });

  it("GetRecords: records read, the age of the last one read (Maximum), and read throttling", async () => {
    const { clock, kinesis, sink, op, records } = setUp();
    op("PutRecords", { StreamName: "logs", Records: records(10) });
    await clock.sleep(5_000);
    const shard = (op("ListShards", { StreamName: "logs" }).Shards as { ShardId: string }[])[0]!.ShardId;
    let iterator = op("GetShardIterator", { StreamName: "logs", ShardId: shard, ShardIteratorType: "TRIM_HORIZON" }).ShardIterator as string;
    const first = op("GetRecords", { ShardIterator: iterator, Limit: 4 });
    iterator = first.NextShardIterator as string;
    // A shard takes 5 reads a second: the rest of this second's calls are refused.
    let refused = 0;
    for (let i = 0; i < 6; i++) {
      try {
        iterator = op("GetRecords", { ShardIterator: iterator }).NextShardIterator as string;
      } catch {
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    await clock.sleep(60_000);
    kinesis.publishMetrics();

    expect(sink.sum("GetRecords.Records", LOGS)).toBe(kinesis.metrics().streams.logs!.outgoingRecords);
    expect(sink.sum("GetRecords.Records", LOGS)).toBe(10);
    const age = sink.find("GetRecords.IteratorAgeMilliseconds", LOGS)[0]!;
    expect(age).toMatchObject({ unit: "Milliseconds" });
    expect(age.statistics!.maximum).toBe(5_000);
    expect(age.statistics!.minimum).toBe(0);
    expect(sink.sum("ReadProvisionedThroughputExceeded", LOGS)).toBe(refused);
  });

  it("sends nothing for a minute without calls", async () => {
    const { clock, kinesis, sink } = setUp();
    await clock.sleep(180_000);
    kinesis.publishMetrics();
    expect(sink.datums).toEqual([]);
  });
});

describe("the sandbox's Kinesis publishes into its CloudWatch", () => {
  it("IncomingRecords per minute add up to what the web tasks' shippers put on the stream", async () => {
    const h = await harness(readFileSync(join(import.meta.dirname, "../../../fixtures/stacks/default.yaml"), "utf8"));
    try {
      const before = h.sandbox.kinesis!.metrics().streams["app-logs"]!.incomingRecords;
      const from = Math.ceil(h.clock.now() / 60_000) * 60_000;
      // Everything accepted before the third minute ends; its datum goes out as the next begins.
      await h.advance(from - h.clock.now() + 180_000 - 1);
      const after = h.sandbox.kinesis!.metrics().streams["app-logs"]!.incomingRecords;
      await h.advance(2);
      const points = h.sandbox.metrics.query({ namespace: "AWS/Kinesis", name: "IncomingRecords", dimensions: { StreamName: "app-logs" }, period: 60, start: 0, end: from + 180_000, statistic: parseStatistic("Sum")! });
      expect(points.length).toBeGreaterThan(2);
      expect(points.reduce((n, p) => n + p.value, 0)).toBe(after);
      expect(after).toBeGreaterThan(before);
    } finally {
      await h.close();
    }
  });
});
