/**
 * The read-only calls `chaos lint` makes, answered by a served sandbox to another client than ours:
 * the AWS CLI (botocore) reads ELBv2 (awsQuery), EventBridge (awsJson1_1) and an instance's user
 * data (ec2Query) as a user's scripts would.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { awsCli, hasAwsCli } from "./aws-cli.js";
import { REPO, servesForThisFile, type Served } from "./cli.js";

vi.setConfig({ testTimeout: 60_000 });

const serve = servesForThisFile();
let served: Served | undefined;
beforeAll(async () => {
  if (!hasAwsCli) return;
  served = await serve(["--speed", "60", "--seed", "7", "--stack", `${REPO}fixtures/stacks/dereg-300.yaml`]);
}, 60_000);

/** `aws <service> <args>` against the served sandbox. */
const aws = (service: string, ...args: string[]) => awsCli(served!.endpoint, [service, ...args]);

type TargetGroups = { TargetGroups: { TargetGroupArn: string; TargetGroupName: string; LoadBalancerArns: string[]; HealthCheckIntervalSeconds: number }[] };

describe.skipIf(!hasAwsCli)("the AWS CLI reads what chaos lint reads from chaos sandbox serve", () => {
  it("elbv2 describe-target-groups and describe-target-group-attributes: the stack's 300 s deregistration delay", async () => {
    const { TargetGroups: [tg] } = (await aws("elbv2", "describe-target-groups")) as TargetGroups;
    expect(tg).toMatchObject({ TargetGroupName: "web", HealthCheckIntervalSeconds: 10 });
    const attrs = (await aws("elbv2", "describe-target-group-attributes", "--target-group-arn", tg!.TargetGroupArn)) as { Attributes: { Key: string; Value: string }[] };
    expect(attrs.Attributes).toContainEqual({ Key: "deregistration_delay.timeout_seconds", Value: "300" });
  });

  it("elbv2 describe-load-balancers and describe-target-health: the ALB in front of web and its six healthy targets", async () => {
    const { TargetGroups: [tg] } = (await aws("elbv2", "describe-target-groups")) as TargetGroups;
    const lbs = (await aws("elbv2", "describe-load-balancers")) as { LoadBalancers: { LoadBalancerArn: string; Type: string; State: { Code: string } }[] };
    expect(lbs.LoadBalancers.map((l) => l.LoadBalancerArn)).toEqual(tg!.LoadBalancerArns);
    expect(lbs.LoadBalancers[0]).toMatchObject({ Type: "application", State: { Code: "active" } });
    const health = (await aws("elbv2", "describe-target-health", "--target-group-arn", tg!.TargetGroupArn)) as { TargetHealthDescriptions: { TargetHealth: { State: string } }[] };
    expect(health.TargetHealthDescriptions.map((d) => d.TargetHealth.State)).toEqual(Array(6).fill("healthy"));
  });

  it("elbv2 names an unknown target group as ELB does", async () => {
    await expect(aws("elbv2", "describe-target-groups", "--names", "nope")).rejects.toThrow(/TargetGroupNotFound/);
  });

  it("events list-rules, list-targets-by-rule and test-event-pattern: the spot warning reaches the drain function", async () => {
    const rules = (await aws("events", "list-rules")) as { Rules: { Name: string; EventPattern: string; State: string }[] };
    expect(rules.Rules).toEqual([expect.objectContaining({ Name: "spot-drain", State: "ENABLED" })]);
    const targets = (await aws("events", "list-targets-by-rule", "--rule", "spot-drain")) as { Targets: { Arn: string }[] };
    expect(targets.Targets.map((t) => t.Arn)).toEqual(["arn:aws:lambda:us-east-1:123456789012:function:spot-drain"]);
    const warning = { id: "1", source: "aws.ec2", "detail-type": "EC2 Spot Instance Interruption Warning", account: "123456789012", time: "2020-11-25T13:00:00Z", region: "us-east-1", resources: [], detail: {} };
    const tested = await aws("events", "test-event-pattern", "--event-pattern", rules.Rules[0]!.EventPattern, "--event", JSON.stringify(warning));
    expect(tested).toEqual({ Result: true });
    await expect(aws("events", "list-targets-by-rule", "--rule", "nope")).rejects.toThrow(/ResourceNotFoundException/);
  });

  it("ec2 describe-instance-attribute userData: the ECS agent's config the instance booted with", async () => {
    const described = (await aws("ec2", "describe-instances")) as { Reservations: { Instances: { InstanceId: string }[] }[] };
    const id = described.Reservations[0]!.Instances[0]!.InstanceId;
    const attr = (await aws("ec2", "describe-instance-attribute", "--instance-id", id, "--attribute", "userData")) as { UserData: { Value: string } };
    const script = Buffer.from(attr.UserData.Value, "base64").toString();
    expect(script).toContain("echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config");
    expect(script).not.toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING");
  });
});
