/**
 * The catalog's spot-interrupt experiment against `--target aws` clients, with AWS answering from
 * recorded responses shaped into one coherent story: FIS sends the notice, the container instance
 * goes ACTIVE -> DRAINING, ECS starts two replacements elsewhere and stops the two tasks on the
 * instance before its interruption.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer, fixture, withBody, type RecordedCall } from "./aws-handlers.js";
import { awsEnv } from "./env.js";
import { ACCOUNT, REGION, describeAskedAlarms, healthyMetrics, runOnAws } from "./aws-run.js";
import { VirtualClock } from "../../src/time/clock.js";
import { describeInstancesIn, type RegionInstance } from "./ec2-region.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
afterEach(() => vi.unstubAllEnvs());

const taskArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${id}`;
const SPOT_CI = `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/prod/0a1b2c3d4e5f`;
const OTHER_CI = `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/prod/9f8e7d6c5b4a`;
const OLD = [taskArn("0a1b2c3d4e5f60718293a4b5c6d7e8f9"), taskArn("1b2c3d4e5f60718293a4b5c6d7e8f90a")];
const NEW = [taskArn("2c3d4e5f60718293a4b5c6d7e8f90a1b"), taskArn("3d4e5f60718293a4b5c6d7e8f90a1b2c")];
/** The prod cluster's one container instance (DescribeContainerInstances.active) is this spot instance. */
const PROD_SPOT = "i-0b2b8d8e36c33a76b";
/**
 * The region as EC2 sees it: prod's spot instance, and spot instances of another cluster carrying
 * the same chaos=ok tag (a tag-only FIS target would reach them).
 */
const REGION_INSTANCES: RegionInstance[] = [
  { id: PROD_SPOT, az: "us-east-1a", lifecycle: "spot", tags: { chaos: "ok", "aws:autoscaling:groupName": "prod-ecs" } },
  { id: "i-0a1b2c3d4e5f60001", az: "us-east-1a", lifecycle: "spot", tags: { chaos: "ok", "aws:autoscaling:groupName": "batch-ecs" } },
  { id: "i-0a1b2c3d4e5f60002", az: "us-east-1b", lifecycle: "spot", tags: { chaos: "ok", "aws:autoscaling:groupName": "batch-ecs" } },
];

describe("spot-interrupt on AWS", () => {
  it("runs to a held verdict: DRAINING seen, the tasks replaced before the interruption", async () => {
    awsEnv();
    const clock = new VirtualClock();
    let startedAt = 0; // epoch seconds of the notice, on the run's clock
    const at = (offset: number) => startedAt + offset;
    const [running] = (fixture("ecs", "DescribeTasks", "running").response.body as { tasks: any[] }).tasks;
    const task = (arn: string) => {
      const now = clock.now() / 1000;
      if (OLD.includes(arn)) {
        // Drained: stopped 60 s after the notice, well before the 2-minute interruption.
        const stopped = now >= at(60);
        return { ...running, taskArn: arn, containerInstanceArn: SPOT_CI, createdAt: at(-3600), startedAt: at(-3590), lastStatus: stopped ? "STOPPED" : "RUNNING", desiredStatus: now >= at(5) ? "STOPPED" : "RUNNING", ...(stopped ? { stoppedAt: at(60), stopCode: "TerminationNotice" } : {}) };
      }
      return { ...running, taskArn: arn, containerInstanceArn: OTHER_CI, createdAt: at(5), startedAt: at(30), lastStatus: "RUNNING", desiredStatus: "RUNNING" };
    };
    const listTasks = (call: RecordedCall) =>
      withBody(fixture("ecs", "ListTasks", "two"), (b) => {
        const input = call.body as { containerInstance?: string; serviceName?: string; desiredStatus: string };
        const now = clock.now() / 1000;
        const onSpot = now < at(60) ? OLD : [];
        b.taskArns = input.containerInstance ? (input.desiredStatus === "RUNNING" ? onSpot : []) : [...onSpot, ...(now >= at(30) ? NEW : [])];
      });
    const experiment = (kase: string) =>
      withBody(fixture("fis", "GetExperiment", kase), (b) => {
        b.experiment.actions = { interrupt: { actionId: "aws:ec2:send-spot-instance-interruptions", parameters: { durationBeforeInterruption: "PT2M" }, targets: { SpotInstances: "spotInstances" }, state: { status: kase === "completed" ? "completed" : "running" }, startTime: startedAt } };
      });
    const aws = new AwsScenario(server)
      .reply("cloudwatch", "GetMetricData", healthyMetrics)
      .reply("cloudwatch", "PutMetricAlarm", "ok")
      .reply("cloudwatch", "DescribeAlarms", describeAskedAlarms)
      .reply("cloudwatch", "DescribeAlarmHistory", "none")
      .reply("cloudwatch", "DeleteAlarms", "ok")
      .reply("ecs", "DescribeServices", "steady")
      .reply("fis", "CreateExperimentTemplate", "ok")
      .reply("fis", "StartExperiment", () => {
        startedAt = Math.floor(clock.now() / 1000);
        return "initiating";
      })
      // Running until the interruption, then completed.
      .reply("fis", "GetExperiment", () => experiment(clock.now() / 1000 < at(120) ? "running" : "completed"))
      .reply("fis", "ListExperimentResolvedTargets", "instance-id")
      .reply("fis", "DeleteExperimentTemplate", "ok")
      .reply("ec2", "DescribeInstances", describeInstancesIn(REGION_INSTANCES))
      .reply("ecs", "ListContainerInstances", "one")
      // ACTIVE until the drain handler reacts to the warning, a few seconds after the notice.
      .reply("ecs", "DescribeContainerInstances", () => (clock.now() / 1000 < at(3) ? "active" : "draining"))
      .reply("ecs", "ListTasks", listTasks)
      .reply("ecs", "DescribeTasks", (call) => withBody(fixture("ecs", "DescribeTasks", "running"), (b) => (b.tasks = (call.body as { tasks: string[] }).tasks.map(task))));
    const run = await runOnAws("spot-interrupt", { clock });
    expect(aws.unhandled).toEqual([]);
    expect(run.verdict, run.summary).toBe("held");

    const template = aws.callsTo("fis", "CreateExperimentTemplate")[0]!.body as any;
    expect(template.actions.interrupt).toMatchObject({ actionId: "aws:ec2:send-spot-instance-interruptions", parameters: { durationBeforeInterruption: "PT2M" } });
    // FIS got exactly prod's instance, by ARN, never the other cluster's equally tagged ones.
    expect(template.targets.spotInstances).toEqual({ resourceType: "aws:ec2:spot-instance", resourceArns: [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${PROD_SPOT}`], selectionMode: "ALL" });
    // Resolved before FIS was asked anything: the cluster's EC2 ids, narrowed by EC2 to running spot instances with the step's tag.
    const ops = aws.operations();
    expect(ops.indexOf("ec2:DescribeInstances")).toBeLessThan(ops.indexOf("fis:CreateExperimentTemplate"));
    expect(aws.callsTo("ec2", "DescribeInstances")[0]!.body).toMatchObject({ "InstanceId.1": PROD_SPOT, "Filter.1.Name": "instance-lifecycle", "Filter.1.Value.1": "spot", "Filter.3.Name": "tag:chaos", "Filter.3.Value.1": "ok" });
    // The fault and the probe found the instance's container instance by its EC2 id.
    expect(aws.callsTo("ecs", "ListContainerInstances").map((c) => c.body)).toContainEqual({ cluster: "prod", filter: "ec2InstanceId == i-0b2b8d8e36c33a76b" });
    const verified = run.events.find((e) => e.type === "fault-verified") as { landed: boolean; detail: string };
    expect(verified.landed).toBe(true);
    expect(verified.detail).toMatch(/i-0b2b8d8e36c33a76b: notice sent, DRAINING after \d/);
    const drained = run.journal.doc as any;
    expect(JSON.stringify(drained)).toMatch(/"replacedBeforeTermination":2/);
  });
});
