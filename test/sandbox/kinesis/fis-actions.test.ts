import { describe, expect, it } from "vitest";
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { FisRegistry } from "../../../src/sandbox/services/fis/registry.js";
import type { KinesisConfig } from "../../../src/sandbox/services/kinesis/index.js";
import { ACCOUNT, bytes, kinesisHarness, rejection, resource, startAction, type Harness } from "./harness.js";

const STREAM_ARN = (name: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;
const ROLE_ARN = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const SUBNET_ARN = (id: string) => `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/${id}`;
const PRODUCER_KEY = "AKIDPRODUCER00000001";
const CONSUMER_KEY = "AKIDCONSUMER00000001";

const CONFIG: KinesisConfig = {
  streams: [
    { name: "logs", shards: 2, tags: { chaos: "ok" } },
    { name: "audit", shards: 1 },
  ],
  roles: [
    { name: "log-producer", accessKeyIds: [PRODUCER_KEY] },
    { name: "log-consumer", accessKeyIds: [CONSUMER_KEY] },
  ],
  subnets: [
    { id: "subnet-aaa", az: "us-east-1a", azId: "use1-az1" },
    { id: "subnet-bbb", az: "us-east-1b", azId: "use1-az2" },
  ],
};

async function setup(config: KinesisConfig = CONFIG, seed = 7) {
  const h = await kinesisHarness(config, { seed });
  const registry = new FisRegistry();
  h.kinesis.registerFis(registry);
  return { h, registry };
}

const put = (c: KinesisClient, stream = "logs") => c.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "k", Data: bytes("x") }));
const putMany = (c: KinesisClient, n: number, stream = "logs") =>
  c.send(new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: n }, (_, i) => ({ PartitionKey: `k${i}`, Data: bytes("x") })) }));
const shardIterator = (c: KinesisClient, stream = "logs") =>
  c.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }));

describe("FIS resource types", () => {
  it("aws:kinesis:stream offers every stream with its DescribeStreamSummary shape and tags", async () => {
    const { registry } = await setup();
    const streams = registry.resourceType("aws:kinesis:stream")!.candidates({});
    expect(streams.map((s) => s.arn)).toEqual([STREAM_ARN("audit"), STREAM_ARN("logs")]);
    const logs = streams[1]!;
    expect(logs.tags).toEqual({ chaos: "ok" });
    expect(logs.describe).toMatchObject({ StreamName: "logs", StreamStatus: "ACTIVE", StreamModeDetails: { StreamMode: "PROVISIONED" }, OpenShardCount: 2 });
  });

  it("aws:iam:role offers the configured roles, the default role and the FIS role gameday names", async () => {
    const { registry } = await setup();
    const roles = registry.resourceType("aws:iam:role")!.candidates({});
    expect(roles.map((r) => r.arn)).toEqual([ROLE_ARN("gameday-sandbox"), ROLE_ARN("log-producer"), ROLE_ARN("log-consumer"), ROLE_ARN("gameday-fis")]);
    expect(roles[1]!.describe).toMatchObject({ RoleName: "log-producer", Arn: ROLE_ARN("log-producer") });
  });

  it("aws:ec2:subnet offers the configured subnets, narrowed by availabilityZoneIdentifier (name or id)", async () => {
    const { registry } = await setup();
    const type = registry.resourceType("aws:ec2:subnet")!;
    expect(type.candidates({}).map((s) => s.arn)).toEqual([SUBNET_ARN("subnet-aaa"), SUBNET_ARN("subnet-bbb")]);
    expect(type.candidates({ availabilityZoneIdentifier: "us-east-1b" }).map((s) => s.arn)).toEqual([SUBNET_ARN("subnet-bbb")]);
    expect(type.candidates({ availabilityZoneIdentifier: "use1-az1" }).map((s) => s.arn)).toEqual([SUBNET_ARN("subnet-aaa")]);
    expect(type.candidates({ availabilityZoneIdentifier: "us-east-1a" })[0]!.describe).toMatchObject({ SubnetId: "subnet-aaa", AvailabilityZone: "us-east-1a", State: "available" });
  });
});

describe("aws:kinesis:stream-provisioned-throughput-exception", () => {
  it("at 100% fails GetRecords, GetShardIterator, PutRecord and PutRecords on the target stream for its duration, then lifts", async () => {
    const { h, registry } = await setup();
    const it0 = (await shardIterator(h.client)).ShardIterator!;
    const started = h.clock.now();
    const run = startAction(registry, h.kernel, "aws:kinesis:stream-provisioned-throughput-exception", { duration: "PT1M", percentage: "100" }, { KinesisStreams: [resource(STREAM_ARN("logs"))] });
    for (const call of [put(h.client), putMany(h.client, 3), shardIterator(h.client), h.client.send(new GetRecordsCommand({ ShardIterator: it0 }))]) {
      const err = await rejection(call);
      expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
    // Another stream is untouched.
    expect((await put(h.client, "audit")).SequenceNumber).toBeDefined();
    expect(h.kinesis.metrics().injected.calls).toEqual({ ProvisionedThroughputExceededException: 4 });
    await h.advance(60_000);
    expect(h.clock.now() - started).toBe(60_000);
    expect(run.done()).toBe(true);
    expect((await put(h.client)).SequenceNumber).toBeDefined();
    expect((await putMany(h.client, 3)).FailedRecordCount).toBe(0);
  });

  it("stop() lifts it at once", async () => {
    const { h, registry } = await setup();
    const run = startAction(registry, h.kernel, "aws:kinesis:stream-provisioned-throughput-exception", { duration: "PT10M", percentage: "100" }, { KinesisStreams: [resource(STREAM_ARN("logs"))] });
    await rejection(put(h.client));
    run.run.stop();
    expect((await put(h.client)).SequenceNumber).toBeDefined();
    await h.advance(10 * 60_000);
    expect(run.done()).toBe(false);
  });

  it("fails about that percentage of calls", async () => {
    const { h, registry } = await setup();
    startAction(registry, h.kernel, "aws:kinesis:stream-provisioned-throughput-exception", { duration: "PT10M", percentage: "30" }, { KinesisStreams: [resource(STREAM_ARN("logs"))] });
    let failed = 0;
    for (let i = 0; i < 400; i++) {
      await put(h.client).catch(() => failed++);
      if (i % 100 === 99) await h.advance(1_000);
    }
    expect(failed).toBeGreaterThan(80);
    expect(failed).toBeLessThan(160);
  });

  it("with putRecordsThroughputFault per-record, PutRecords answers 200 with throttled entries instead", async () => {
    const { h, registry } = await setup({ ...CONFIG, faults: { putRecordsThroughputFault: "per-record" } });
    startAction(registry, h.kernel, "aws:kinesis:stream-provisioned-throughput-exception", { duration: "PT1M", percentage: "100" }, { KinesisStreams: [resource(STREAM_ARN("logs"))] });
    const out = await putMany(h.client, 3);
    expect(out.FailedRecordCount).toBe(3);
    expect(out.Records!.every((r) => r.ErrorCode === "ProvisionedThroughputExceededException" && /^Rate exceeded for shard shardId-00000000000[01] in stream logs under account/.test(r.ErrorMessage!))).toBe(true);
    expect(await rejection(put(h.client))).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(h.kinesis.metrics().injected.records).toEqual({ ProvisionedThroughputExceededException: 3 });
  });

  it("the same seed injects the same failures into the same calls", async () => {
    async function pattern(seed: number): Promise<string> {
      const { h, registry } = await setup(CONFIG, seed);
      startAction(registry, h.kernel, "aws:kinesis:stream-provisioned-throughput-exception", { duration: "PT10M", percentage: "50" }, { KinesisStreams: [resource(STREAM_ARN("logs"))] });
      let out = "";
      for (let i = 0; i < 60; i++) out += await put(h.client).then(() => ".", () => "x");
      return out;
    }
    const a = await pattern(11);
    expect(await pattern(11)).toBe(a);
    expect(a).toMatch(/x/);
    expect(a).toMatch(/\./);
    expect(await pattern(12)).not.toBe(a);
  });
});

describe("aws:kinesis:stream-expired-iterator-exception", () => {
  it("fails GetRecords with ExpiredIteratorException (and nothing else) for its duration", async () => {
    const { h, registry } = await setup();
    const it0 = (await shardIterator(h.client)).ShardIterator!;
    startAction(registry, h.kernel, "aws:kinesis:stream-expired-iterator-exception", { duration: "PT2M", percentage: "100" }, { KinesisStreams: [resource(STREAM_ARN("logs"))] });
    const err = await rejection(h.client.send(new GetRecordsCommand({ ShardIterator: it0 })));
    expect(err).toBeInstanceOf(ExpiredIteratorException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toMatch(/^Iterator expired\./);
    expect((await shardIterator(h.client)).ShardIterator).toBeDefined();
    const written = await h.client.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", ExplicitHashKey: "0", Data: bytes("x") }));
    expect(written.ShardId).toBe("shardId-000000000000");
    await h.advance(2 * 60_000);
    const fresh = (await shardIterator(h.client)).ShardIterator!;
    expect((await h.client.send(new GetRecordsCommand({ ShardIterator: fresh }))).Records).toHaveLength(1);
  });
});

describe("aws:fis:inject-api-*-error with service kinesis", () => {
  const roles = (name: string) => ({ Roles: [resource(ROLE_ARN(name))] });

  for (const [actionId, name, status] of [
    ["aws:fis:inject-api-throttle-error", "ThrottlingException", 400],
    ["aws:fis:inject-api-unavailable-error", "ServiceUnavailable", 503],
    ["aws:fis:inject-api-internal-error", "InternalFailure", 500],
  ] as const) {
    it(`${actionId}: the targeted role's listed operations fail with ${name} (${status}); other roles and operations do not`, async () => {
      const { h, registry } = await setup();
      const producer = await h.clientAs(PRODUCER_KEY);
      const consumer = await h.clientAs(CONSUMER_KEY);
      const run = startAction(registry, h.kernel, actionId, { duration: "PT5M", service: "kinesis", percentage: "100", operations: "PutRecords,GetRecords" }, roles("log-producer"));
      const err = await rejection(putMany(producer, 2));
      expect(err.name).toBe(name);
      expect(err.$metadata.httpStatusCode).toBe(status);
      expect((await put(producer)).SequenceNumber).toBeDefined(); // PutRecord is not listed
      expect((await putMany(consumer, 2)).FailedRecordCount).toBe(0); // another role
      expect((await putMany(h.client, 2)).FailedRecordCount).toBe(0); // the default role
      expect(h.kinesis.metrics().injected.calls).toEqual({ [name]: 1 });
      await h.advance(5 * 60_000);
      expect(run.done()).toBe(true);
      expect((await putMany(producer, 2)).FailedRecordCount).toBe(0);
    });
  }

  it("callers whose key maps to no role act as the default role, which can be targeted too", async () => {
    const { h, registry } = await setup();
    startAction(registry, h.kernel, "aws:fis:inject-api-throttle-error", { duration: "PT5M", service: "kinesis", percentage: "100", operations: "PutRecord" }, roles("gameday-sandbox"));
    expect((await rejection(put(h.client))).name).toBe("ThrottlingException");
    expect((await rejection(put(await h.clientAs("AKIDSOMEONEELSE00001")))).name).toBe("ThrottlingException");
    expect((await put(await h.clientAs(PRODUCER_KEY))).SequenceNumber).toBeDefined();
  });

  it("checks its parameters as FIS does: service ec2 or kinesis, percentage 1..100, comma-separated operations, PT1M..PT12H", async () => {
    const { registry } = await setup();
    const params = registry.action("aws:fis:inject-api-throttle-error")!.parameters;
    expect(params["service"]!.check!("dynamodb")).toBe("Invalid value 'dynamodb' for parameter service. The supported values are ec2 and kinesis.");
    expect(params["service"]!.check!("ec2")).toBeUndefined();
    expect(params["percentage"]!.check!("0")).toMatch(/expected an integer percentage from 1 to 100, found '0'/);
    expect(params["percentage"]!.check!("101")).toBeDefined();
    expect(params["operations"]!.check!("PutRecord, PutRecords")).toMatch(/without spaces/);
    expect(params["operations"]!.check!("PutRecord,PutRecords")).toBeUndefined();
    expect(params["duration"]!.check!("PT30S")).toMatch(/from PT1M to PT12H/);
    expect(params["duration"]!.check!("PT13H")).toMatch(/from PT1M to PT12H/);
    expect(params["duration"]!.check!("PT12H")).toBeUndefined();
  });

  it("fails at start, with ConfigurationFailure, for service ec2 (not emulated) and for names that are not Kinesis operations", async () => {
    const { h, registry } = await setup();
    const ec2 = startAction(registry, h.kernel, "aws:fis:inject-api-internal-error", { duration: "PT5M", service: "ec2", percentage: "100", operations: "DescribeInstances" }, roles("log-producer"));
    expect(ec2.failure()).toEqual({ reason: "the sandbox emulates aws:fis:inject-api-internal-error for service kinesis only; service ec2 has no emulated API here", code: "ConfigurationFailure" });
    const typo = startAction(registry, h.kernel, "aws:fis:inject-api-internal-error", { duration: "PT5M", service: "kinesis", percentage: "100", operations: "PutRecord,PutRecordz" }, roles("log-producer"));
    expect(typo.failure()).toEqual({ reason: "operations: PutRecordz is not a Kinesis API operation", code: "ConfigurationFailure" });
  });
});

describe("aws:network:disrupt-connectivity", () => {
  async function subnetClients(h: Harness) {
    return { inA: await h.clientAs(PRODUCER_KEY, { subnet: "subnet-aaa" }), inB: await h.clientAs(PRODUCER_KEY, { subnet: "subnet-bbb" }) };
  }

  it("scope all: Kinesis calls from the target subnets time out for the duration; other callers are unaffected", async () => {
    const { h, registry } = await setup();
    const { inA, inB } = await subnetClients(h);
    const run = startAction(registry, h.kernel, "aws:network:disrupt-connectivity", { duration: "PT2M", scope: "all" }, { Subnets: [resource(SUBNET_ARN("subnet-aaa"))] });
    const before = h.clock.now();
    const err = await rejection(put(inA));
    expect(err.name).toBe("TimeoutError");
    expect(h.clock.now() - before).toBe(5_000);
    expect((await put(inB)).SequenceNumber).toBeDefined();
    expect((await put(h.client)).SequenceNumber).toBeDefined();
    expect(h.kinesis.metrics().injected.outages).toEqual({ timeout: 1, refused: 0 });
    await h.advance(2 * 60_000);
    expect(run.done()).toBe(true);
    expect((await put(inA)).SequenceNumber).toBeDefined();
  });

  it("scopes that do not cover the Kinesis endpoint (s3, dynamodb, ...) leave Kinesis calls alone", async () => {
    const { h, registry } = await setup();
    const { inA } = await subnetClients(h);
    const run = startAction(registry, h.kernel, "aws:network:disrupt-connectivity", { duration: "PT2M", scope: "s3" }, { Subnets: [resource(SUBNET_ARN("subnet-aaa"))] });
    expect((await put(inA)).SequenceNumber).toBeDefined();
    expect(run.failure()).toBeUndefined();
  });

  it("refuses an unknown scope", async () => {
    const { registry } = await setup();
    const scope = registry.action("aws:network:disrupt-connectivity")!.parameters["scope"]!;
    expect(scope.check!("everything")).toMatch(/expected one of all, availability-zone, .* found 'everything'/);
  });
});
