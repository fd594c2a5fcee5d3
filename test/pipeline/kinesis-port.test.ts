/**
 * The SDK adapter, exercised with a real KinesisClient whose requests go through the in-process
 * handler to a small PutRecords service on the sandbox's wire layer (awsJson1_1 by X-Amz-Target).
 */
import { afterEach, describe, expect, it } from "vitest";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { Dispatcher } from "../../src/sandbox/protocol/dispatcher.js";
import { AwsServiceError } from "../../src/sandbox/protocol/types.js";
import { AwsClients, LOCAL_CREDENTIALS } from "../../src/aws/clients.js";
import { InProcessHandler } from "../../src/aws/in-process-handler.js";
import { VirtualClock } from "../../src/time/clock.js";
import { SeededRandom } from "../../src/random/random.js";
import { kinesisPortFromClient } from "../../src/pipeline/kinesis-port.js";
import { classifyError } from "../../src/retry/classify.js";
import { makeShipper, range } from "./helpers/harness.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

interface Received {
  stream: string;
  records: { data: string; key: string }[];
}

function kinesisService(behave: (call: number, n: number) => "ok" | "partial" | "throttle") {
  const dispatcher = new Dispatcher();
  const received: Received[] = [];
  dispatcher.addJsonService({
    name: "kinesis",
    targetPrefix: "Kinesis_20131202",
    operations: {
      PutRecords: (input) => {
        const records = (input.Records as { Data: string; PartitionKey: string }[]).map((r) => ({
          data: Buffer.from(r.Data, "base64").toString("utf8"),
          key: r.PartitionKey,
        }));
        const how = behave(received.length, records.length);
        received.push({ stream: input.StreamName as string, records });
        if (how === "throttle") throw new AwsServiceError("ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000000", 400);
        const out = records.map((_, i) =>
          how === "partial" && i % 2 === 1
            ? { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard shardId-000000000001" }
            : { SequenceNumber: `4954${i}`, ShardId: "shardId-000000000000" },
        );
        return { FailedRecordCount: out.filter((r) => "ErrorCode" in r).length, Records: out };
      },
    },
  });
  return { dispatcher, received };
}

function sdkClient(dispatcher: Dispatcher, clock: VirtualClock): KinesisClient {
  return new KinesisClient({
    region: "us-east-1",
    endpoint: "https://sandbox.gameday.local",
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new InProcessHandler(dispatcher.dispatch, clock),
  });
}

describe("kinesisPortFromClient", () => {
  it("maps PutRecords with per-record results aligned by index", async () => {
    const clock = new VirtualClock();
    const { dispatcher, received } = kinesisService(() => "partial");
    const port = kinesisPortFromClient(sdkClient(dispatcher, clock), "logs");
    const out = await port.putRecords([
      { data: Buffer.from('{"a":1}'), partitionKey: "k1" },
      { data: Buffer.from('{"a":2}'), partitionKey: "k2" },
    ]);
    expect(received).toEqual([{ stream: "logs", records: [{ data: '{"a":1}', key: "k1" }, { data: '{"a":2}', key: "k2" }] }]);
    expect(out).toEqual({
      failedRecordCount: 1,
      records: [
        { sequenceNumber: "49540", shardId: "shardId-000000000000" },
        { errorCode: "ProvisionedThroughputExceededException", errorMessage: "Rate exceeded for shard shardId-000000000001" },
      ],
    });
  });

  it("surfaces a whole-call throttle as the SDK's typed error, which the shipper classifies as throttling", async () => {
    const clock = new VirtualClock();
    const { dispatcher, received } = kinesisService(() => "throttle");
    const port = kinesisPortFromClient(sdkClient(dispatcher, clock), "logs");
    const err = await port.putRecords([{ data: Buffer.from("{}"), partitionKey: "k" }]).catch((e: unknown) => e);
    expect((err as Error).name).toBe("ProvisionedThroughputExceededException");
    expect(classifyError(err)).toBe("throttling");
    expect(received).toHaveLength(1); // the SDK did not retry on its own
  });

  it("refuses a client that would retry underneath the shipper", async () => {
    const clock = new VirtualClock();
    const { dispatcher } = kinesisService(() => "ok");
    const retrying = new KinesisClient({
      region: "us-east-1",
      endpoint: "https://sandbox.gameday.local",
      credentials: LOCAL_CREDENTIALS,
      requestHandler: new InProcessHandler(dispatcher.dispatch, clock),
    });
    await expect(kinesisPortFromClient(retrying, "logs").putRecords([])).rejects.toThrow(/maxAttempts 3; expected 1/);
    const clients = new AwsClients({ kind: "local", region: "us-east-1", dispatch: dispatcher.dispatch }, { clock, random: new SeededRandom(1) });
    await expect(kinesisPortFromClient(await clients.kinesis(), "logs").putRecords([])).rejects.toThrow(/gameday's retry middleware/);
    // The way the sandbox builds a shipper's client: the shared config, without the retry plugin.
    const plain = new KinesisClient(await clients.baseConfig());
    await expect(kinesisPortFromClient(plain, "logs").putRecords([])).resolves.toMatchObject({ failedRecordCount: 0 });
  });

  it("drives a Shipper end to end in virtual time, resending only failed entries", async () => {
    const clock = new VirtualClock();
    const { dispatcher, received } = kinesisService((call) => (call === 0 ? "partial" : "ok"));
    const port = kinesisPortFromClient(sdkClient(dispatcher, clock), "logs");
    const { shipper } = makeShipper(dirs.make(), { kinesis: port }, { clock });
    for (const i of range(10)) shipper.write({ i });
    await shipper.flush();
    const ids = (r: Received) => r.records.map((x) => (JSON.parse(x.data) as { i: number }).i);
    expect(ids(received[0]!)).toEqual(range(10));
    expect(ids(received[1]!)).toEqual([1, 3, 5, 7, 9]);
    expect(shipper.metrics()).toMatchObject({ delivered: 10, resent: 5 });
    await shipper.close();
  });
});
