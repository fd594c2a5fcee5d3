/**
 * log-delivery's CloudWatch reads against `--target aws` clients on recorded responses: each
 * shipper boot's gauges (BootGaugeReader: ListMetrics, then GetMetricData at 1 s and per minute
 * for boots with no 1-second line), and CloudWatch throttling on GetMetricData retried.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer, fixture, withBody, type RecordedCall } from "./aws-handlers.js";
import { awsClients, awsEnv } from "./env.js";
import { BootGaugeReader } from "../../src/aws/kinesis-metrics.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
afterEach(() => vi.unstubAllEnvs());

const NOW = Date.UTC(2026, 11, 6, 6, 0, 0);
const FROM = NOW - 10 * 60_000;
const LOOKBACK = 2 * 60_000;
/** web-1's boot published at 1 s half a minute ago; web-2's only per minute, five minutes ago. */
const FINE_AT = NOW - 30_000;
const MINUTE_AT = Math.floor((NOW - 5 * 60_000) / 60_000) * 60_000;
const LINES: Record<string, { period: number; at: number; values: Record<string, number> }> = {
  "b-0001": { period: 1, at: FINE_AT, values: { Accepted: 120, DeliveredTotal: 118, InMemory: 2, InFlight: 0, SpoolRecords: 0, DroppedTotal: 0, DeadLettered: 0 } },
  "b-0002": { period: 60, at: MINUTE_AT, values: { Accepted: 40, DeliveredTotal: 40, InMemory: 0, InFlight: 0, SpoolRecords: 0, DroppedTotal: 0, DeadLettered: 0 } },
};

type Query = { Id: string; MetricStat: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number } };

/** GetMetricData as CloudWatch answers for the two boots: a series has a point only at the period its boot published at. */
function gauges(call: RecordedCall) {
  const queries = (call.body as { MetricDataQueries: Query[] }).MetricDataQueries;
  return withBody(fixture("cloudwatch", "GetMetricData", "complete"), (b) => {
    b.MetricDataResults = queries.map((q) => {
      const boot = q.MetricStat.Metric.Dimensions.find((d) => d.Name === "Boot")!.Value;
      const line = LINES[boot]!;
      const has = line.period === q.MetricStat.Period;
      return { Id: q.Id, Label: q.MetricStat.Metric.MetricName, Timestamps: has ? [line.at / 1000] : [], Values: has ? [line.values[q.MetricStat.Metric.MetricName]] : [], StatusCode: "Complete" };
    });
  });
}

const EXPECTED = [
  { host: "web-1", boot: "b-0001", at: FINE_AT, coarse: false, accepted: 120, delivered: 118, inMemory: 2, inFlight: 0, spoolRecords: 0, dropped: 0, deadLettered: 0 },
  { host: "web-2", boot: "b-0002", at: MINUTE_AT, coarse: true, accepted: 40, delivered: 40, inMemory: 0, inFlight: 0, spoolRecords: 0, dropped: 0, deadLettered: 0 },
];

async function readBoots(aws: AwsScenario) {
  const clients = awsClients();
  try {
    const reader = new BootGaugeReader(await clients.cloudwatch(), "Gameday/LogShipper", "app-logs", FROM, LOOKBACK);
    const boots = await reader.read(NOW);
    expect(aws.unhandled).toEqual([]);
    return boots;
  } finally {
    await clients.destroy();
  }
}

describe("log-delivery's CloudWatch reads on AWS", () => {
  it("finds each shipper boot by ListMetrics and reads its newest line: at 1 s where there is one, else per minute", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("cloudwatch", "ListMetrics", "boots").reply("cloudwatch", "GetMetricData", gauges);
    expect(await readBoots(aws)).toEqual(EXPECTED);
    expect(aws.callsTo("cloudwatch", "ListMetrics").map((c) => c.body)).toEqual([{ Namespace: "Gameday/LogShipper", MetricName: "Accepted", Dimensions: [{ Name: "Stream", Value: "app-logs" }] }]);
    // One 1-second query set for both boots (the two-dimension aggregate is not a boot), then per minute for web-2's alone.
    const [fine, minutes] = aws.callsTo("cloudwatch", "GetMetricData").map((c) => (c.body as { MetricDataQueries: Query[]; ScanBy: string }));
    expect(fine!.MetricDataQueries).toHaveLength(14);
    expect(new Set(fine!.MetricDataQueries.map((q) => q.MetricStat.Period))).toEqual(new Set([1]));
    expect(fine!.ScanBy).toBe("TimestampDescending");
    expect(minutes!.MetricDataQueries).toHaveLength(7);
    expect(new Set(minutes!.MetricDataQueries.map((q) => q.MetricStat.Metric.Dimensions.find((d) => d.Name === "Boot")!.Value))).toEqual(new Set(["b-0002"]));
    expect(new Set(minutes!.MetricDataQueries.map((q) => q.MetricStat.Period))).toEqual(new Set([60]));
  });

  it("CloudWatch throttling on GetMetricData is retried, and the reading is the same", async () => {
    awsEnv();
    const aws = new AwsScenario(server).reply("cloudwatch", "ListMetrics", "boots").reply("cloudwatch", "GetMetricData", (call, n) => (n === 0 ? fixture("cloudwatch", "GetMetricData", "throttled").response : gauges(call)));
    expect(await readBoots(aws)).toEqual(EXPECTED);
    expect(aws.callsTo("cloudwatch", "GetMetricData")).toHaveLength(3);
  });
});
