/**
 * Auto Scaling lifecycle hooks on instance termination, through the pinned AutoScalingClient
 * (awsQuery) against the embedded sandbox in virtual time. The timing is AWS's documented one:
 * - HeartbeatTimeout 30..7200 s, 3600 s by default; DefaultResult ABANDON by default
 *   (Amazon EC2 Auto Scaling API Reference, PutLifecycleHook).
 * - "The maximum amount of time that you can keep an instance in a wait state is 48 hours or 100
 *   times the heartbeat timeout, whichever is smaller" (User Guide, "Amazon EC2 Auto Scaling
 *   lifecycle hooks"; API Reference, LifecycleHook.GlobalTimeout).
 * - RecordLifecycleActionHeartbeat restarts the heartbeat timeout; when a timeout passes the
 *   default result applies, and for a terminating hook both CONTINUE and ABANDON terminate.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import type { AwsEvent } from "../../../src/sandbox/kernel.js";
import { parseStack } from "../../../src/sandbox/stack/load.js";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOOK = "drain";

async function start(hook: string, extra = ""): Promise<{ h: Harness; asg: AutoScalingClient; events: AwsEvent[] }> {
  h = await harness(stackYaml({ asg: `  - { name: asg, cluster: prod, instanceType: m5.large, onDemand: { count: 3 }, lifecycleHooks: [${hook}]${extra} }` }));
  const events: AwsEvent[] = [];
  h.sandbox.kernel.bus.subscribe((e) => {
    if (e.source === "aws.autoscaling") events.push(e);
  });
  return { h, asg: await h.clients.autoScaling(), events };
}

async function states(asg: AutoScalingClient): Promise<Record<string, string>> {
  const out = await asg.send(new DescribeAutoScalingInstancesCommand({}));
  return Object.fromEntries((out.AutoScalingInstances ?? []).map((i) => [i.InstanceId!, i.LifecycleState!]));
}

async function waiting(asg: AutoScalingClient): Promise<string[]> {
  return Object.entries(await states(asg))
    .filter(([, s]) => s === "Terminating:Wait")
    .map(([id]) => id);
}

describe("lifecycle hook settings", () => {
  it("DescribeLifecycleHooks: the defaults (3600 s heartbeat, ABANDON) and the global timeout min(100 x heartbeat, 48 h)", async () => {
    const { asg } = await start(`{ name: ${HOOK} }, { name: short, heartbeatTimeout: PT30S, defaultResult: CONTINUE }, { name: long, heartbeatTimeout: PT2H }`);
    const hooks = (await asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: "asg" }))).LifecycleHooks ?? [];
    expect(hooks.map((x) => [x.LifecycleHookName, x.HeartbeatTimeout, x.GlobalTimeout, x.DefaultResult, x.LifecycleTransition])).toEqual([
      // 100 x 3600 s = 100 h, above 48 h: the 48 h cap applies.
      [HOOK, 3600, 172_800, "ABANDON", "autoscaling:EC2_INSTANCE_TERMINATING"],
      // 100 x 30 s = 3000 s, below 48 h.
      ["short", 30, 3000, "CONTINUE", "autoscaling:EC2_INSTANCE_TERMINATING"],
      ["long", 7200, 172_800, "ABANDON", "autoscaling:EC2_INSTANCE_TERMINATING"],
    ]);
  });

  it("a stack refuses a heartbeat timeout outside AWS's 30..7200 s, naming the field", () => {
    const yaml = stackYaml({ asg: "  - { name: asg, cluster: prod, instanceType: m5.large, onDemand: { count: 3 }, lifecycleHooks: [{ name: x, heartbeatTimeout: PT10S }] }" });
    expect(() => parseStack(yaml, "hooks.yaml")).toThrow(/hooks\.yaml:\d+:\d+: autoScalingGroups\[0\]\.lifecycleHooks\[0\]\.heartbeatTimeout: expected a heartbeat timeout of whole seconds from PT30S to PT2H/);
  });
});

describe("scale-in through a lifecycle hook", () => {
  it("SetDesiredCapacity lower: the chosen instance waits in Terminating:Wait and the EventBridge event names it; CONTINUE terminates it with no replacement", async () => {
    const { h, asg, events } = await start(`{ name: ${HOOK}, heartbeatTimeout: PT5M, notificationMetadata: prod }`);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "asg", DesiredCapacity: 2 }));
    const [victim, ...more] = await waiting(asg);
    expect(more).toEqual([]);
    expect(events.map((e) => [e["detail-type"], e.detail.EC2InstanceId, e.detail.LifecycleHookName, e.detail.LifecycleTransition, e.detail.NotificationMetadata])).toEqual([
      ["EC2 Instance-terminate Lifecycle Action", victim, HOOK, "autoscaling:EC2_INSTANCE_TERMINATING", "prod"],
    ]);
    expect(events[0]!.detail.LifecycleActionToken).toMatch(/^[0-9a-f-]{36}$/);

    await h.advance(60_000);
    expect(h.sandbox.ec2.get(victim!)!.state).toBe("running");
    await asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: "asg", LifecycleHookName: HOOK, InstanceId: victim, LifecycleActionResult: "CONTINUE" }));
    expect((await states(asg))[victim!]).toBe("Terminating:Proceed");
    await h.advance(120_000);
    expect(h.sandbox.ec2.get(victim!)!.state).toBe("terminated");
    const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["asg"] }))).AutoScalingGroups![0]!;
    expect(group.DesiredCapacity).toBe(2);
    expect(group.Instances!.map((i) => i.LifecycleState)).toEqual(["InService", "InService"]);
    const activity = (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "asg" }))).Activities![0]!;
    expect([activity.Description, activity.StatusCode]).toEqual([`Terminating EC2 instance: ${victim}`, "Successful"]);
    expect(activity.Cause).toMatch(/changing the desired capacity from 3 to 2/);
  });

  it("no heartbeat: the default result applies when the heartbeat timeout passes, and a late Complete is refused", async () => {
    const { h, asg } = await start(`{ name: ${HOOK}, heartbeatTimeout: PT60S, defaultResult: ABANDON }`);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "asg", DesiredCapacity: 2 }));
    const [victim] = await waiting(asg);
    await h.advance(59_000);
    expect(await waiting(asg)).toEqual([victim]);
    await h.advance(1_000);
    expect((await states(asg))[victim!]).toBe("Terminating:Proceed");
    expect(h.sandbox.ec2.get(victim!)!.state).toBe("shutting-down");
    await expect(asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: "asg", LifecycleHookName: HOOK, InstanceId: victim, LifecycleActionResult: "CONTINUE" }))).rejects.toMatchObject({
      name: "ValidationError",
      message: `No active Lifecycle Action found with instance ID ${victim}`,
    });
  });

  it("heartbeats restart the heartbeat timeout but cannot keep the instance past the global timeout (100 x heartbeat)", async () => {
    const { h, asg } = await start(`{ name: ${HOOK}, heartbeatTimeout: PT30S, defaultResult: CONTINUE }`);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "asg", DesiredCapacity: 2 }));
    const [victim] = await waiting(asg);
    // A heartbeat every 20 s: each one moves the 30 s deadline on, up to 100 x 30 s = 3000 s.
    for (let t = 20_000; t < 3_000_000; t += 20_000) {
      await h.advance(20_000);
      await asg.send(new RecordLifecycleActionHeartbeatCommand({ AutoScalingGroupName: "asg", LifecycleHookName: HOOK, InstanceId: victim }));
    }
    expect(await waiting(asg)).toEqual([victim]);
    await h.advance(19_999);
    expect(await waiting(asg)).toEqual([victim]);
    await h.advance(1);
    expect((await states(asg))[victim!]).toBe("Terminating:Proceed");
  });

  it("the action can be addressed by its token, and ABANDON also terminates a terminating instance", async () => {
    const { h, asg, events } = await start(`{ name: ${HOOK} }`);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "asg", DesiredCapacity: 2 }));
    const token = String(events[0]!.detail.LifecycleActionToken);
    const victim = String(events[0]!.detail.EC2InstanceId);
    await asg.send(new RecordLifecycleActionHeartbeatCommand({ AutoScalingGroupName: "asg", LifecycleHookName: HOOK, LifecycleActionToken: token }));
    await asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: "asg", LifecycleHookName: HOOK, LifecycleActionToken: token, LifecycleActionResult: "ABANDON" }));
    await h.advance(60_000);
    expect(h.sandbox.ec2.get(victim)!.state).toBe("terminated");
  });
});

describe("TerminateInstanceInAutoScalingGroup and SetDesiredCapacity bounds", () => {
  it("without decrementing the desired capacity, the group launches a replacement once the instance is gone", async () => {
    const { h, asg } = await start(`{ name: ${HOOK} }`);
    const [first] = Object.keys(await states(asg));
    const out = await asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: first, ShouldDecrementDesiredCapacity: false }));
    expect(out.Activity?.Description).toBe(`Terminating EC2 instance: ${first}`);
    expect(out.Activity?.Cause).toMatch(/taken out of service in response to a user request\.$/);
    await asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: "asg", LifecycleHookName: HOOK, InstanceId: first, LifecycleActionResult: "CONTINUE" }));
    await h.advance(120_000);
    const after = await states(asg);
    expect(first! in after).toBe(false);
    expect(Object.values(after)).toEqual(["InService", "InService", "InService"]);
  });

  it("with decrementing, no replacement; below minSize is refused as AWS refuses it", async () => {
    const { h, asg } = await start(`{ name: ${HOOK} }`, ", minSize: 2, maxSize: 4");
    const [first, second] = Object.keys(await states(asg));
    await asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: first, ShouldDecrementDesiredCapacity: true }));
    await expect(asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: second, ShouldDecrementDesiredCapacity: true }))).rejects.toMatchObject({
      name: "ValidationError",
      message: "Currently, desiredCapacity=2 and minSize=2, so cannot decrement.",
    });
    await asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: "asg", LifecycleHookName: HOOK, InstanceId: first, LifecycleActionResult: "CONTINUE" }));
    await h.advance(120_000);
    expect(Object.keys(await states(asg))).toHaveLength(2);
    await expect(asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "asg", DesiredCapacity: 5 }))).rejects.toMatchObject({
      name: "ValidationError",
      message: "New SetDesiredCapacity value 5 is above max value 4 for the AutoScalingGroup.",
    });
  });
});
