/**
 * The query-protocol APIs of a served sandbox through clients that are not ours: the AWS CLI v1
 * and boto3 (botocore) speak ec2Query to EC2 and awsQuery to STS and parse the XML answers, so a
 * user's scripts find the stack's instances and account as they would on AWS.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { awsCli, hasAwsCli, hasBoto3, python } from "./aws-cli.js";
import { servesForThisFile } from "./cli.js";

vi.setConfig({ testTimeout: 60_000 });

const serve = servesForThisFile();
let endpoint = "";
beforeAll(async () => {
  if (!hasAwsCli && !hasBoto3) return;
  endpoint = (await serve(["--seed", "7"])).endpoint;
}, 60_000);

const aws = (...args: string[]) => awsCli(endpoint, args);

describe.skipIf(!hasAwsCli)("the AWS CLI against the served sandbox's EC2 and STS", () => {
  it("describe-instances lists the default stack's three running spot instances of the chaos:ok group", async () => {
    const out = await aws("ec2", "describe-instances", "--filters", "Name=instance-lifecycle,Values=spot", "Name=tag:chaos,Values=ok", "Name=instance-state-name,Values=running");
    const instances = (out.Reservations as any[]).flatMap((r) => r.Instances as any[]);
    expect(instances).toHaveLength(3);
    for (const i of instances) {
      expect(i).toMatchObject({ InstanceLifecycle: "spot", State: { Name: "running", Code: 16 }, InstanceType: "m5.large" });
      expect(i.Tags).toContainEqual({ Key: "chaos", Value: "ok" });
    }
  });

  it("describe-instances pages through every instance with --page-size", async () => {
    const out = await aws("ec2", "describe-instances", "--page-size", "5");
    const ids = (out.Reservations as any[]).flatMap((r) => (r.Instances as any[]).map((i) => i.InstanceId as string));
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });

  it("an unknown instance id is EC2's InvalidInstanceID.NotFound error", async () => {
    const err = await aws("ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0").catch((e: { stderr: string }) => e);
    expect((err as { stderr: string }).stderr).toMatch(/\(InvalidInstanceID\.NotFound\).*i-0123456789abcdef0/);
  });

  it("sts get-caller-identity names the sandbox's account", async () => {
    const me = await aws("sts", "get-caller-identity");
    expect(me).toMatchObject({ Account: "123456789012", Arn: expect.stringMatching(/^arn:aws:sts::123456789012:assumed-role\//) });
  });
});

describe.skipIf(!hasBoto3)("boto3 against the served sandbox's EC2 and STS", () => {
  it("the describe_instances paginator and get_caller_identity", async () => {
    const script = `
import boto3, json, sys
ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name="us-east-1")
pages = ec2.get_paginator("describe_instances").paginate(Filters=[{"Name": "instance-lifecycle", "Values": ["spot"]}], PaginationConfig={"PageSize": 5})
ids = [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]]
sts = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1")
print(json.dumps({"ids": ids, "account": sts.get_caller_identity()["Account"]}))
`;
    const stdout = await python(script, [endpoint]);
    const out = JSON.parse(stdout) as { ids: string[]; account: string };
    expect(out.ids).toHaveLength(3);
    expect(out.ids.every((id) => /^i-[0-9a-f]{17}$/.test(id))).toBe(true);
    expect(out.account).toBe("123456789012");
  });
});
