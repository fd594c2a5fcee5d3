/**
 * The load generator's metrics reach the target's CloudWatch in PutMetricData calls: batched (at most
 * 1000 datums a call, one namespace a call), and a failing call is counted, never thrown at the caller.
 */
import { describe, expect, it } from "vitest";
import type { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchSink, type SinkDatum } from "../../src/aws/cloudwatch-sink.js";

type Input = PutMetricDataCommand["input"];

/** A CloudWatch client that records each PutMetricData input and fails those `fail` picks. */
function recordingClient(fail: (input: Input) => boolean = () => false): { calls: Input[]; client: () => Promise<CloudWatchClient> } {
  const calls: Input[] = [];
  const cw = {
    send: async (command: PutMetricDataCommand) => {
      calls.push(command.input);
      if (fail(command.input)) throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
      return {};
    },
  };
  return { calls, client: async () => cw as unknown as CloudWatchClient };
}

const datum = (namespace: string, i: number): SinkDatum => ({
  namespace,
  name: "RequestCount",
  dimensions: { Service: "web" },
  timestamp: Date.UTC(2026, 0, 1, 0, 0, i % 60),
  value: i,
  unit: "Count",
  storageResolution: 1,
});

describe("CloudWatchSink", () => {
  it("sends what is put in one turn together: one namespace a call, at most 1000 datums a call", async () => {
    const { calls, client } = recordingClient();
    const sink = new CloudWatchSink(client);
    for (let i = 0; i < 2500; i++) sink.put(datum("Gameday/LoadGenerator", i));
    for (let i = 0; i < 3; i++) sink.put(datum("Other", i));
    await sink.flush();
    expect(calls.map((c) => [c.Namespace, c.MetricData!.length])).toEqual([
      ["Gameday/LoadGenerator", 1000],
      ["Gameday/LoadGenerator", 1000],
      ["Gameday/LoadGenerator", 500],
      ["Other", 3],
    ]);
    expect(sink.stats).toMatchObject({ calls: 4, published: 2503, failed: 0 });
  });

  it("puts each datum as PutMetricData's MetricDatum: dimensions, time, unit, resolution, values and counts", async () => {
    const { calls, client } = recordingClient();
    const sink = new CloudWatchSink(client);
    sink.put({ namespace: "N", name: "TargetResponseTime", dimensions: { Service: "web" }, timestamp: 1_700_000_001_000, values: [0.1, 0.2], counts: [3, 1], unit: "Seconds", storageResolution: 1 });
    await sink.flush();
    expect(calls[0]!.MetricData).toEqual([
      { MetricName: "TargetResponseTime", Dimensions: [{ Name: "Service", Value: "web" }], Timestamp: new Date(1_700_000_001_000), Values: [0.1, 0.2], Counts: [3, 1], Unit: "Seconds", StorageResolution: 1 },
    ]);
  });

  it("counts the datums of a failed call and keeps the error, without throwing", async () => {
    const { client } = recordingClient((input) => input.Namespace === "Bad");
    const sink = new CloudWatchSink(client);
    sink.put(datum("Bad", 1));
    sink.put(datum("Bad", 2));
    sink.put(datum("Good", 3));
    await expect(sink.flush()).resolves.toBeUndefined();
    expect(sink.stats).toEqual({ calls: 2, published: 1, failed: 2, lastError: "Throttling: Rate exceeded" });
  });

  it("tells its listeners the datums of each call CloudWatch accepted, never those of a failed one", async () => {
    const { client } = recordingClient((input) => input.Namespace === "Bad");
    const sink = new CloudWatchSink(client);
    const stored: number[] = [];
    sink.onStored((datums) => stored.push(...datums.map((d) => d.value!)));
    sink.put(datum("Bad", 1));
    sink.put(datum("Good", 2));
    sink.put(datum("Good", 3));
    await sink.flush();
    expect(stored).toEqual([2, 3]);
  });

  it("puts made in later turns go in later calls", async () => {
    const { calls, client } = recordingClient();
    const sink = new CloudWatchSink(client);
    sink.put(datum("N", 1));
    await Promise.resolve();
    await Promise.resolve();
    sink.put(datum("N", 2));
    await sink.flush();
    expect(calls.map((c) => c.MetricData!.length)).toEqual([1, 1]);
  });
});

describe("pre-aggregated datums", () => {
  it("go out as StatisticValues, so a publisher that aggregates itself loses nothing on the way", async () => {
    const sent: unknown[] = [];
    const client = { send: async (cmd: { input: unknown }) => void sent.push(cmd.input) } as unknown as CloudWatchClient;
    const sink = new CloudWatchSink(async () => client);
    sink.put({ namespace: "App", name: "Lat", dimensions: {}, timestamp: 0, statistics: { sampleCount: 3, sum: 6, minimum: 1, maximum: 3 } });
    await sink.flush();
    expect(sent).toEqual([
      expect.objectContaining({ Namespace: "App", MetricData: [expect.objectContaining({ MetricName: "Lat", StatisticValues: { SampleCount: 3, Sum: 6, Minimum: 1, Maximum: 3 } })] }),
    ]);
  });
});
