/**
 * A served sandbox is one region's endpoint: a call signed for another region is refused as a
 * regional AWS endpoint refuses it (src/sandbox/protocol/credential-scope.ts), not answered with
 * this region's resources. Clients that are not ours (the AWS CLI, boto3) see AWS's error codes;
 * `chaos run --target` says which region the sandbox serves before it runs anything.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { cleanAwsEnv, hasAwsCli, hasBoto3 } from "./aws-cli.js";
import { REPO, chaos, freePort, scratch, servesForThisFile, start } from "./cli.js";

vi.setConfig({ testTimeout: 60_000 });

const run = promisify(execFile);
const serve = servesForThisFile();
let endpoint = "";
/** A sandbox of the default stack moved to eu-west-1: IAM and STS also take us-east-1 there. */
let euEndpoint = "";
let eu = "";
beforeAll(async () => {
  const dir = scratch();
  eu = join(dir, "eu.yaml");
  const stack = readFileSync(join(REPO, "fixtures/stacks/default.yaml"), "utf8");
  expect(stack).toMatch(/^region: us-east-1$/m);
  // The region and its Availability Zones (us-east-1a -> eu-west-1a).
  writeFileSync(eu, stack.replaceAll("us-east-1", "eu-west-1"));
  const [us, euServed] = await Promise.all([serve(["--speed", "60", "--seed", "7"]), serve(["--speed", "60", "--seed", "7", "--stack", eu])]);
  endpoint = us.endpoint;
  euEndpoint = euServed.endpoint;
}, 60_000);

/** `aws <args> --region <region>` against `at`: its exit code, output and error output. */
async function aws(at: string, region: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("aws", [...args, "--region", region, "--endpoint-url", at, "--output", "json"], { env: cleanAwsEnv() });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The refusal's message, after AWS's own words. */
const servesUsEast1 = /Credential should be scoped to a valid region, not 'eu-west-1'\. This gameday sandbox serves us-east-1 \(its stack's region\)/;

describe.skipIf(!hasAwsCli)("the AWS CLI signing for another region than the served sandbox's", () => {
  it("ecs list-clusters (awsJson) is refused with InvalidSignatureException naming the region served; us-east-1 still answers", async () => {
    const refused = await aws(endpoint, "eu-west-1", ["ecs", "list-clusters"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/An error occurred \(InvalidSignatureException\) when calling the ListClusters operation: /);
    expect(refused.stderr).toMatch(servesUsEast1);
    expect(refused.stderr).not.toMatch(/arn:aws:ecs/);

    const answered = await aws(endpoint, "us-east-1", ["ecs", "list-clusters"]);
    expect(answered.code).toBe(0);
    expect(JSON.parse(answered.stdout).clusterArns).toContain("arn:aws:ecs:us-east-1:123456789012:cluster/prod");
  });

  it("ec2 describe-instances (ec2Query) and autoscaling (awsQuery) are refused with SignatureDoesNotMatch", async () => {
    const ec2 = await aws(endpoint, "eu-west-1", ["ec2", "describe-instances"]);
    expect(ec2.code).not.toBe(0);
    expect(ec2.stderr).toMatch(/An error occurred \(SignatureDoesNotMatch\) when calling the DescribeInstances operation: /);
    expect(ec2.stderr).toMatch(servesUsEast1);
    const asg = await aws(endpoint, "eu-west-1", ["autoscaling", "describe-auto-scaling-groups"]);
    expect(asg.stderr).toMatch(/\(SignatureDoesNotMatch\) when calling the DescribeAutoScalingGroups operation: /);

    const answered = await aws(endpoint, "us-east-1", ["ec2", "describe-instances"]);
    expect(answered.code).toBe(0);
    expect(JSON.parse(answered.stdout).Reservations.length).toBeGreaterThan(0);
  });

  it("IAM and STS, which AWS signs for us-east-1, answer a eu-west-1 sandbox's clients signing for us-east-1 or eu-west-1, but no other region", async () => {
    for (const region of ["eu-west-1", "us-east-1"]) {
      const sts = await aws(euEndpoint, region, ["sts", "get-caller-identity"]);
      expect(sts.stderr).toBe("");
      expect(JSON.parse(sts.stdout).Account).toBe("123456789012");
      const role = await aws(euEndpoint, region, ["iam", "get-role", "--role-name", "gameday-sandbox"]);
      expect(role.stderr).toBe("");
      expect(JSON.parse(role.stdout).Role.Arn).toBe("arn:aws:iam::123456789012:role/gameday-sandbox");
    }
    const elsewhere = await aws(euEndpoint, "ap-south-1", ["sts", "get-caller-identity"]);
    expect(elsewhere.stderr).toMatch(/\(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation: Credential should be scoped to a valid region, not 'ap-south-1'\. This gameday sandbox serves eu-west-1/);
    // Regional services of a eu-west-1 sandbox take eu-west-1 only.
    expect((await aws(euEndpoint, "us-east-1", ["ecs", "list-clusters"])).stderr).toMatch(/\(InvalidSignatureException\).*not 'us-east-1'\. This gameday sandbox serves eu-west-1/);
    expect(JSON.parse((await aws(euEndpoint, "eu-west-1", ["ecs", "list-clusters"])).stdout).clusterArns).toContain("arn:aws:ecs:eu-west-1:123456789012:cluster/prod");
  });
});

describe.skipIf(!hasBoto3)("boto3 signing for another region than the served sandbox's", () => {
  it("gets ClientError InvalidSignatureException (HTTP 400) from ECS and SignatureDoesNotMatch (HTTP 403) from EC2", async () => {
    const script = [
      "import sys, boto3, botocore.exceptions",
      "for svc, call in (('ecs', 'list_clusters'), ('ec2', 'describe_instances'), ('fis', 'list_experiments')):",
      "    c = boto3.client(svc, endpoint_url=sys.argv[1], region_name='eu-west-1')",
      "    try:",
      "        getattr(c, call)()",
      "        print(svc, 'answered')",
      "    except botocore.exceptions.ClientError as e:",
      "        print(svc, e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error']['Message'])",
    ].join("\n");
    const { stdout } = await run("python3", ["-c", script, endpoint], { env: cleanAwsEnv() });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ecs InvalidSignatureException 400 Credential should be scoped to a valid region, not 'eu-west-1'\. This gameday sandbox serves us-east-1/);
    expect(lines[1]).toMatch(/^ec2 SignatureDoesNotMatch 403 Credential should be scoped to a valid region, not 'eu-west-1'\. /);
    expect(lines[2]).toMatch(/^fis InvalidSignatureException 403 /);
  });
});

describe("chaos run --target <served sandbox> --region <another>", () => {
  it("fails before running, naming the region the sandbox serves (exit 4, no stack trace)", async () => {
    const r = await chaos(["run", "spot-interrupt", "--target", endpoint, "--region", "eu-west-1", "--dry"], { cwd: scratch() });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`chaos: --region eu-west-1: the sandbox served at ${endpoint} serves us-east-1 (its stack's region), and refuses calls signed for another region as AWS does. Run with --region us-east-1, or serve a stack whose region: is eu-west-1.`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("AWS_REGION for another region is named as the source; with neither, the run takes the sandbox's region", async () => {
    const fromEnv = await chaos(["run", "spot-interrupt", "--target", euEndpoint, "--dry"], { cwd: scratch(), env: { AWS_REGION: "us-east-1" } });
    expect(fromEnv.code).toBe(4);
    expect(fromEnv.stderr).toContain("chaos: AWS_REGION us-east-1: the sandbox served at");
    expect(fromEnv.stderr).toContain("Run with --region eu-west-1 (or unset AWS_REGION)");

    const taken = await chaos(["run", "spot-interrupt", "--target", euEndpoint, "--dry"], { cwd: scratch(), env: { AWS_REGION: "" } });
    expect(taken.stderr).toBe("");
    expect(taken.code).toBe(0);
    expect(taken.stdout).toContain("eu-west-1");
  });
});

describe.skipIf(!hasAwsCli)("the variables chaos sandbox serve prints", () => {
  it("are all the AWS CLI v1 needs to reach it, in the region it serves (the CLI v1 reads AWS_DEFAULT_REGION, not AWS_REGION)", async () => {
    const port = await freePort();
    const s = start(["sandbox", "serve", "--port", String(port), "--speed", "60", "--seed", "7", "--stack", eu], { cwd: scratch() });
    let out = "";
    s.child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    try {
      await s.waitFor(/use it with: .*\n/);
      const printed = Object.fromEntries(/use it with: (.*)\n/.exec(out)![1]!.split(" ").map((kv) => kv.split("=") as [string, string]));
      const { AWS_DEFAULT_REGION: _ours, ...env } = cleanAwsEnv();
      const { stdout } = await run("aws", ["ecs", "list-clusters", "--output", "json"], { env: { ...env, ...printed } });
      expect((JSON.parse(stdout) as { clusterArns: string[] }).clusterArns).toEqual(["arn:aws:ecs:eu-west-1:123456789012:cluster/prod"]);
    } finally {
      s.child.kill("SIGTERM");
      await s.done;
    }
  });
});
