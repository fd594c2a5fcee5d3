/**
 * Metric math through the pinned @aws-sdk/client-cloudwatch, in-process: GetMetricData with
 * expressions as a dashboard or probe sends them, and the errors it gets for bad ones.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  type MetricDataQuery,
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
const dims = [{ Name: "Service", Value: "web" }];
const stat = (id: string, name: string): MetricDataQuery => ({ Id: id, MetricStat: { Metric: { Namespace: "Gameday/LoadGenerator", MetricName: name, Dimensions: dims }, Period: 60, Stat: "Sum" }, ReturnData: false });

/** Requests and 5xx per minute, for minutes t0, t0+1, t0+2 (none in t0+3). */
async function putTraffic(t0: number, requests: (number | undefined)[], errors: (number | undefined)[]): Promise<void> {
  const data = [
    ...requests.flatMap((v, i) => (v === undefined ? [] : [{ MetricName: "Requests", Dimensions: dims, Timestamp: new Date(t0 + i * 60_000 + 5_000), Value: v }])),
    ...errors.flatMap((v, i) => (v === undefined ? [] : [{ MetricName: "Errors5xx", Dimensions: dims, Timestamp: new Date(t0 + i * 60_000 + 5_000), Value: v }])),
  ];
  await cw.send(new PutMetricDataCommand({ Namespace: "Gameday/LoadGenerator", MetricData: data }));
}

describe("GetMetricData with metric math", () => {
  it("answers an availability expression per minute, aligned, without the inputs it was told to hide", async () => {
    const t0 = minute(h.clock.now()) - 5 * 60_000;
    await putTraffic(t0, [100, 200, 0, 40], [5, 0, 0]);
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t0),
        EndTime: new Date(t0 + 5 * 60_000),
        ScanBy: "TimestampAscending",
        MetricDataQueries: [stat("m1", "Requests"), stat("m2", "Errors5xx"), { Id: "availability", Expression: "1 - m2 / m1", Label: "Availability" }],
      }),
    );
    expect(out.MetricDataResults).toHaveLength(1);
    const r = out.MetricDataResults![0]!;
    expect(r).toMatchObject({ Id: "availability", Label: "Availability", StatusCode: "Complete" });
    // Minute 3 has requests but no errors point: missing there; minute 2 divides by zero: no point.
    expect(r.Timestamps).toEqual([new Date(t0), new Date(t0 + 60_000)]);
    expect(r.Values).toEqual([0.95, 1]);
  });

  it("fills gaps with FILL, reads other expressions by id, and returns newest first by default", async () => {
    const t0 = minute(h.clock.now()) - 5 * 60_000;
    await putTraffic(t0, [100, 200, 50, 40], [5, undefined, 10]);
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t0),
        EndTime: new Date(t0 + 4 * 60_000),
        MetricDataQueries: [
          stat("m1", "Requests"),
          stat("m2", "Errors5xx"),
          { Id: "errors", Expression: "FILL(m2, 0)", ReturnData: false },
          { Id: "pct", Expression: "100 * errors / m1" },
          { Id: "worst", Expression: "MAX(pct)" },
        ],
      }),
    );
    const [pct, worst] = out.MetricDataResults!;
    expect(pct).toMatchObject({ Id: "pct", Label: "pct" });
    expect(pct!.Timestamps).toEqual([new Date(t0 + 180_000), new Date(t0 + 120_000), new Date(t0 + 60_000), new Date(t0)]);
    expect(pct!.Values).toEqual([0, 20, 0, 5]);
    // A scalar answers at every period of the query.
    expect(worst!.Values).toEqual([20, 20, 20, 20]);
  });

  it("refuses a syntax error, an unknown id and a cycle, naming the expression and the position", async () => {
    const t0 = minute(h.clock.now()) - 5 * 60_000;
    const send = (queries: MetricDataQuery[]) => cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 60_000), MetricDataQueries: queries }));
    const syntax = send([stat("m1", "Requests"), { Id: "e1", Expression: "1 - (m1 *" }]);
    await expect(syntax).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(syntax).rejects.toThrow("The value 1 - (m1 * for parameter MetricDataQueries.member.2.Expression is invalid: expected a number, a query id, a function or '(' but found 'end of expression' at character 10.");
    await expect(send([stat("m1", "Requests"), { Id: "e1", Expression: "m1 / m9" }])).rejects.toThrow(
      "The value m1 / m9 for parameter MetricDataQueries.member.2.Expression is invalid: unknown query id 'm9' at character 6.",
    );
    const cycle = send([{ Id: "e1", Expression: "e2 + 1" }, { Id: "e2", Expression: "e1 * 2" }]);
    await expect(cycle).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(cycle).rejects.toThrow(/MetricDataQueries.member.1.Expression is invalid: circular reference e1 -> e2 -> e1/);
    // A constant or FILL answers at every period: a range with more periods than a response may hold is refused, not built.
    const huge = cw.send(new GetMetricDataCommand({ StartTime: new Date(t0 - 2 * 86_400_000), EndTime: new Date(t0), MetricDataQueries: [{ Id: "e1", Expression: "1", Period: 1 }] }));
    await expect(huge).rejects.toThrow(/MetricDataQueries.member.1 would give 172800 datapoints \(at most 100800\)/);
    await expect(send([{ Id: "e1", Expression: "1", MetricStat: { Metric: { Namespace: "A", MetricName: "B" }, Period: 60, Stat: "Sum" } }])).rejects.toThrow(/mutually exclusive/);
  });
});

describe("alarms on metric math", () => {
  const availabilityAlarm = {
    AlarmName: "web-availability",
    Metrics: [stat("m1", "Requests"), stat("m2", "Errors5xx"), { Id: "availability", Expression: "1 - FILL(m2, 0) / m1", ReturnData: true }],
    EvaluationPeriods: 1,
    Threshold: 0.95,
    ComparisonOperator: "LessThanThreshold" as const,
  };
  const state = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["web-availability"] }))).MetricAlarms![0]!;

  it("goes to ALARM when the expression breaches and back to OK when it recovers", async () => {
    await cw.send(new PutMetricAlarmCommand(availabilityAlarm));
    const described = await state();
    expect(described.StateValue).toBe("INSUFFICIENT_DATA");
    expect(described.Metrics!.map((m) => m.Id)).toEqual(["m1", "m2", "availability"]);
    expect(described.Metrics![2]).toMatchObject({ Expression: "1 - FILL(m2, 0) / m1", ReturnData: true });
    expect(described.MetricName).toBeUndefined();

    // 20 of 100 requests fail this minute: availability 0.8 < 0.95.
    let m = minute(h.clock.now());
    await putTraffic(m, [100], [20]);
    await h.advance(m + 60_000 - h.clock.now() + 1);
    let a = await state();
    expect(a.StateValue).toBe("ALARM");
    expect(a.StateReason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[0\.8 /);

    // The next minute every request succeeds (no error points at all: FILL makes them 0).
    m = minute(h.clock.now());
    await putTraffic(m, [100], []);
    await h.advance(m + 60_000 - h.clock.now() + 1);
    a = await state();
    expect(a.StateValue).toBe("OK");
  });

  it("refuses a math alarm without exactly one ReturnData, with mixed periods, or mixed with MetricName", async () => {
    const noReturn = cw.send(new PutMetricAlarmCommand({ ...availabilityAlarm, Metrics: [stat("m1", "Requests"), stat("m2", "Errors5xx"), { Id: "e1", Expression: "m2 / m1", ReturnData: false }] }));
    await expect(noReturn).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(noReturn).rejects.toThrow(/Exactly one element of the metrics list should return data; found 0/);
    // ReturnData defaults to true: inputs left unmarked return data too.
    const unmarked = [{ Id: "m1", MetricStat: stat("m1", "Requests").MetricStat }, { Id: "e1", Expression: "m1 * 2" }];
    await expect(cw.send(new PutMetricAlarmCommand({ ...availabilityAlarm, Metrics: unmarked }))).rejects.toThrow(/found 2 \(m1, e1\)/);
    const fiveMinutes = { ...stat("m2", "Errors5xx"), MetricStat: { ...stat("m2", "Errors5xx").MetricStat!, Period: 300 } };
    await expect(cw.send(new PutMetricAlarmCommand({ ...availabilityAlarm, Metrics: [stat("m1", "Requests"), fiveMinutes, availabilityAlarm.Metrics[2]!] }))).rejects.toThrow(/same period; found 60, 300/);
    await expect(cw.send(new PutMetricAlarmCommand({ ...availabilityAlarm, MetricName: "Requests" }))).rejects.toBeInstanceOf(InvalidParameterCombinationException);
    await expect(cw.send(new PutMetricAlarmCommand({ ...availabilityAlarm, Metrics: [stat("m1", "Requests"), { Id: "e1", Expression: "m1 / (", ReturnData: true }] }))).rejects.toThrow(
      /The value m1 \/ \( for parameter Metrics.member.2.Expression is invalid: .* at character 7/,
    );
  });
});
