/**
 * The EFS faults against AWS, on recorded responses: `chaos plan --target aws` resolves the file
 * system and its mount targets read-only and, where no FIS action can carry a fault out (NFS
 * latency from Lambda: FIS GetAction answers ResourceNotFoundException), says so plainly and names
 * the closest real alternative; `chaos run` then stops with exit 4 before any call that changes
 * anything. msw fails any request nothing answers, so `calls` is everything that left.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer, fixture, withBody } from "./aws-handlers.js";
import { awsEnv } from "./env.js";
import { REGION } from "./aws-run.js";
import { captured, project } from "./cli-on-aws.js";
import { runCommand } from "../../src/cli/run-command.js";
import { CliError } from "../../src/cli/errors.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
const home = process.cwd();
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  process.chdir(home);
});

const LAMBDA_LATENCY = `title: EFS slows down under WordPress
method:
  - fault: efs-latency
    name: slow-nfs
    target: { fileSystem: wordpress, function: wordpress }
    with: { delayMilliseconds: 50, duration: PT5M }
  - pause: PT5M
`;

/** The read-only questions a Lambda efs-latency plan asks, answered as AWS does. */
function wordpressAccount(): AwsScenario {
  return new AwsScenario(server)
    .reply("sts", "GetCallerIdentity", "allowed")
    .reply("efs", "DescribeFileSystems", "ok")
    .reply("efs", "DescribeMountTargets", "ok")
    .reply("efs", "DescribeAccessPoints", "ok")
    .reply("lambda", "GetFunction", "ok")
    .reply("fis", "GetAction", "not-found")
    .reply("iam", "SimulatePrincipalPolicy", "allowed");
}

const READ_ONLY = /^(sts|efs|lambda|fis|iam):(Describe|List|Get|Simulate)/;

describe("efs-latency from Lambda on AWS", () => {
  it("chaos plan says no FIS action reaches NFS from Lambda, names lambda-delay, shows no template, and exits 4", async () => {
    awsEnv();
    const dir = project();
    writeFileSync(join(dir, "slow-efs.yaml"), LAMBDA_LATENCY);
    const out = captured();
    const aws = wordpressAccount();
    const code = await runCommand("slow-efs.yaml", { dry: true, target: "aws", region: REGION, seed: "42", logFormat: "plain" });
    expect(aws.unhandled).toEqual([]);
    expect(code, out.join("")).toBe(4);
    const text = out.join("");
    expect(text).toMatch(/slow-nfs \(efs-latency, .*slow-efs\.yaml:\d+\): 1 Lambda function wordpress mounting EFS wordpress \(fs-0123456789abcdef0, mount targets 10\.0\.1\.23, 10\.0\.2\.41\)/);
    expect(text).toContain("NOT ON THIS TARGET  no FIS action reaches NFS from Lambda");
    expect(text).toContain("lambda-delay fault (aws:lambda:invocation-add-delay)");
    expect(text).toMatch(/slow-nfs \(efs-latency\): no FIS template; .*no FIS action reaches NFS from Lambda/);
    expect(text).not.toContain('"actionId": "gameday:efs:nfs-latency"');
    // FIS was asked which actions it offers, and nothing else.
    expect(aws.callsTo("fis", "GetAction")).toHaveLength(1);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("chaos plan --json carries the reason on the step", async () => {
    awsEnv();
    const dir = project();
    writeFileSync(join(dir, "slow-efs.yaml"), LAMBDA_LATENCY);
    const out = captured();
    wordpressAccount();
    expect(await runCommand("slow-efs.yaml", { dry: true, target: "aws", region: REGION, seed: "42", logFormat: "json" })).toBe(4);
    const doc = JSON.parse(out.join(""));
    expect(doc.targets[0]).toMatchObject({ fault: "efs-latency", unavailable: expect.stringContaining("lambda-delay") });
    expect(doc.faults[0].template.actions).toEqual({});
  });

  it("chaos run stops with exit 4 before any call that changes anything", async () => {
    awsEnv();
    const dir = project();
    writeFileSync(join(dir, "slow-efs.yaml"), LAMBDA_LATENCY);
    captured();
    const aws = wordpressAccount();
    const err = await runCommand("slow-efs.yaml", { target: "aws", region: REGION, seed: "42", logFormat: "plain" }).then(
      (code) => new Error(`exit ${code}`),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(4);
    expect((err as Error).message).toMatch(/slow-nfs \(efs-latency\): no FIS action reaches NFS from Lambda.*lambda-delay/s);
    expect(aws.unhandled).toEqual([]);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });
});

const STARVE = `title: EFS throughput runs dry
method:
  - fault: efs-throughput-starvation
    name: starve
    target: { fileSystem: fs-0123456789abcdef0 }
    with: { throughputMiBps: 1 }
  - pause: PT5M
`;

describe("efs-throughput-starvation on AWS", () => {
  const account = (fileSystems: string) =>
    new AwsScenario(server)
      .reply("sts", "GetCallerIdentity", "allowed")
      .reply("efs", "DescribeFileSystems", fileSystems)
      .reply("efs", "DescribeMountTargets", "ok")
      .reply("iam", "SimulatePrincipalPolicy", "allowed");

  it("chaos plan on a Provisioned file system: no FIS template, gameday's own UpdateFileSystem, read-only until run", async () => {
    awsEnv();
    const dir = project();
    writeFileSync(join(dir, "starve.yaml"), STARVE);
    const out = captured();
    const aws = account("provisioned");
    const code = await runCommand("starve.yaml", { dry: true, target: "aws", region: REGION, seed: "42", logFormat: "plain" });
    expect(aws.unhandled).toEqual([]);
    expect(code, out.join("")).toBe(0);
    const text = out.join("");
    expect(text).toContain("1 EFS file system fs-0123456789abcdef0 (fs-0123456789abcdef0, provisioned 64 MiB/s)");
    expect(text).toMatch(/starve \(efs-throughput-starvation\): no FIS template; set EFS fs-0123456789abcdef0 to provisioned 1 MiB\/s until the rollbacks \(FIS has no EFS throughput action/);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("chaos run refuses a Bursting file system before any change (exit 4): the undo would wait 24 hours", async () => {
    awsEnv();
    const dir = project();
    writeFileSync(join(dir, "starve.yaml"), STARVE);
    captured();
    const aws = account("ok");
    const err = await runCommand("starve.yaml", { target: "aws", region: REGION, seed: "42", logFormat: "plain" }).then(
      (code) => new Error(`exit ${code}`),
      (e: unknown) => e,
    );
    expect((err as CliError).exitCode).toBe(4);
    expect((err as Error).message).toContain("switching it back would be refused (TooManyRequests) for 24 hours");
    expect(aws.callsTo("efs", "UpdateFileSystem")).toEqual([]);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });
});

describe("efs-mount-loss from Lambda on AWS", () => {
  it("chaos plan says a network ACL cannot cut mount targets in the function's own subnets, names lambda-error, and exits 4", async () => {
    awsEnv();
    const dir = project();
    writeFileSync(
      join(dir, "lose-mount.yaml"),
      `title: WordPress loses its mount targets
method:
  - fault: efs-mount-loss
    name: lose-mount
    target: { fileSystem: wordpress, function: wordpress }
    with: { prefixListIdentifier: pl-0123456789abcdef0 }
`,
    );
    const out = captured();
    const aws = new AwsScenario(server)
      .reply("sts", "GetCallerIdentity", "allowed")
      .reply("efs", "DescribeFileSystems", "ok")
      .reply("efs", "DescribeMountTargets", "ok")
      .reply("efs", "DescribeAccessPoints", "ok")
      .reply("lambda", "GetFunction", "ok")
      .reply("iam", "SimulatePrincipalPolicy", "allowed");
    const code = await runCommand("lose-mount.yaml", { dry: true, target: "aws", region: REGION, seed: "42", logFormat: "plain" });
    expect(aws.unhandled).toEqual([]);
    expect(code, out.join("")).toBe(4);
    const text = out.join("");
    expect(text).toContain("NOT ON THIS TARGET  aws:network:disrupt-connectivity cannot cut wordpress off from fs-0123456789abcdef0: its mount target 10.0.1.23 (subnet-0a1b2c) sits in the function's own subnets");
    expect(text).toContain("lambda-error fault (aws:lambda:invocation-error)");
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });
});

describe("efs-latency for ECS tasks on AWS", () => {
  const experiment = `title: EFS slows down under the web tier
method:
  - fault: efs-latency
    name: slow-nfs
    target: { fileSystem: fs-0123456789abcdef0, cluster: prod, service: web }
    with: { delayMilliseconds: 50, duration: PT5M }
`;
  const account = (launchType: string) =>
    new AwsScenario(server)
      .reply("sts", "GetCallerIdentity", "allowed")
      .reply("efs", "DescribeFileSystems", "ok")
      .reply("efs", "DescribeMountTargets", "ok")
      .reply("ecs", "ListTasks", "two")
      .reply("ecs", "DescribeTasks", () => withBody(fixture("ecs", "DescribeTasks", "running"), (b) => b.tasks.forEach((t: { launchType: string }) => (t.launchType = launchType))))
      .reply("ecs", "DescribeContainerInstances", "active")
      .reply("iam", "SimulatePrincipalPolicy", "allowed");

  it("EC2 tasks: chaos plan shows aws:ssm:send-command on the picked task's host, with the mount targets as sources", async () => {
    awsEnv();
    const dir = project();
    writeFileSync(join(dir, "slow.yaml"), experiment);
    const out = captured();
    const aws = account("EC2");
    const code = await runCommand("slow.yaml", { dry: true, target: "aws", region: REGION, seed: "42", logFormat: "json" });
    expect(aws.unhandled).toEqual([]);
    expect(code, out.join("")).toBe(0);
    const doc = JSON.parse(out.join(""));
    const t = doc.faults[0].template;
    expect(t.targets.hosts).toEqual({ resourceType: "aws:ec2:instance", resourceArns: ["arn:aws:ec2:us-east-1:111122223333:instance/i-0b2b8d8e36c33a76b"], selectionMode: "ALL" });
    expect(t.actions.latency.actionId).toBe("aws:ssm:send-command");
    expect(JSON.parse(t.actions.latency.parameters.documentParameters)).toMatchObject({ Sources: "10.0.1.23,10.0.2.41", DelayMilliseconds: "50" });
    expect(doc.iam.permissions).toEqual(expect.arrayContaining(["ssm:SendCommand"]));
    expect(aws.operations().every((op) => /^(sts|efs|ecs|iam):(Describe|List|Get|Simulate)/.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("Fargate tasks: chaos plan shows aws:ecs:task-network-latency on the picked task with the endpoints FIS needs there", async () => {
    awsEnv();
    const dir = project();
    writeFileSync(join(dir, "slow.yaml"), experiment);
    const out = captured();
    const aws = account("FARGATE");
    expect(await runCommand("slow.yaml", { dry: true, target: "aws", region: REGION, seed: "42", logFormat: "json" })).toBe(0);
    expect(aws.unhandled).toEqual([]);
    const t = JSON.parse(out.join("")).faults[0].template;
    expect(t.targets.tasks.resourceArns).toHaveLength(1);
    expect(t.actions.latency).toEqual({
      actionId: "aws:ecs:task-network-latency",
      parameters: { duration: "PT5M", delayMilliseconds: "50", jitterMilliseconds: "10", sources: "10.0.1.23,10.0.2.41", useEcsFaultInjectionEndpoints: "true" },
      targets: { Tasks: "tasks" },
    });
  });
});
