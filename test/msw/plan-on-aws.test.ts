/**
 * `chaos plan --target aws` (the read-only preflight `chaos run` passes first) on recorded
 * responses: it lists exactly the resources the target resolved to, refuses a blast radius over
 * the cap, draws a red line when the FIS role is missing or denied, and asks AWS only read-only
 * questions. msw fails any request nothing answers, so `calls` is everything that left.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer } from "./aws-handlers.js";
import { awsEnv } from "./env.js";
import { ACCOUNT, REGION } from "./aws-run.js";
import { describeInstancesIn } from "./ec2-region.js";
import { READ_ONLY, REGION_INSTANCES, captured, project, spotAccount } from "./cli-on-aws.js";
import { runCommand } from "../../src/cli/run-command.js";
import { CliError } from "../../src/cli/errors.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
const home = process.cwd();
const CATALOG = new URL("../../experiments/", import.meta.url).pathname;
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  process.chdir(home);
});

/** An allowed account whose web service runs two tasks, for task-kill's resolution. */
const twoTasksAccount = () =>
  new AwsScenario(server).reply("sts", "GetCallerIdentity", "allowed").reply("ecs", "ListTasks", "two").reply("ecs", "DescribeTasks", "running").reply("iam", "SimulatePrincipalPolicy", "allowed");

const plan = (experiment: string, o: { json?: boolean } = {}) => runCommand(experiment, { dry: true, target: "aws", region: REGION, seed: "42", logFormat: o.json ? "json" : "plain" });

describe("chaos plan --target aws", () => {
  it("lists exactly the cluster's running spot instances and the ARN FIS would get, asking AWS only read-only questions", async () => {
    awsEnv();
    project();
    const out = captured();
    const aws = spotAccount(server);
    const code = await plan("spot-interrupt", { json: true });
    expect(aws.unhandled).toEqual([]);
    expect(code, out.join("")).toBe(0);
    const doc = JSON.parse(out.join(""));
    expect(doc.targets).toHaveLength(1);
    expect(doc.targets[0].found.map((c: { id: string }) => c.id)).toEqual(["i-0b2b8d8e36c33a76b"]);
    expect(doc.targets[0].chosen.map((c: { arn: string }) => c.arn)).toEqual([`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0b2b8d8e36c33a76b`]);
    expect(doc.faults[0].template.targets.spotInstances.resourceArns).toEqual([`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0b2b8d8e36c33a76b`]);
    expect(doc.redLines).toEqual([]);
    expect(doc.iam.role.status).toBe("checked");
    // EC2 was asked about prod's two instances only, narrowed to running spot ones with the tag.
    expect(aws.callsTo("ec2", "DescribeInstances")[0]!.body).toMatchObject({ "InstanceId.1": "i-0b2b8d8e36c33a76b", "InstanceId.2": "i-0c3c9e9f47d44b87c", "Filter.1.Value.1": "spot" });
    expect(aws.callsTo("ec2", "DescribeInstances")[0]!.body).not.toHaveProperty("InstanceId.3");
    // The FIS role was simulated for the actions the template needs.
    expect(aws.callsTo("iam", "SimulatePrincipalPolicy")[0]!.body).toMatchObject({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/gameday-fis`, "ActionNames.member.1": expect.any(String) });
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("prints the resolved instances and the picked one in words", async () => {
    awsEnv();
    project();
    const out = captured();
    const aws = spotAccount(server);
    expect(await plan("spot-interrupt")).toBe(0);
    expect(aws.unhandled).toEqual([]);
    const text = out.join("");
    expect(text).toMatch(/interrupt-one-spot-instance \(spot-interrupt, .*spot-interrupt\.yaml:\d+\): 1 running spot instances of cluster prod tagged chaos=ok/);
    expect(text).toContain("    found    i-0b2b8d8e36c33a76b\n");
    expect(text).toContain("    hits     i-0b2b8d8e36c33a76b (picked by the seed; FIS gets exactly these ARNs)");
    expect(text).not.toContain("i-0a1b2c3d4e5f60001");
    expect(text).toContain("dry run: nothing was changed");
  });

  it("refuses a blast radius over the cap (exit 2), naming the step and the gameday.yaml key", async () => {
    awsEnv();
    const dir = project();
    // The catalog's task-kill, asking for both of the service's two tasks: over the default cap of 1.
    writeFileSync(join(dir, "kill-two.yaml"), readFileSync(join(CATALOG, "task-kill.yaml"), "utf8").replace("select: COUNT(1)", "select: COUNT(2)"));
    const out = captured();
    const aws = twoTasksAccount();
    expect(await plan("kill-two.yaml")).toBe(2);
    expect(aws.unhandled).toEqual([]);
    const text = out.join("");
    expect(text).toMatch(/REFUSED {2}it would hit 2 of the 2 running tasks of service web in cluster prod, over the cap of 1 \(default: .*\); gameday\.yaml key: guardrails\.maxTargets\.task-kill/);
    expect(text).toContain("guardrails refuse this run as it stands");
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("on AWS the allowed windows bind, on the real clock: a frozen today is refused (exit 2) with the next allowed start, asking AWS only read-only questions", async () => {
    awsEnv();
    const dir = project();
    // Yesterday, today and tomorrow frozen (UTC), whatever the hour the test runs at.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    writeFileSync(join(dir, "gameday.yaml"), `${readFileSync(join(dir, "gameday.yaml"), "utf8")}guardrails:\n  windows:\n    timezone: UTC\n    freeze: ["${day(-1)}", "${day(0)}", "${day(1)}"]\n`);
    const out = captured();
    const aws = twoTasksAccount();
    expect(await plan("task-kill")).toBe(2);
    expect(aws.unhandled).toEqual([]);
    const text = out.join("");
    expect(text).toMatch(new RegExp(`REFUSED: outside the allowed windows of gameday\\.yaml \\(guardrails\\.windows\\): (${day(0)}|${day(1)}) is a freeze date .*; the next allowed start is ${day(2)}T00:00:00\\.000Z`));
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("resolves a kinesis-throttle's stream through Kinesis and hands FIS its ARN", async () => {
    awsEnv();
    project();
    const out = captured();
    const aws = new AwsScenario(server)
      .reply("sts", "GetCallerIdentity", "allowed")
      .reply("kinesis", "DescribeStreamSummary", "ok")
      .reply("iam", "SimulatePrincipalPolicy", "allowed");
    expect(await plan("kinesis-throttle", { json: true })).toBe(0);
    expect(aws.unhandled).toEqual([]);
    const doc = JSON.parse(out.join(""));
    const arn = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/app-logs`;
    expect(doc.targets[0].found).toEqual([{ arn, id: "app-logs" }]);
    expect(doc.faults[0].template.targets.streams).toEqual({ resourceType: "aws:kinesis:stream", resourceArns: [arn], selectionMode: "ALL" });
    expect(aws.callsTo("kinesis", "DescribeStreamSummary").map((c) => c.body)).toEqual([{ StreamName: "app-logs" }]);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("refuses a drain of every ACTIVE instance of a cluster unless gameday.yaml allows that cluster by name", async () => {
    awsEnv();
    const dir = project();
    writeFileSync(
      join(dir, "drain-all.yaml"),
      ["title: drain all of prod", "method:", "  - fault: drain", "    name: drain-prod", "    target: { cluster: prod }", "    with: { percentage: 100, duration: PT5M }", ""].join("\n"),
    );
    const out = captured();
    const aws = spotAccount(server);
    expect(await plan("drain-all.yaml")).toBe(2);
    expect(aws.unhandled).toEqual([]);
    // Asked ECS for the ACTIVE ones only.
    expect(aws.callsTo("ecs", "ListContainerInstances").map((c) => c.body)).toEqual([{ cluster: "prod", status: "ACTIVE" }]);
    const text = out.join("");
    expect(text).toContain("REFUSED  it would drain all 2 ACTIVE container instances of cluster prod (percentage 100); gameday.yaml key: guardrails.allow.wholeClusterDrain: [prod]");
    expect(text).toContain("guardrails refuse this run as it stands");
  });

  it("a missing FIS role is a red line: the plan exits 4 and says what to do", async () => {
    awsEnv();
    project();
    const out = captured();
    const aws = spotAccount(server, "no-such-entity");
    expect(await plan("spot-interrupt")).toBe(4);
    expect(aws.unhandled).toEqual([]);
    const text = out.join("");
    expect(text).toContain("  MISSING: the role does not exist (The role with name gameday-fis cannot be found.)");
    expect(text).toContain(`RED LINE: the FIS role arn:aws:iam::${ACCOUNT}:role/gameday-fis does not exist on the target`);
  });

  it("a FIS role IAM denies an action is a red line too, naming the action", async () => {
    awsEnv();
    project();
    const out = captured();
    const aws = spotAccount(server, "implicit-deny");
    expect(await plan("spot-interrupt")).toBe(4);
    expect(aws.unhandled).toEqual([]);
    expect(out.join("")).toContain(`RED LINE: the FIS role arn:aws:iam::${ACCOUNT}:role/gameday-fis is not allowed ec2:SendSpotInstanceInterruptions (IAM SimulatePrincipalPolicy)`);
  });

  it("chaos run stops at the red line before anything starts: no alarm, no FIS call", async () => {
    awsEnv();
    project();
    captured();
    const aws = spotAccount(server, "no-such-entity");
    const err = await runCommand("spot-interrupt", { target: "aws", region: REGION, seed: "42", logFormat: "plain" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(aws.unhandled).toEqual([]);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(4);
    expect((err as CliError).message).toMatch(/^preflight: the FIS role .* does not exist on the target .*; nothing was started$/);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("EC2 throttling on the resolution is retried, and the plan goes on", async () => {
    awsEnv();
    project();
    const out = captured();
    // RequestLimitExceeded twice, then the region's answer.
    const aws = spotAccount(server).reply("ec2", "DescribeInstances", (call, n) => (n < 2 ? "throttled" : describeInstancesIn(REGION_INSTANCES)(call)));
    expect(await plan("spot-interrupt", { json: true })).toBe(0);
    expect(aws.unhandled).toEqual([]);
    expect(aws.callsTo("ec2", "DescribeInstances")).toHaveLength(3);
    expect(JSON.parse(out.join("")).targets[0].found.map((c: { id: string }) => c.id)).toEqual(["i-0b2b8d8e36c33a76b"]);
  });
});
