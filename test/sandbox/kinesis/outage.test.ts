import { describe, expect, it } from "vitest";
import { PutRecordCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { bytes, kinesisHarness, rejection } from "./harness.js";

const CONFIG = {
  streams: [{ name: "logs", shards: 1 }],
  subnets: [
    { id: "subnet-aaa", az: "us-east-1a" },
    { id: "subnet-bbb", az: "us-east-1b" },
  ],
};
const put = (c: KinesisClient) => c.send(new PutRecordCommand({ StreamName: "logs", PartitionKey: "k", Data: bytes("x") }));

describe("the outage switch", () => {
  it("timeout: the SDK gives up with a TimeoutError after its request timeout on the virtual clock, and nothing is written", async () => {
    const h = await kinesisHarness(CONFIG, { requestTimeoutMs: 7_000 });
    h.kinesis.setOutage("timeout");
    const before = h.clock.now();
    const err = await rejection(put(h.client));
    expect(err.name).toBe("TimeoutError");
    expect(h.clock.now() - before).toBe(7_000);
    expect(h.kinesis.metrics().streams["logs"]!.incomingRecords).toBe(0);
    expect(h.kinesis.metrics().injected.outages.timeout).toBe(1);
  });

  it("refused: the SDK fails at once with ECONNREFUSED", async () => {
    const h = await kinesisHarness(CONFIG);
    h.kinesis.setOutage("refused");
    const before = h.clock.now();
    const err = await rejection(put(h.client));
    expect(err.code).toBe("ECONNREFUSED");
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(h.clock.now()).toBe(before);
  });

  it("undefined ends it, and a new effect replaces the old one", async () => {
    const h = await kinesisHarness(CONFIG);
    h.kinesis.setOutage("timeout");
    h.kinesis.setOutage("refused");
    expect((await rejection(put(h.client))).code).toBe("ECONNREFUSED");
    h.kinesis.setOutage(undefined);
    expect((await put(h.client)).SequenceNumber).toBeDefined();
  });

  it("scoped to subnets, it cuts off only callers that say they are in one of them", async () => {
    const h = await kinesisHarness(CONFIG);
    h.kinesis.setOutage("refused", { subnets: ["subnet-aaa"] });
    const inA = await h.clientAs("AKIDPRODUCER00000001", { subnet: "subnet-aaa" });
    const inB = await h.clientAs("AKIDPRODUCER00000001", { subnet: "subnet-bbb" });
    expect((await rejection(put(inA))).code).toBe("ECONNREFUSED");
    expect((await put(inB)).SequenceNumber).toBeDefined();
    expect((await put(h.client)).SequenceNumber).toBeDefined();
  });

  it("the outage covers Kinesis only: other services on the same dispatcher still answer", async () => {
    const h = await kinesisHarness(CONFIG);
    h.dispatcher.addJsonService({ name: "ecs", targetPrefix: "AmazonEC2ContainerServiceV20141113", operations: { ListClusters: () => ({ clusterArns: [] }) } });
    h.kinesis.setOutage("refused");
    const res = h.dispatcher.dispatch({ method: "POST", path: "/", query: {}, headers: { "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters" }, body: "{}" });
    expect(res).toMatchObject({ statusCode: 200 });
  });

  it("refuses subnets it does not know and effects it does not have", async () => {
    const h = await kinesisHarness(CONFIG);
    expect(() => h.kinesis.setOutage("timeout", { subnets: ["subnet-zzz"] })).toThrow("setOutage: subnet 'subnet-zzz' is not in the kinesis configuration's subnets");
    expect(() => h.kinesis.setOutage("slow" as never)).toThrow('setOutage: expected "timeout", "refused" or undefined, found "slow"');
  });
});

describe("PutRecords partial failures by direct switch", () => {
  it("injectRecordFailures fails that share of entries with the given ErrorCode until lifted", async () => {
    const h = await kinesisHarness(CONFIG);
    const lift = h.kinesis.injectRecordFailures("logs", { percentage: 100, errorCode: "InternalFailure" });
    const out = await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: [{ PartitionKey: "a", Data: bytes("1") }, { PartitionKey: "b", Data: bytes("2") }] }));
    expect(out.FailedRecordCount).toBe(2);
    expect(out.Records).toEqual([
      { ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure." },
      { ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure." },
    ]);
    lift();
    const ok = await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: [{ PartitionKey: "a", Data: bytes("1") }] }));
    expect(ok.FailedRecordCount).toBe(0);
  });
});
