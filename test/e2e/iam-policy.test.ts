/** `chaos iam-policy` as a user runs it: least-privilege policies from a catalog experiment. */
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, scratch } from "./cli.js";

interface Statement {
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string>>;
}

const statementsWith = (doc: { Statement: Statement[] }, action: string) => doc.Statement.filter((s) => s.Action.includes(action));

describe("chaos iam-policy", () => {
  it("scopes spot interruptions to the experiment's tagged instances and the runner to its own calls", async () => {
    const r = await chaos(["iam-policy", "spot-interrupt", "--account", "111122223333", "--region", "eu-west-1"], { cwd: scratch() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.fisRoleArn).toBe("arn:aws:iam::111122223333:role/gameday-fis");
    expect(doc.fisRoleTrustPolicy.Statement[0].Principal).toEqual({ Service: "fis.amazonaws.com" });
    const [spot] = statementsWith(doc.fisRolePolicy, "ec2:SendSpotInstanceInterruptions");
    expect(spot!.Resource).toEqual(["arn:aws:ec2:eu-west-1:111122223333:instance/*"]);
    expect(spot!.Condition).toEqual({ StringEquals: { "aws:ResourceTag/chaos": "ok" } });
    const [pass] = statementsWith(doc.runnerPolicy, "iam:PassRole");
    expect(pass!.Resource).toEqual(["arn:aws:iam::111122223333:role/gameday-fis"]);
    expect(pass!.Condition).toEqual({ StringEquals: { "iam:PassedToService": "fis.amazonaws.com" } });
    const runnerActions = doc.runnerPolicy.Statement.flatMap((s: Statement) => s.Action);
    for (const a of ["fis:CreateExperimentTemplate", "fis:StartExperiment", "fis:GetExperiment", "fis:StopExperiment", "sts:GetCallerIdentity", "ecs:DescribeServices", "cloudwatch:GetMetricData"]) expect(runnerActions).toContain(a);
    // Nothing the spot experiment does not do: no FIS action of another fault, no Kinesis.
    expect(JSON.stringify(doc.fisRolePolicy)).not.toMatch(/ecs:StopTask|kinesis:/);
    expect(runnerActions.some((a: string) => a.startsWith("kinesis:"))).toBe(false);
  });

  it("scopes task kills to the cluster with an ecs:cluster condition, as CloudFormation with pseudo-parameters", async () => {
    const r = await chaos(["iam-policy", "task-kill", "--format", "cloudformation"], { cwd: scratch() });
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    const role = t.Resources.GamedayFisRole;
    expect(role.Type).toBe("AWS::IAM::Role");
    expect(role.Properties.RoleName).toBe("gameday-fis");
    const stop = role.Properties.Policies[0].PolicyDocument.Statement.find((s: Statement) => s.Action.includes("ecs:StopTask"));
    expect(stop.Condition.ArnEquals["ecs:cluster"]).toEqual({ "Fn::Sub": "arn:aws:ecs:${AWS::Region}:${AWS::AccountId}:cluster/prod" });
    expect(t.Resources.GamedayRunnerPolicy.Type).toBe("AWS::IAM::ManagedPolicy");
    expect(r.stdout).not.toContain("123456789012");
  });

  it("prints Terraform JSON whose policies are JSON with data source references, the same bytes every time", async () => {
    const cwd = scratch();
    const [a, b] = await Promise.all([chaos(["iam-policy", "kinesis-throttle", "--format", "terraform"], { cwd }), chaos(["iam-policy", "kinesis-throttle", "--format", "terraform"], { cwd })]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const tf = JSON.parse(a.stdout);
    expect(Object.keys(tf.data).sort()).toEqual(["aws_caller_identity", "aws_region"]);
    const policy = JSON.parse(tf.resource.aws_iam_role_policy.gameday_fis.policy);
    expect(policy.Statement.flatMap((s: Statement) => s.Resource)).toContain("arn:aws:kinesis:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:stream/app-logs");
    expect(tf.resource.aws_iam_role_policy.gameday_fis.role).toBe("${aws_iam_role.gameday_fis.id}");
  });

  it("names a configured FIS role, and refuses an unknown format", async () => {
    const cwd = scratch();
    const custom = await chaos(["iam-policy", "task-kill", "--var", "fisRoleArn=arn:aws:iam::111122223333:role/teams/chaos-fis"], { cwd });
    expect(custom.code).toBe(0);
    expect(JSON.parse(custom.stdout).fisRoleArn).toBe("arn:aws:iam::111122223333:role/teams/chaos-fis");
    const bad = await chaos(["iam-policy", "task-kill", "--format", "yaml"], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--format: expected json, cloudformation, terraform");
  });

  it("refuses a --region that is not a region's name (exit 2, nothing printed) rather than writing it into every ARN", async () => {
    const cwd = scratch();
    for (const region of ["us-eest-1", "x y"]) {
      const r = await chaos(["iam-policy", "spot-interrupt", "--region", region], { cwd });
      expect([r.code, r.stdout, r.stderr]).toEqual([2, "", `chaos: iam-policy: --region: expected a region such as "us-east-1" (<area>-<direction>-<number>), found ${JSON.stringify(region)}\n`]);
    }
  });

  it("says why the FIS role needs nothing: no fault steps, or faults AWS FIS does not carry out with it", async () => {
    const cwd = scratch();
    writeFileSync(join(cwd, "calm.yaml"), "title: calm\ndescription: d\nmethod:\n  - pause: PT1M\n");
    const calm = await chaos(["iam-policy", "calm.yaml"], { cwd });
    expect([calm.code, calm.stderr]).toEqual([0, "chaos: calm.yaml has no fault steps: the FIS role needs no permissions for it\n"]);
    // Auto Scaling's own scale-in: gameday calls the API itself (runner policy), no FIS action.
    const scaleIn = await chaos(["iam-policy", "asg-scale-in"], { cwd });
    expect(scaleIn.code).toBe(0);
    expect(scaleIn.stderr).toMatch(/^chaos: asg-scale-in has no fault that AWS FIS carries out with this role \(those gameday carries out itself are in the runner policy/);
  });
});
