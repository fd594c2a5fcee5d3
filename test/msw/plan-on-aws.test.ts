/**
 * `chaos plan --target aws` (the read-only preflight `chaos run` passes first) on recorded
 * responses: it lists exactly the resources the target resolved to, refuses a blast radius over
 * the cap, draws a red line when the FIS role is missing or denied, and asks AWS only read-only
 * questions. msw fails any request nothing answers, so `calls` is everything that left.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer, fixture, withBody, type RecordedCall } from "./aws-handlers.js";
import { awsEnv } from "./env.js";
import { ACCOUNT, REGION } from "./aws-run.js";
import { describeInstancesIn, type RegionInstance } from "./ec2-region.js";
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

const ci = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/prod/${id}`;
/** prod's container instances and the EC2 instance behind each: one spot, one on-demand. */
const PROD: Record<string, string> = { [ci("0a1b2c3d4e5f")]: "i-0b2b8d8e36c33a76b", [ci("1b2c3d4e5f60")]: "i-0c3c9e9f47d44b87c" };
const REGION_INSTANCES: RegionInstance[] = [
  { id: "i-0b2b8d8e36c33a76b", az: "us-east-1a", lifecycle: "spot", tags: { chaos: "ok" } },
  { id: "i-0c3c9e9f47d44b87c", az: "us-east-1b", lifecycle: "on-demand", tags: { chaos: "ok" } },
  // Another cluster's spot instance with the same tag: a tag-only target would take it.
  { id: "i-0a1b2c3d4e5f60001", az: "us-east-1a", lifecycle: "spot", tags: { chaos: "ok" } },
];

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "gameday-msw-plan-"));
  writeFileSync(join(dir, "gameday.yaml"), `aws:\n  allow:\n    - account: "${ACCOUNT}"\n      regions: [${REGION}]\n`);
  process.chdir(dir);
  return dir;
}

function captured(): string[] {
  const out: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((t) => (out.push(String(t)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((t) => (out.push(String(t)), true));
  return out;
}

/** The account as a spot-interrupt plan reads it: STS, prod's container instances, EC2, and the FIS role's permissions. */
function spotAccount(role: string = "allowed"): AwsScenario {
  return new AwsScenario(server)
    .reply("sts", "GetCallerIdentity", "allowed")
    .reply("ecs", "ListContainerInstances", () => withBody(fixture("ecs", "ListContainerInstances", "one"), (b) => (b.containerInstanceArns = Object.keys(PROD))))
    .reply("ecs", "DescribeContainerInstances", (call: RecordedCall) =>
      withBody(fixture("ecs", "DescribeContainerInstances", "active"), (b) => {
        const [template] = b.containerInstances;
        b.containerInstances = (call.body as { containerInstances: string[] }).containerInstances.map((arn) => ({ ...template, containerInstanceArn: arn, ec2InstanceId: PROD[arn] }));
      }),
    )
    .reply("ec2", "DescribeInstances", describeInstancesIn(REGION_INSTANCES))
    .reply("iam", "SimulatePrincipalPolicy", role);
}

const plan = (experiment: string, o: { json?: boolean } = {}) => runCommand(experiment, { dry: true, target: "aws", region: REGION, seed: "42", logFormat: o.json ? "json" : "plain" });

/** Only read-only questions: Describe, List, Get, Simulate. */
const READ_ONLY = /^(sts|ecs|ec2|iam):(Describe|List|Get|Simulate)/;

describe("chaos plan --target aws", () => {
  it("lists exactly the cluster's running spot instances and the ARN FIS would get, asking AWS only read-only questions", async () => {
    awsEnv();
    project();
    const out = captured();
    const aws = spotAccount();
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
    const aws = spotAccount();
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
    const aws = new AwsScenario(server)
      .reply("sts", "GetCallerIdentity", "allowed")
      .reply("ecs", "ListTasks", "two")
      .reply("ecs", "DescribeTasks", "running")
      .reply("iam", "SimulatePrincipalPolicy", "allowed");
    expect(await plan("kill-two.yaml")).toBe(2);
    expect(aws.unhandled).toEqual([]);
    const text = out.join("");
    expect(text).toMatch(/REFUSED {2}it would hit 2 of the 2 running tasks of service web in cluster prod, over the cap of 1 \(default: .*\); gameday\.yaml key: guardrails\.maxTargets\.task-kill/);
    expect(text).toContain("guardrails refuse this run as it stands");
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("a missing FIS role is a red line: the plan exits 4 and says what to do", async () => {
    awsEnv();
    project();
    const out = captured();
    const aws = spotAccount("no-such-entity");
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
    const aws = spotAccount("implicit-deny");
    expect(await plan("spot-interrupt")).toBe(4);
    expect(aws.unhandled).toEqual([]);
    expect(out.join("")).toContain(`RED LINE: the FIS role arn:aws:iam::${ACCOUNT}:role/gameday-fis is not allowed ec2:SendSpotInstanceInterruptions (IAM SimulatePrincipalPolicy)`);
  });

  it("chaos run stops at the red line before anything starts: no alarm, no FIS call", async () => {
    awsEnv();
    project();
    captured();
    const aws = spotAccount("no-such-entity");
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
    const aws = spotAccount().reply("ec2", "DescribeInstances", (call, n) => (n < 2 ? "throttled" : describeInstancesIn(REGION_INSTANCES)(call)));
    expect(await plan("spot-interrupt", { json: true })).toBe(0);
    expect(aws.unhandled).toEqual([]);
    expect(aws.callsTo("ec2", "DescribeInstances")).toHaveLength(3);
    expect(JSON.parse(out.join("")).targets[0].found.map((c: { id: string }) => c.id)).toEqual(["i-0b2b8d8e36c33a76b"]);
  });
});
