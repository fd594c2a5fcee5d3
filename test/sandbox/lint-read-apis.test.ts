/**
 * The sandbox's ELBv2 and EventBridge read APIs through the pinned SDK clients: what they answer
 * from the stack, how they narrow and page, and the error codes AWS gives for unknown resources.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DescribeLoadBalancersCommand, DescribeTargetGroupAttributesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListRulesCommand, ListTargetsByRuleCommand, TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { harness, stackYaml, type Harness } from "./harness.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let h: Harness;
beforeAll(async () => {
  h = await harness(
    stackYaml({
      targetGroups: "  - { name: web, deregistrationDelay: PT45S }",
      events: `events:
  rules:
    - { name: a-drain, pattern: { source: [aws.ec2], detail-type: [EC2 Spot Instance Interruption Warning] }, target: { handler: "builtin:spot-drain", environment: { CLUSTERS: prod } } }
    - { name: b-drain, pattern: { source: [aws.ec2] }, target: { handler: "builtin:spot-drain", environment: { CLUSTERS: prod } } }`,
    }),
  );
});
afterAll(() => h.close());

describe("ELBv2", () => {
  it("answers the stack's target group, its load balancer, its deregistration delay and its targets' health", async () => {
    const elb = await h.clients.elbv2();
    const { TargetGroups = [] } = await elb.send(new DescribeTargetGroupsCommand({ Names: ["web"] }));
    expect(TargetGroups).toHaveLength(1);
    const tg = TargetGroups[0]!;
    const { LoadBalancers = [] } = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: tg.LoadBalancerArns }));
    expect(LoadBalancers.map((l) => l.LoadBalancerArn)).toEqual(tg.LoadBalancerArns);
    const byLb = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: LoadBalancers[0]!.LoadBalancerArn }));
    expect(byLb.TargetGroups?.map((g) => g.TargetGroupArn)).toEqual([tg.TargetGroupArn]);
    const attrs = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect(attrs.Attributes).toContainEqual({ Key: "deregistration_delay.timeout_seconds", Value: "45" });
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    const running = h.sandbox.traffic.group("web")!.registered().length;
    expect(health.TargetHealthDescriptions).toHaveLength(running);
    for (const d of health.TargetHealthDescriptions ?? []) expect(d.Target?.Id).toMatch(/^10\.0\.\d+\.\d+$/);
  });

  it("names unknown target groups and load balancers with ELB's error codes", async () => {
    const elb = await h.clients.elbv2();
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: ["nope"] }))).rejects.toMatchObject({ name: "TargetGroupNotFoundException" });
    await expect(elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0" }))).rejects.toMatchObject({ name: "TargetGroupNotFoundException" });
    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: ["nope"] }))).rejects.toMatchObject({ name: "LoadBalancerNotFoundException" });
  });
});

describe("EventBridge", () => {
  it("lists the stack's rules with their patterns, a page at a time, and each rule's Lambda target", async () => {
    const events = await h.clients.events();
    const first = await events.send(new ListRulesCommand({ Limit: 1 }));
    expect(first.Rules?.map((r) => r.Name)).toEqual(["a-drain"]);
    const second = await events.send(new ListRulesCommand({ Limit: 1, NextToken: first.NextToken }));
    expect(second.Rules?.map((r) => r.Name)).toEqual(["b-drain"]);
    expect(second.NextToken).toBeUndefined();
    expect(JSON.parse(first.Rules![0]!.EventPattern!)).toEqual({ source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] });
    const prefixed = await events.send(new ListRulesCommand({ NamePrefix: "b-" }));
    expect(prefixed.Rules?.map((r) => r.Name)).toEqual(["b-drain"]);
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: "a-drain" }));
    expect(targets.Targets?.map((t) => t.Arn)).toEqual(["arn:aws:lambda:us-east-1:123456789012:function:spot-drain"]);
    await expect(events.send(new ListTargetsByRuleCommand({ Rule: "nope" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("TestEventPattern uses the sandbox's matcher and refuses a malformed pattern", async () => {
    const events = await h.clients.events();
    const event = JSON.stringify({ id: "1", source: "aws.ec2", "detail-type": "EC2 Instance Rebalance Recommendation", account: "123456789012", time: "2020-11-25T13:00:00Z", region: "us-east-1", resources: [], detail: {} });
    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"source":["aws.ec2"]}', Event: event }))).Result).toBe(true);
    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"detail-type":["EC2 Spot Instance Interruption Warning"]}', Event: event }))).Result).toBe(false);
    await expect(events.send(new TestEventPatternCommand({ EventPattern: '{"source":"aws.ec2"}', Event: event }))).rejects.toMatchObject({ name: "InvalidEventPatternException" });
  });
});
