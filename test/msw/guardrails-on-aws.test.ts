/**
 * The guardrails of `chaos run --target aws` on recorded responses: a fault whose target resolves
 * to nothing is an error before anything starts (no alarm, no FIS call), and AWS throttling on a
 * resolution call is retried like any other call.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer, fixture, withBody } from "./aws-handlers.js";
import { awsEnv } from "./env.js";
import { REGION } from "./aws-run.js";
import { describeInstancesIn } from "./ec2-region.js";
import { READ_ONLY, REGION_INSTANCES, captured, project, spotAccount } from "./cli-on-aws.js";
import { runCommand } from "../../src/cli/run-command.js";
import { CliError } from "../../src/cli/errors.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
const home = process.cwd();
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  process.chdir(home);
});

/** `chaos run <experiment> --target aws`, in process; the CliError it ends with (main prints it and exits with its code). */
async function runRefused(experiment: string): Promise<CliError> {
  const err = await runCommand(experiment, { target: "aws", region: REGION, seed: "42", logFormat: "plain" }).then(
    (code) => new Error(`the run went ahead (exit ${code})`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe("guardrails on --target aws", () => {
  it("a spot-interrupt whose cluster has no running spot instance with the tag starts nothing (exit 4)", async () => {
    awsEnv();
    project();
    captured();
    // prod's spot instance has been replaced by on-demand capacity; another cluster's spot instance still carries the tag.
    const aws = spotAccount(server).reply("ec2", "DescribeInstances", describeInstancesIn(REGION_INSTANCES.map((i) => (i.id === "i-0b2b8d8e36c33a76b" ? { ...i, lifecycle: "on-demand" as const } : i))));
    const err = await runRefused("spot-interrupt");
    expect(aws.unhandled).toEqual([]);
    expect(err.exitCode).toBe(4);
    expect(err.message).toMatch(/spot-interrupt\.yaml:\d+: step interrupt-one-spot-instance \(spot-interrupt\) found no running spot instances of cluster prod tagged chaos=ok; nothing was started$/);
    expect(aws.callsTo("ec2", "DescribeInstances")).toHaveLength(1);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("a task-kill whose service has no running task starts nothing (exit 4)", async () => {
    awsEnv();
    project();
    captured();
    const aws = new AwsScenario(server)
      .reply("sts", "GetCallerIdentity", "allowed")
      .reply("ecs", "ListTasks", () => withBody(fixture("ecs", "ListTasks", "two"), (b) => (b.taskArns = [])));
    const err = await runRefused("task-kill");
    expect(aws.unhandled).toEqual([]);
    expect(err.exitCode).toBe(4);
    expect(err.message).toMatch(/task-kill\.yaml:\d+: step kill-one-web-task \(task-kill\) found no running tasks of service web in cluster prod; nothing was started$/);
    expect(aws.operations()).toEqual(["sts:GetCallerIdentity", "ecs:ListTasks"]);
  });

  it("a kinesis-throttle on a stream Kinesis does not know starts nothing (exit 4)", async () => {
    awsEnv();
    project();
    captured();
    const aws = new AwsScenario(server).reply("sts", "GetCallerIdentity", "allowed").reply("kinesis", "DescribeStreamSummary", "not-found");
    const err = await runRefused("kinesis-throttle");
    expect(aws.unhandled).toEqual([]);
    expect(err.exitCode).toBe(4);
    expect(err.message).toMatch(/kinesis-throttle\.yaml:\d+: step throttle-app-logs \(kinesis-throttle\) found no Kinesis stream named app-logs; nothing was started$/);
    expect(aws.callsTo("kinesis", "DescribeStreamSummary").map((c) => c.body)).toEqual([{ StreamName: "app-logs" }]);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("ECS throttling on the task-kill resolution is retried, and the plan resolves the service's tasks", async () => {
    awsEnv();
    project();
    const out = captured();
    const aws = new AwsScenario(server)
      .reply("sts", "GetCallerIdentity", "allowed")
      .reply("ecs", "ListTasks", "two")
      .reply("ecs", "DescribeTasks", ["throttled", "throttled", "running"])
      .reply("iam", "SimulatePrincipalPolicy", "allowed");
    const code = await runCommand("task-kill", { dry: true, target: "aws", region: REGION, seed: "42", logFormat: "json" });
    expect(aws.unhandled).toEqual([]);
    expect(code, out.join("")).toBe(0);
    expect(aws.callsTo("ecs", "DescribeTasks")).toHaveLength(3);
    const doc = JSON.parse(out.join(""));
    expect(doc.targets[0].found).toHaveLength(2);
    expect(doc.faults[0].template.targets.tasks.resourceArns).toEqual([doc.targets[0].chosen[0].arn]);
  });
});
