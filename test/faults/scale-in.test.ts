/**
 * scale-in: lowers an Auto Scaling group's desired capacity (or terminates chosen instances) through
 * the Auto Scaling API while FIS only waits (FIS has no scale-in action), verifies that the
 * instances went into Terminating, and its ledger undo restores the desired capacity.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CompleteLifecycleActionCommand, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { rig, stackYaml, type Rig } from "./rig.js";
import { taskIdsOn } from "../sandbox/harness.js";
import { loadFault } from "../../src/faults/index.js";

let r: Rig;
afterEach(() => r?.close());

const stack = () => stackYaml({ asg: "  - { name: asg, cluster: prod, instanceType: m5.large, onDemand: { count: 4 }, minSize: 1, lifecycleHooks: [{ name: drain, heartbeatTimeout: PT5M }] }" });

async function group() {
  const asg = await r.h.clients.autoScaling();
  return (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["asg"] }))).AutoScalingGroups![0]!;
}

describe("scale-in fault", () => {
  it("compiles to an aws:fis:wait only and says FIS has no scale-in action", async () => {
    const module = (await loadFault("scale-in"))!;
    const fragment = module.compile({ params: module.params.parse({ count: 2 }), target: module.target.parse({ group: "asg" }), configuration: {}, region: "us-east-1", accountId: "123456789012" });
    expect(Object.values(fragment.actions).map((a) => a.actionId)).toEqual(["aws:fis:wait"]);
    expect(Object.values(fragment.actions)[0]!.description).toMatch(/FIS has no Auto Scaling scale-in action/);
    expect(module.description).toMatch(/FIS has no Auto Scaling scale-in action/);
  });

  it("lowers the desired capacity; the instances wait on the hook; the undo restores the capacity", async () => {
    r = await rig(stack());
    const started = await r.start("scale-in", { group: "asg" }, { count: 2, duration: "PT5M" });
    const v = await started.verify();
    expect(v.landed, v.detail).toBe(true);
    expect(v.detail).toMatch(/^desired capacity of asg 4 -> 2; leaving: i-\w+ Terminating:Wait, i-\w+ Terminating:Wait$/);
    expect((await group()).DesiredCapacity).toBe(2);

    const results = await r.undoPending((t) => t === "autoscaling-set-desired-capacity");
    expect(results.map((x) => [x.ok, x.detail])).toEqual([[true, "restored Auto Scaling group asg's desired capacity 2 -> 4"]]);
    expect((await group()).DesiredCapacity).toBe(4);
    // The two hooked instances still leave (nothing completes their action: ABANDON after 5 min); two new ones come up.
    await r.h.advance(600_000);
    const after = await group();
    expect(after.Instances!.map((i) => i.LifecycleState)).toEqual(["InService", "InService", "InService", "InService"]);
    const ids = after.Instances!.map((i) => i.InstanceId);
    for (const gone of v.evidence!.removed as string[]) expect(ids).not.toContain(gone);
  });

  it("by terminate: the chosen instances leave with the desired capacity decremented", async () => {
    r = await rig(stack());
    const started = await r.start("scale-in", { group: "asg" }, { count: 1, by: "terminate", duration: "PT5M" });
    const v = await started.verify();
    expect(v.landed, v.detail).toBe(true);
    const [removed] = v.evidence!.removed as string[];
    const asg = await r.h.clients.autoScaling();
    await asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: "asg", LifecycleHookName: "drain", InstanceId: removed, LifecycleActionResult: "CONTINUE" }));
    await r.h.advance(120_000);
    const after = await group();
    expect(after.DesiredCapacity).toBe(3);
    expect(after.Instances!.map((i) => i.InstanceId)).not.toContain(removed);
    expect(after.Instances).toHaveLength(3);
  });

  it("refuses to go below the group's minimum size and says so in verify", async () => {
    r = await rig(stack());
    const started = await r.start("scale-in", { group: "asg" }, { count: 4, duration: "PT5M" });
    const v = await started.verify();
    expect(v.landed).toBe(false);
    expect(v.detail).toBe("the scale-in did not happen: cannot take 4 out of asg: desired capacity 4, minimum size 1");
    expect((await group()).DesiredCapacity).toBe(4);
  });

  it("by idle: only instances that run no task go, and only while the cluster keeps its CPU and memory headroom", async () => {
    r = await rig(stack());
    const idle = r.h.sandbox.ec2.all().filter((i) => taskIdsOn(r.h.sandbox, i.id).length === 0).map((i) => i.id);
    expect(idle.length).toBeGreaterThan(0);
    const started = await r.start("scale-in", { group: "asg", cluster: "prod" }, { by: "idle", count: 3, headroom: 25, duration: "PT5M" });
    const v = await started.verify();
    expect(v.landed, v.detail).toBe(true);
    const removed = v.evidence!.removed as string[];
    expect(removed.length).toBeGreaterThan(0);
    for (const id of removed) expect(idle).toContain(id);
    expect((await group()).DesiredCapacity).toBe(4 - removed.length);
  });

  it("by idle with a headroom the cluster cannot keep without an instance: nothing is removed, and verify says why", async () => {
    r = await rig(stack());
    const started = await r.start("scale-in", { group: "asg", cluster: "prod" }, { by: "idle", count: 1, headroom: 90, duration: "PT5M" });
    const v = await started.verify();
    expect(v.landed).toBe(false);
    expect(v.detail).toBe("the scale-in did not happen: no instance of asg in prod is idle with 90% of CPU and memory to spare without it");
    expect((await group()).DesiredCapacity).toBe(4);
  });
});
