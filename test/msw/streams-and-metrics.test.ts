/**
 * Kinesis and CloudWatch as the toolkit calls them on real AWS, against recorded responses: the
 * log shipper's PutRecords (its own client, one attempt a call), the stream reader, the CloudWatch
 * metric sink of the HTTP load generator, and the stop-condition alarms' history.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer } from "./aws-handlers.js";
import { awsClients, awsEnv } from "./env.js";
import { createShipperKinesisClient, kinesisPortFromClient } from "../../src/pipeline/kinesis-port.js";
import { StreamReader } from "../../src/aws/kinesis-reader.js";
import { CloudWatchSink } from "../../src/aws/cloudwatch-sink.js";
import { alarmsThatFired } from "../../src/aws/stop-alarms.js";
import { RealClock } from "../../src/time/clock.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
afterEach(() => vi.unstubAllEnvs());

const entries = [
  { data: new TextEncoder().encode('{"msg":"a"}'), partitionKey: "web-1" },
  { data: new TextEncoder().encode('{"msg":"b"}'), partitionKey: "web-2" },
];

describe("the log shipper's PutRecords on AWS", () => {
  const port = () => kinesisPortFromClient(createShipperKinesisClient({ region: "us-east-1" }), "app-logs");

  it("maps every record's outcome in request order, a partial failure's too (over HTTP/1.1, which msw sees)", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("kinesis", "PutRecords", ["ok", "partial"]);
    const p = port();
    expect(await p.putRecords(entries)).toEqual({
      failedRecordCount: 0,
      records: [
        { sequenceNumber: "49543463076548007577105092703039560359975228518395019266", shardId: "shardId-000000000000" },
        { sequenceNumber: "49543463076570308322303623326179887152428262250726293522", shardId: "shardId-000000000000" },
      ],
    });
    const partial = await p.putRecords(entries);
    expect(partial.failedRecordCount).toBe(1);
    expect(partial.records[0]).toMatchObject({ errorCode: "ProvisionedThroughputExceededException" });
    const sent = aws.callsTo("kinesis", "PutRecords")[0]!.body as { StreamName: string; Records: { Data: string; PartitionKey: string }[] };
    expect(sent.StreamName).toBe("app-logs");
    expect(sent.Records.map((r) => [Buffer.from(r.Data, "base64").toString(), r.PartitionKey])).toEqual([['{"msg":"a"}', "web-1"], ['{"msg":"b"}', "web-2"]]);
  });

  it.each(["throttled", "internal-failure", "service-unavailable"])("%s: one attempt, then the error to the shipper (its own retry decides)", async (kase) => {
    awsEnv();
    const aws = new AwsScenario(server).reply("kinesis", "PutRecords", kase);
    await expect(port().putRecords(entries)).rejects.toMatchObject({ $metadata: { httpStatusCode: kase === "throttled" ? 400 : kase === "internal-failure" ? 500 : 503 } });
    expect(aws.callsTo("kinesis", "PutRecords")).toHaveLength(1);
  });
});

describe("reading a stream on AWS", () => {
  it("lists shards, starts at the trim horizon and reads to the tip", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("kinesis", "ListShards", "one").reply("kinesis", "GetShardIterator", "ok").reply("kinesis", "GetRecords", "two");
    const clients = awsClients();
    const seen: string[] = [];
    const report = await new StreamReader(await clients.kinesis(), "app-logs", new RealClock()).readNew((d) => seen.push(new TextDecoder().decode(d)));
    await clients.destroy();
    expect(seen).toEqual(['{"level":30,"msg":"hello"}', '{"level":30,"msg":"world"}']);
    expect(report).toMatchObject({ records: 2, shards: 1, complete: true, millisBehindLatest: 0 });
    expect(aws.callsTo("kinesis", "GetShardIterator")[0]!.body).toEqual({ StreamName: "app-logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
  });
});

describe("reading a stream on AWS from a checkpoint", () => {
  it("reads on after its checkpoint; when Kinesis refuses a checkpoint past the stream's retention, reads on from the trim horizon and says so", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("kinesis", "ListShards", "one").reply("kinesis", "GetShardIterator", ["ok", "expired-sequence", "ok"]).reply("kinesis", "GetRecords", "two");
    const clients = awsClients();
    const reader = new StreamReader(await clients.kinesis(), "app-logs", new RealClock());
    let read = 0;
    expect(await reader.readNew(() => read++)).toMatchObject({ records: 2, expiredCheckpoints: [] });
    const resumed = await reader.readNew(() => read++);
    await clients.destroy();
    expect(resumed).toMatchObject({ records: 2, complete: true, expiredCheckpoints: ["shardId-000000000000"] });
    expect(aws.callsTo("kinesis", "GetShardIterator").map((c) => c.body)).toEqual([
      { StreamName: "app-logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" },
      { StreamName: "app-logs", ShardId: "shardId-000000000000", ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: "49543463076570308322303623326179887152428262250726293522" },
      { StreamName: "app-logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" },
    ]);
  });
});

describe("CloudWatch on AWS", () => {
  it("the metric sink's PutMetricData is retried through throttling and publishes every datum", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("cloudwatch", "PutMetricData", ["throttled", "ok"]);
    const clients = awsClients();
    const sink = new CloudWatchSink(() => clients.cloudwatch());
    sink.put({ namespace: "Gameday/LoadGenerator", name: "RequestCount", dimensions: { Service: "web" }, timestamp: 1_764_979_200_000, value: 12, unit: "Count", storageResolution: 1 });
    await sink.flush();
    await clients.destroy();
    expect(sink.stats).toMatchObject({ calls: 1, published: 1, failed: 0 });
    const calls = aws.callsTo("cloudwatch", "PutMetricData");
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body).toMatchObject({ Namespace: "Gameday/LoadGenerator", MetricData: [{ MetricName: "RequestCount", Dimensions: [{ Name: "Service", Value: "web" }], Timestamp: 1_764_979_200, Value: 12, Unit: "Count", StorageResolution: 1 }] });
  });

  it("an alarm's history says it fired, with CloudWatch's reason", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("cloudwatch", "DescribeAlarmHistory", "to-alarm");
    const clients = awsClients();
    const fired = await alarmsThatFired(await clients.cloudwatch(), ["gameday-task-kill-0000002a-web-not-on-fire"], 1_764_979_200_500);
    await clients.destroy();
    expect(fired).toEqual([{ name: "gameday-task-kill-0000002a-web-not-on-fire", reason: expect.stringMatching(/^Threshold Crossed: 1 out of the last 1 datapoints/) }]);
    expect(aws.callsTo("cloudwatch", "DescribeAlarmHistory")[0]!.body).toMatchObject({ AlarmName: "gameday-task-kill-0000002a-web-not-on-fire", HistoryItemType: "StateUpdate", StartDate: 1_764_979_200, ScanBy: "TimestampAscending" });
  });
});

describe("CloudWatch on AWS, large batches", () => {
  it("a gzipped PutMetricData (10 KiB and more) carries every datum", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("cloudwatch", "PutMetricData", "ok");
    const clients = awsClients();
    const sink = new CloudWatchSink(() => clients.cloudwatch());
    for (let i = 0; i < 300; i++) sink.put({ namespace: "Gameday/LoadGenerator", name: "RequestCount", dimensions: { Service: `web-${i}` }, timestamp: 1_764_979_200_000, value: i, unit: "Count" });
    await sink.flush();
    await clients.destroy();
    expect(sink.stats).toMatchObject({ published: 300, failed: 0 });
    expect((aws.callsTo("cloudwatch", "PutMetricData")[0]!.body as { MetricData: unknown[] }).MetricData).toHaveLength(300);
  });
});
