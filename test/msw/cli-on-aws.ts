/**
 * Helpers for in-process CLI commands against `--target aws` under msw: a project directory with
 * gameday.yaml allowing the test account (made the working directory, as a user runs the CLI
 * there), captured output, and the account a spot-interrupt resolution reads.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import type { setupServer } from "msw/node";
import { AwsScenario, fixture, withBody, type RecordedCall } from "./aws-handlers.js";
import { ACCOUNT, REGION } from "./aws-run.js";
import { describeInstancesIn, type RegionInstance } from "./ec2-region.js";

type SetupServerApi = ReturnType<typeof setupServer>;

/** Only read-only questions (Describe, List, Get, Simulate), and none to FIS. */
export const READ_ONLY = /^(sts|ecs|ec2|iam|kinesis):(Describe|List|Get|Simulate)/;

const ci = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/prod/${id}`;
/** prod's container instances and the EC2 instance behind each: one spot, one on-demand. */
export const PROD: Record<string, string> = { [ci("0a1b2c3d4e5f")]: "i-0b2b8d8e36c33a76b", [ci("1b2c3d4e5f60")]: "i-0c3c9e9f47d44b87c" };
export const REGION_INSTANCES: RegionInstance[] = [
  { id: "i-0b2b8d8e36c33a76b", az: "us-east-1a", lifecycle: "spot", tags: { chaos: "ok" } },
  { id: "i-0c3c9e9f47d44b87c", az: "us-east-1b", lifecycle: "on-demand", tags: { chaos: "ok" } },
  // Another cluster's spot instance with the same tag: a tag-only target would take it.
  { id: "i-0a1b2c3d4e5f60001", az: "us-east-1a", lifecycle: "spot", tags: { chaos: "ok" } },
];

export function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "gameday-msw-cli-"));
  writeFileSync(join(dir, "gameday.yaml"), `aws:\n  allow:\n    - account: "${ACCOUNT}"\n      regions: [${REGION}]\n`);
  process.chdir(dir);
  return dir;
}

export function captured(): string[] {
  const out: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((t) => (out.push(String(t)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((t) => (out.push(String(t)), true));
  return out;
}

/** The account as a spot-interrupt plan reads it: STS, prod's container instances, EC2, and the FIS role's permissions. */
export function spotAccount(server: SetupServerApi, role: string = "allowed"): AwsScenario {
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

