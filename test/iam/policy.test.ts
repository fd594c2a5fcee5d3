import { describe, expect, it } from "vitest";
import { policyDocument } from "../../src/iam/policy.js";
import { forCloudFormation, terraformString, withValues } from "../../src/iac/pseudo.js";
import { ACCOUNT, REGION } from "../../src/iam/permission.js";
import { stableJson } from "../../src/iac/stable-json.js";

describe("policyDocument", () => {
  it("merges permissions on the same resources and conditions, and prints the same bytes whatever the order", () => {
    const a = { why: "read tasks", actions: ["ecs:DescribeTasks"], resources: ["arn:x:task/*"] };
    const b = { why: "list tasks", actions: ["ecs:ListTasks", "ecs:DescribeTasks"], resources: ["arn:x:task/*"] };
    const c = { why: "stop tasks", actions: ["ecs:StopTask"], resources: ["arn:x:task/*"], conditions: { ArnEquals: { "ecs:cluster": "arn:x:cluster/prod" } } };
    const one = policyDocument([a, b, c]);
    expect(one.Statement).toHaveLength(2);
    expect(one.Statement.find((s) => !s.Condition)!.Action).toEqual(["ecs:DescribeTasks", "ecs:ListTasks"]);
    expect(one.Statement.find((s) => s.Condition)!.Sid).toBe("StopTasks");
    expect(stableJson(policyDocument([c, b, a]))).toBe(stableJson(one));
    expect(new Set(one.Statement.map((s) => s.Sid)).size).toBe(2);
  });
});

describe("account and region placeholders", () => {
  const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
  it("become given values in JSON", () => {
    expect(withValues({ r: [arn] }, { accountId: "111122223333", region: "eu-west-1" })).toEqual({ r: ["arn:aws:ecs:eu-west-1:111122223333:cluster/prod"] });
  });
  it("become Fn::Sub in CloudFormation, other ${ escaped", () => {
    expect(forCloudFormation({ r: arn, plain: "x" })).toEqual({ r: { "Fn::Sub": arn }, plain: "x" });
    expect(forCloudFormation(`${arn}/\${literal}`)).toEqual({ "Fn::Sub": `${arn}/\${!literal}` });
  });
  it("become data source references in Terraform, other ${ escaped", () => {
    expect(terraformString(`${arn} \${x}`)).toBe("arn:aws:ecs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:cluster/prod $${x}");
  });
});

describe("an experiment without faults", () => {
  it("gives the FIS role no inline policy rather than one IAM would refuse for having no statements", async () => {
    const { iamCloudFormation, iamTerraform } = await import("../../src/iac/iam-stack.js");
    const input = { fisRole: [], runner: [{ why: "check the account", actions: ["sts:GetCallerIdentity"], resources: ["*"] }], roleArn: `arn:aws:iam::${ACCOUNT}:role/gameday-fis`, about: "test" };
    const cfn = iamCloudFormation(input) as { Resources: { GamedayFisRole: { Properties: { Policies: unknown[] } } } };
    expect(cfn.Resources.GamedayFisRole.Properties.Policies).toEqual([]);
    const tf = iamTerraform(input) as { resource: Record<string, unknown> };
    expect(Object.keys(tf.resource).sort()).toEqual(["aws_iam_policy", "aws_iam_role"]);
  });
});
