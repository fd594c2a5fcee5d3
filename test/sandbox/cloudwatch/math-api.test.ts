/**
 * Metric math through the pinned @aws-sdk/client-cloudwatch, in-process: GetMetricData with
 * expressions as a dashboard or probe sends them, and the errors it gets for bad ones.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CloudWatchClient, GetMetricDataCommand, InvalidParameterValueException, PutMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
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
    await expect(send([{ Id: "e1", Expression: "1", MetricStat: { Metric: { Namespace: "A", MetricName: "B" }, Period: 60, Stat: "Sum" } }])).rejects.toThrow(/mutually exclusive/);
  });
});
