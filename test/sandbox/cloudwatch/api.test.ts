/**
 * The sandbox's CloudWatch through the pinned @aws-sdk/client-cloudwatch (awsJson1_0,
 * query-compatible), in-process: what a probe or a user's code sees.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  ListMetricsCommand,
  MissingRequiredParameterException,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  ResourceNotFound,
  InvalidFormatFault,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness;
let cw: CloudWatchClient;

beforeEach(async () => {
  h = await harness(stackYaml({}), { ready: false });
  cw = await h.clients.cloudwatch();
});
afterEach(async () => {
  await h?.close();
});

const minute = (now: number) => Math.floor(now / 60_000) * 60_000;

describe("CloudWatch metrics through the SDK", () => {
  it("returns what PutMetricData put, per period, newest first by default, with percentiles", async () => {
    const t0 = minute(h.clock.now()) - 5 * 60_000;
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "Shop",
        MetricData: [
          { MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "web" }], Timestamp: new Date(t0 + 1_000), Values: [10, 20, 30, 400], Unit: "Milliseconds" },
          { MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "web" }], Timestamp: new Date(t0 + 120_000), Value: 5, Unit: "Milliseconds" },
        ],
      }),
    );
    const metric = { Namespace: "Shop", MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "web" }] };
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t0),
        EndTime: new Date(t0 + 300_000),
        MetricDataQueries: [
          { Id: "avg", MetricStat: { Metric: metric, Period: 60, Stat: "Average" } },
          { Id: "p99", MetricStat: { Metric: metric, Period: 60, Stat: "p99" }, Label: "p99 latency" },
        ],
      }),
    );
    const [avg, p99] = out.MetricDataResults!;
    expect(avg!.Timestamps!.map((d) => d.getTime())).toEqual([t0 + 120_000, t0]);
    expect(avg!.Values).toEqual([5, 115]);
    expect(avg!.StatusCode).toBe("Complete");
    expect(p99!.Label).toBe("p99 latency");
    expect(p99!.Values).toEqual([5, 400]);

    const asc = await cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 300_000), ScanBy: "TimestampAscending", MetricDataQueries: [{ Id: "s", MetricStat: { Metric: metric, Period: 300, Stat: "SampleCount" } }] }));
    expect(asc.MetricDataResults![0]!.Values).toEqual([5]);

    const stats = await cw.send(new GetMetricStatisticsCommand({ ...metric, StartTime: new Date(t0), EndTime: new Date(t0 + 300_000), Period: 60, Statistics: ["Sum", "Maximum"] }));
    const byTime = new Map(stats.Datapoints!.map((p) => [p.Timestamp!.getTime(), p]));
    expect(byTime.get(t0)).toMatchObject({ Sum: 460, Maximum: 400, Unit: "Milliseconds" });
    expect(byTime.get(t0 + 120_000)).toMatchObject({ Sum: 5, Maximum: 5 });
    expect(stats.Datapoints).toHaveLength(2);

    const listed = await cw.send(new ListMetricsCommand({ Namespace: "Shop" }));
    expect(listed.Metrics).toEqual([{ Namespace: "Shop", MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "web" }] }]);
  });

  it("reads the metrics the sandbox's services publish through the MetricSink", async () => {
    const t = minute(h.clock.now()) - 60_000;
    h.sandbox.metrics.put({ namespace: "AWS/Kinesis", name: "IncomingRecords", dimensions: { StreamName: "logs" }, timestamp: t + 5_000, value: 42, unit: "Count" });
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t),
        EndTime: new Date(t + 60_000),
        MetricDataQueries: [{ Id: "m1", MetricStat: { Metric: { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "logs" }] }, Period: 60, Stat: "Sum" } }],
      }),
    );
    expect(out.MetricDataResults![0]!.Values).toEqual([42]);
  });

  it("refuses bad input with CloudWatch's error classes and messages that say what is expected", async () => {
    const now = new Date(h.clock.now());
    await expect(cw.send(new PutMetricDataCommand({ Namespace: "AWS/ECS", MetricData: [{ MetricName: "X", Value: 1 }] }))).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "X", Value: 1, Values: [1] }] }))).rejects.toBeInstanceOf(InvalidParameterCombinationException);
    await expect(cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "X", Value: 1, Timestamp: new Date(h.clock.now() - 15 * 86_400_000) }] }))).rejects.toThrow(/two weeks/);
    const math = cw.send(new GetMetricDataCommand({ StartTime: new Date(now.getTime() - 60_000), EndTime: now, MetricDataQueries: [{ Id: "e1", Expression: "m1*2" }] }));
    await expect(math).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(math).rejects.toThrow("The value m1*2 for parameter MetricDataQueries.member.1.Expression is invalid: unknown query id 'm1' at character 1.");
    const badPeriod = cw.send(new GetMetricDataCommand({ StartTime: new Date(now.getTime() - 60_000), EndTime: now, MetricDataQueries: [{ Id: "m1", MetricStat: { Metric: { Namespace: "Shop", MetricName: "X" }, Period: 45, Stat: "Sum" } }] }));
    await expect(badPeriod).rejects.toThrow(/MetricDataQueries.member.1.MetricStat.Period must be a multiple of 60/);
    await expect(cw.send(new GetMetricStatisticsCommand({ Namespace: "Shop", MetricName: "X", StartTime: new Date(0), EndTime: now, Period: 60 }))).rejects.toBeInstanceOf(MissingRequiredParameterException);
    const err = await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["nope"] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFound);
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(404);
  });
});

describe("CloudWatch alarms through the SDK", () => {
  const alarm = {
    AlarmName: "web-5xx",
    Namespace: "Shop",
    MetricName: "Errors",
    Dimensions: [{ Name: "Service", Value: "web" }],
    Statistic: "Sum" as const,
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: "GreaterThanThreshold" as const,
  };

  it("starts INSUFFICIENT_DATA, goes to ALARM within a minute of a breach, and records the transition", async () => {
    await cw.send(new PutMetricAlarmCommand(alarm));
    let [a] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["web-5xx"] }))).MetricAlarms!;
    expect(a).toMatchObject({ StateValue: "INSUFFICIENT_DATA", AlarmArn: `arn:aws:cloudwatch:${h.sandbox.kernel.region}:${h.sandbox.kernel.accountId}:alarm:web-5xx`, DatapointsToAlarm: 1, TreatMissingData: "missing" });

    const minuteStart = minute(h.clock.now());
    await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Errors", Dimensions: [{ Name: "Service", Value: "web" }], Timestamp: new Date(minuteStart + 1_000), Value: 5 }] }));
    await h.advance(minuteStart + 60_000 - h.clock.now() + 1);
    [a] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["web-5xx"] }))).MetricAlarms!;
    expect(a!.StateValue).toBe("ALARM");
    const d = new Date(minuteStart);
    const two = (n: number) => String(n).padStart(2, "0");
    const when = `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:00`;
    expect(a!.StateReason).toBe(`Threshold Crossed: 1 out of the last 1 datapoints [5.0 (${when})] was greater than the threshold (1.0) (minimum 1 datapoint for INSUFFICIENT_DATA -> ALARM transition).`);
    expect(a!.StateUpdatedTimestamp!.getTime()).toBe(minuteStart + 60_000);

    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "web-5xx", HistoryItemType: "StateUpdate" }));
    expect(history.AlarmHistoryItems).toHaveLength(1);
    expect(history.AlarmHistoryItems![0]!.HistorySummary).toBe("Alarm updated from INSUFFICIENT_DATA to ALARM");
    const data = JSON.parse(history.AlarmHistoryItems![0]!.HistoryData!) as { version: string; oldState: { stateValue: string }; newState: { stateValue: string; stateReason: string } };
    expect(data).toMatchObject({ version: "1.0", oldState: { stateValue: "INSUFFICIENT_DATA" }, newState: { stateValue: "ALARM", stateReason: a!.StateReason } });

    // No more data: the breach stays in the evaluation range (3 periods for N=1), then `missing` makes it INSUFFICIENT_DATA.
    await h.advance(60_000);
    [a] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["web-5xx"] }))).MetricAlarms!;
    expect(a!.StateValue).toBe("ALARM");
    await h.advance(3 * 60_000);
    [a] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["web-5xx"] }))).MetricAlarms!;
    expect(a!.StateValue).toBe("INSUFFICIENT_DATA");
  });

  it("keeps the state on update, keeps history after deletion, and validates the alarm", async () => {
    await cw.send(new PutMetricAlarmCommand({ ...alarm, TreatMissingData: "notBreaching" }));
    await h.advance(61_000);
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms![0]!.StateValue).toBe("OK");
    await cw.send(new PutMetricAlarmCommand({ ...alarm, TreatMissingData: "notBreaching", Threshold: 3 }));
    const [a] = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "web-" }))).MetricAlarms!;
    expect(a).toMatchObject({ StateValue: "OK", Threshold: 3 });
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["web-5xx"] }));
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "web-5xx", ScanBy: "TimestampAscending" }));
    expect(history.AlarmHistoryItems!.map((i) => i.HistorySummary)).toEqual(['Alarm "web-5xx" created', "Alarm updated from INSUFFICIENT_DATA to OK", 'Alarm "web-5xx" updated', 'Alarm "web-5xx" deleted']);

    await expect(cw.send(new PutMetricAlarmCommand({ ...alarm, DatapointsToAlarm: 2 }))).rejects.toThrow(/DatapointsToAlarm is invalid: expected from 1 to EvaluationPeriods \(1\)/);
    await expect(cw.send(new PutMetricAlarmCommand({ ...alarm, ExtendedStatistic: "p99" }))).rejects.toBeInstanceOf(InvalidParameterCombinationException);
    await expect(cw.send(new PutMetricAlarmCommand({ ...alarm, Period: 45 }))).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(cw.send(new PutMetricAlarmCommand({ ...alarm, TreatMissingData: "sometimes" }))).rejects.toThrow(/TreatMissingData is invalid: expected one of missing, ignore, breaching, notBreaching/);
  });

  it("SetAlarmState sets the state until the next evaluation says otherwise", async () => {
    await cw.send(new PutMetricAlarmCommand({ ...alarm, TreatMissingData: "notBreaching" }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: "web-5xx", StateValue: "ALARM", StateReason: "testing the pager", StateReasonData: '{"by":"test"}' }));
    let [a] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["web-5xx"] }))).MetricAlarms!;
    expect(a).toMatchObject({ StateValue: "ALARM", StateReason: "testing the pager", StateReasonData: '{"by":"test"}' });
    const nextMinute = minute(h.clock.now()) + 60_000;
    await h.advance(nextMinute - h.clock.now() + 1);
    [a] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["web-5xx"] }))).MetricAlarms!;
    expect(a!.StateValue).toBe("OK");
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "web-5xx", HistoryItemType: "StateUpdate", ScanBy: "TimestampAscending" }));
    expect(history.AlarmHistoryItems!.map((i) => i.HistorySummary)).toEqual(["Alarm updated from INSUFFICIENT_DATA to ALARM", "Alarm updated from ALARM to OK"]);
    await expect(cw.send(new SetAlarmStateCommand({ AlarmName: "web-5xx", StateValue: "ALARM", StateReason: "x", StateReasonData: "{not json" }))).rejects.toBeInstanceOf(InvalidFormatFault);
    await expect(cw.send(new SetAlarmStateCommand({ AlarmName: "nope", StateValue: "ALARM", StateReason: "x" }))).rejects.toBeInstanceOf(ResourceNotFound);
  });

  it("evaluates 10-second alarms every 10 seconds", async () => {
    await cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: "fast", Period: 10, EvaluationPeriods: 1 }));
    const tenStart = Math.floor(h.clock.now() / 10_000) * 10_000;
    await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Errors", Dimensions: [{ Name: "Service", Value: "web" }], Timestamp: new Date(tenStart + 1_000), Value: 9, StorageResolution: 1 }] }));
    await h.advance(tenStart + 10_000 - h.clock.now() + 1);
    const [a] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["fast"] }))).MetricAlarms!;
    expect(a!.StateValue).toBe("ALARM");
  });
});

describe("GetMetricData paging", () => {
  it("returns at most MaxDatapoints points a call, PartialData with a NextToken until the rest is read", async () => {
    const t0 = minute(h.clock.now()) - 10 * 60_000;
    const data = Array.from({ length: 5 }, (_, i) => ({ MetricName: "Hits", Timestamp: new Date(t0 + i * 60_000), Value: i + 1 }));
    await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: data }));
    const query = (id: string, stat: "Sum" | "Maximum") => ({ Id: id, MetricStat: { Metric: { Namespace: "Shop", MetricName: "Hits" }, Period: 60, Stat: stat } });
    const page = (NextToken?: string) =>
      cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 600_000), ScanBy: "TimestampAscending", MaxDatapoints: 4, MetricDataQueries: [query("a", "Sum"), query("b", "Maximum")], ...(NextToken ? { NextToken } : {}) }));
    const first = await page();
    expect(first.MetricDataResults!.map((r) => [r.Values, r.StatusCode])).toEqual([
      [[1, 2, 3, 4], "PartialData"],
      [[], "PartialData"],
    ]);
    const second = await page(first.NextToken);
    expect(second.MetricDataResults!.map((r) => [r.Values, r.StatusCode])).toEqual([
      [[5], "Complete"],
      [[1, 2, 3], "PartialData"],
    ]);
    const third = await page(second.NextToken);
    expect(third.MetricDataResults!.map((r) => [r.Values, r.StatusCode])).toEqual([
      [[], "Complete"],
      [[4, 5], "Complete"],
    ]);
    expect(third.NextToken).toBeUndefined();
  });
});
