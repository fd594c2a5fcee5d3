/**
 * CloudWatch on a served sandbox, through clients that are not ours: the AWS CLI v1 and boto3
 * (botocore speaks JSON 1.0 to CloudWatch, query-compatible) put metrics, read them back with
 * GetMetricData, and create and describe an alarm; a large put arrives gzipped.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { awsCli, hasAwsCli, hasBoto3, python } from "./aws-cli.js";
import { scratch, servesForThisFile } from "./cli.js";

vi.setConfig({ testTimeout: 60_000 });

const serve = servesForThisFile();
let endpoint = "";
beforeAll(async () => {
  if (!hasAwsCli && !hasBoto3) return;
  endpoint = (await serve(["--seed", "7"])).endpoint;
}, 60_000);

const awsCw = (...args: string[]) => awsCli(endpoint, ["cloudwatch", ...args]);

/** A whole minute ten minutes back on the wall clock (the served sandbox keeps wall time at speed 1). */
const base = () => Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

type Results = { MetricDataResults: { Id: string; Timestamps: (string | number)[]; Values: number[]; StatusCode: string }[] };

describe.skipIf(!hasAwsCli)("the AWS CLI against the served sandbox's CloudWatch", () => {
  it("put-metric-data then get-metric-data returns the points, newest first, per period", async () => {
    const t = base();
    await awsCw(
      "put-metric-data",
      "--namespace",
      "CliTest",
      "--metric-data",
      JSON.stringify([
        { MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "web" }], Timestamp: iso(t + 5_000), Values: [100, 200, 300], Unit: "Milliseconds" },
        { MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "web" }], Timestamp: iso(t + 65_000), Value: 50, Unit: "Milliseconds" },
      ]),
    );
    const out = (await awsCw(
      "get-metric-data",
      "--start-time",
      iso(t),
      "--end-time",
      iso(t + 180_000),
      "--metric-data-queries",
      JSON.stringify([
        { Id: "avg", MetricStat: { Metric: { Namespace: "CliTest", MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "web" }] }, Period: 60, Stat: "Average" } },
        { Id: "p99", MetricStat: { Metric: { Namespace: "CliTest", MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "web" }] }, Period: 60, Stat: "p99" } },
      ]),
    )) as unknown as Results;
    const [avg, p99] = out.MetricDataResults;
    expect(avg!.StatusCode).toBe("Complete");
    // AWS CLI v1 prints timestamps as the wire carries them (cli_timestamp_format "none"): epoch seconds.
    expect(avg!.Timestamps.map((s) => (typeof s === "number" ? s * 1000 : Date.parse(s)))).toEqual([t + 60_000, t]);
    expect(avg!.Values).toEqual([50, 200]);
    expect(p99!.Values).toEqual([50, 300]);
  });

  it("accepts a put large enough to be gzipped", async () => {
    const t = base();
    const data = Array.from({ length: 20 }, (_, i) => ({ MetricName: "Big", Dimensions: [{ Name: "Shard", Value: `s-${i}` }], Timestamp: iso(t + 1_000), Values: Array.from({ length: 150 }, (_, j) => j + 0.5) }));
    const file = join(scratch(), "big.json");
    writeFileSync(file, JSON.stringify(data));
    await awsCw("put-metric-data", "--namespace", "CliTest", "--metric-data", `file://${file}`);
    const out = (await awsCw(
      "get-metric-data",
      "--start-time",
      iso(t),
      "--end-time",
      iso(t + 60_000),
      "--metric-data-queries",
      JSON.stringify([{ Id: "n", MetricStat: { Metric: { Namespace: "CliTest", MetricName: "Big", Dimensions: [{ Name: "Shard", Value: "s-19" }] }, Period: 60, Stat: "SampleCount" } }]),
    )) as unknown as Results;
    expect(out.MetricDataResults[0]!.Values).toEqual([150]);
  });

  it("put-metric-alarm then describe-alarms shows the alarm, INSUFFICIENT_DATA at first", async () => {
    await awsCw(
      "put-metric-alarm",
      "--alarm-name",
      "cli-errors",
      "--namespace",
      "CliTest",
      "--metric-name",
      "Errors",
      "--statistic",
      "Sum",
      "--period",
      "60",
      "--evaluation-periods",
      "3",
      "--datapoints-to-alarm",
      "2",
      "--threshold",
      "5",
      "--comparison-operator",
      "GreaterThanThreshold",
      "--treat-missing-data",
      "notBreaching",
    );
    const out = (await awsCw("describe-alarms", "--alarm-names", "cli-errors")) as { MetricAlarms: Record<string, unknown>[] };
    expect(out.MetricAlarms).toHaveLength(1);
    expect(out.MetricAlarms[0]).toMatchObject({
      AlarmName: "cli-errors",
      AlarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cli-errors",
      StateValue: "INSUFFICIENT_DATA",
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 5,
      TreatMissingData: "notBreaching",
    });
  });

  it("get-metric-data evaluates a metric math expression over the inputs it hides", async () => {
    const t = base();
    const datum = (name: string) => ({ MetricName: name, Dimensions: [{ Name: "Service", Value: "web" }] });
    const metric = (name: string) => ({ Namespace: "CliMath", ...datum(name) });
    await awsCw(
      "put-metric-data",
      "--namespace",
      "CliMath",
      "--metric-data",
      JSON.stringify([
        { ...datum("Requests"), Timestamp: iso(t + 5_000), Value: 200 },
        { ...datum("Requests"), Timestamp: iso(t + 65_000), Value: 50 },
        { ...datum("Errors"), Timestamp: iso(t + 5_000), Value: 10 },
      ]),
    );
    const out = (await awsCw(
      "get-metric-data",
      "--start-time",
      iso(t),
      "--end-time",
      iso(t + 120_000),
      "--metric-data-queries",
      JSON.stringify([
        { Id: "m1", MetricStat: { Metric: metric("Requests"), Period: 60, Stat: "Sum" }, ReturnData: false },
        { Id: "m2", MetricStat: { Metric: metric("Errors"), Period: 60, Stat: "Sum" }, ReturnData: false },
        { Id: "availability", Expression: "1 - FILL(m2, 0) / m1" },
      ]),
    )) as unknown as Results;
    expect(out.MetricDataResults.map((r) => r.Id)).toEqual(["availability"]);
    expect(out.MetricDataResults[0]!.Values).toEqual([1, 0.95]);
  });

  it("put-metric-alarm with --metrics creates a metric math alarm that describe-alarms shows", async () => {
    const metric = { Namespace: "CliMath", MetricName: "Requests", Dimensions: [{ Name: "Service", Value: "web" }] };
    await awsCw(
      "put-metric-alarm",
      "--alarm-name",
      "cli-math",
      "--evaluation-periods",
      "1",
      "--threshold",
      "100",
      "--comparison-operator",
      "GreaterThanThreshold",
      "--metrics",
      JSON.stringify([
        { Id: "m1", MetricStat: { Metric: metric, Period: 60, Stat: "Sum" }, ReturnData: false },
        { Id: "perSecond", Expression: "m1 / 60", ReturnData: true },
      ]),
    );
    const out = (await awsCw("describe-alarms", "--alarm-names", "cli-math")) as { MetricAlarms: Record<string, unknown>[] };
    expect(out.MetricAlarms[0]).toMatchObject({
      AlarmName: "cli-math",
      StateValue: "INSUFFICIENT_DATA",
      Metrics: [
        { Id: "m1", MetricStat: { Metric: metric, Period: 60, Stat: "Sum" }, ReturnData: false },
        { Id: "perSecond", Expression: "m1 / 60", ReturnData: true },
      ],
    });
    expect(out.MetricAlarms[0]!.MetricName).toBeUndefined();
  });

  it("names CloudWatch's error code and the position for an expression that does not parse", async () => {
    const t = base();
    const err = await awsCw("get-metric-data", "--start-time", iso(t), "--end-time", iso(t + 60_000), "--metric-data-queries", JSON.stringify([{ Id: "e1", Expression: "m1 *" }])).catch(
      (e: { stderr: string }) => e,
    );
    expect((err as { stderr: string }).stderr).toMatch(/\(InvalidParameterValue\).*The value m1 \* for parameter MetricDataQueries.member.1.Expression is invalid: .* at character 5/);
  });
});

describe.skipIf(!hasBoto3)("boto3 against the served sandbox's CloudWatch", () => {
  it("put_metric_data then get_metric_data returns the points", async () => {
    const t = base() / 1000;
    const script = `
import boto3, datetime, json, sys
cw = boto3.client("cloudwatch", endpoint_url=sys.argv[1], region_name="us-east-1")
t = float(sys.argv[2])
at = lambda s: datetime.datetime.fromtimestamp(t + s, datetime.timezone.utc)
cw.put_metric_data(Namespace="BotoTest", MetricData=[
  {"MetricName": "Requests", "Dimensions": [{"Name": "Service", "Value": "web"}], "Timestamp": at(1), "Value": 7, "Unit": "Count"},
  {"MetricName": "Requests", "Dimensions": [{"Name": "Service", "Value": "web"}], "Timestamp": at(2), "Value": 3, "Unit": "Count"},
  {"MetricName": "Requests", "Dimensions": [{"Name": "Service", "Value": "web"}], "Timestamp": at(121), "Value": 4, "Unit": "Count"},
])
out = cw.get_metric_data(StartTime=at(0), EndTime=at(180), ScanBy="TimestampAscending", MetricDataQueries=[
  {"Id": "sum", "MetricStat": {"Metric": {"Namespace": "BotoTest", "MetricName": "Requests", "Dimensions": [{"Name": "Service", "Value": "web"}]}, "Period": 60, "Stat": "Sum"}},
])
r = out["MetricDataResults"][0]
listed = cw.list_metrics(Namespace="BotoTest")["Metrics"]
print(json.dumps({"timestamps": [d.timestamp() for d in r["Timestamps"]], "values": r["Values"], "status": r["StatusCode"], "listed": listed}))
`;
    const stdout = await python(script, [endpoint, String(t)]);
    const out = JSON.parse(stdout) as { timestamps: number[]; values: number[]; status: string; listed: unknown[] };
    expect(out.status).toBe("Complete");
    expect(out.timestamps).toEqual([t, t + 120]);
    expect(out.values).toEqual([10, 4]);
    expect(out.listed).toEqual([{ Namespace: "BotoTest", MetricName: "Requests", Dimensions: [{ Name: "Service", Value: "web" }] }]);
  });
});
