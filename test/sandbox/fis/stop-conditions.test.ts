/**
 * FIS stop conditions on CloudWatch alarms in the full sandbox: the template must name an alarm
 * that exists, and the alarm entering ALARM halts the experiment (stopping -> stopped, "Experiment
 * halted by stop condition.", unfinished actions cancelled), within the alarm's evaluation time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CreateExperimentTemplateCommand, GetExperimentCommand, StartExperimentCommand, ValidationException, type FisClient } from "@aws-sdk/client-fis";
import { harness, stackYaml, type Harness } from "../harness.js";

const ROLE = "arn:aws:iam::123456789012:role/fis-experiment-role";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function setUp(): Promise<{ h: Harness; cw: CloudWatchClient; fis: FisClient; alarmArn: string }> {
  h = await harness(stackYaml({}), { ready: false });
  const cw = await h.clients.cloudwatch();
  const fis = await h.clients.fis();
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: "web-5xx-slo",
      Namespace: "Shop",
      MetricName: "Errors",
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    }),
  );
  return { h, cw, fis, alarmArn: h.sandbox.cloudwatch.alarms.arnOf("web-5xx-slo") };
}

function template(alarmArn: string) {
  return {
    description: "hold, then a second step",
    roleArn: ROLE,
    stopConditions: [{ source: "aws:cloudwatch:alarm", value: alarmArn }],
    targets: {},
    actions: {
      hold: { actionId: "aws:fis:wait", parameters: { duration: "PT10M" } },
      after: { actionId: "aws:fis:wait", parameters: { duration: "PT1M" }, startAfter: ["hold"] },
    },
  };
}

async function start(fis: FisClient, alarmArn: string): Promise<string> {
  const { experimentTemplate } = await fis.send(new CreateExperimentTemplateCommand(template(alarmArn)));
  const { experiment } = await fis.send(new StartExperimentCommand({ experimentTemplateId: experimentTemplate!.id! }));
  return experiment!.id!;
}

describe("FIS stop conditions on sandbox CloudWatch alarms", () => {
  it("refuses a template whose stop condition names an alarm that does not exist", async () => {
    const { fis, alarmArn } = await setUp();
    const missing = alarmArn.replace("web-5xx-slo", "no-such-alarm");
    const err = await fis.send(new CreateExperimentTemplateCommand(template(missing))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toBe(
      `The stop condition at stopConditions[0] names the CloudWatch alarm ${missing}, which does not exist in this account and Region; create it (PutMetricAlarm) first.`,
    );
  });

  it("halts the experiment when the alarm enters ALARM: stopping, then stopped, the rest cancelled", async () => {
    const { h, cw, fis, alarmArn } = await setUp();
    const id = await start(fis, alarmArn);
    await h.advance(2 * 60_000);
    let e = (await fis.send(new GetExperimentCommand({ id }))).experiment!;
    expect(e.state!.status).toBe("running");

    const breachAt = h.clock.now();
    await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Errors", Value: 3, Timestamp: new Date(breachAt) }] }));
    // The alarm sees the breach at the end of its minute; FIS stops a second later.
    const evaluatedAt = Math.floor(breachAt / 60_000) * 60_000 + 60_000;
    await h.advance(evaluatedAt - h.clock.now() + 1);
    expect(h.sandbox.cloudwatch.alarms.get("web-5xx-slo")!.state).toBe("ALARM");
    e = (await fis.send(new GetExperimentCommand({ id }))).experiment!;
    expect(e.state).toEqual({ status: "stopping", reason: "Experiment halted by stop condition." });
    await h.advance(1_000);
    e = (await fis.send(new GetExperimentCommand({ id }))).experiment!;
    expect(e.state).toEqual({ status: "stopped", reason: "Experiment halted by stop condition." });
    expect(e.endTime!.getTime()).toBe(evaluatedAt + 1_000);
    expect(e.actions!.hold!.state!.status).toBe("stopped");
    expect(e.actions!.after!.state!.status).toBe("cancelled");
  });

  it("halts the experiment when the alarm is set to ALARM by hand (set-alarm-state, how FIS stop conditions are tested)", async () => {
    const { h, cw, fis, alarmArn } = await setUp();
    const id = await start(fis, alarmArn);
    await h.advance(30_000);
    await cw.send(new SetAlarmStateCommand({ AlarmName: "web-5xx-slo", StateValue: "ALARM", StateReason: "game day: testing the stop condition" }));
    await h.advance(1_000);
    const e = (await fis.send(new GetExperimentCommand({ id }))).experiment!;
    expect(e.state).toEqual({ status: "stopped", reason: "Experiment halted by stop condition." });
  });

  it("lets the experiment complete while the alarm stays OK", async () => {
    const { h, fis, alarmArn } = await setUp();
    const id = await start(fis, alarmArn);
    await h.advance(12 * 60_000);
    const e = (await fis.send(new GetExperimentCommand({ id }))).experiment!;
    expect(e.state!.status).toBe("completed");
    expect(h.sandbox.cloudwatch.alarms.get("web-5xx-slo")!.state).toBe("OK");
  });

  it("halts at once an experiment whose alarm is already in ALARM when it begins", async () => {
    const { h, cw, fis, alarmArn } = await setUp();
    await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Errors", Value: 1, Timestamp: new Date(h.clock.now()) }] }));
    await h.advance(61_000);
    expect(h.sandbox.cloudwatch.alarms.get("web-5xx-slo")!.state).toBe("ALARM");
    const id = await start(fis, alarmArn);
    await h.advance(2_000);
    const e = (await fis.send(new GetExperimentCommand({ id }))).experiment!;
    expect(e.state).toEqual({ status: "stopped", reason: "Experiment halted by stop condition." });
    expect(e.actions!.hold!.state!.status).toBe("cancelled");
  });
});
