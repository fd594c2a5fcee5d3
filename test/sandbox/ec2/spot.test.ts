import { afterEach, describe, expect, it } from "vitest";
import { DescribeContainerInstancesCommand, DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { harness, stackYaml, type Harness } from "../harness.js";
import { ImdsUnreachable } from "../../../src/sandbox/services/ec2/imds.js";
import type { AwsEvent } from "../../../src/sandbox/kernel.js";

let h: Harness;
afterEach(() => h?.close());

const spotWithWeb = (h: Harness) => {
  const cluster = h.sandbox.ecs.clusters.get("prod")!;
  const ci = cluster.containerInstances.find((c) => c.instance.lifecycle === "spot" && [...c.tasks].some((t) => t.service?.name === "web"))!;
  return ci;
};

const events = (h: Harness) => {
  const seen: { at: number; event: AwsEvent }[] = [];
  h.sandbox.kernel.bus.subscribe((event) => seen.push({ at: h.clock.now(), event }));
  return seen;
};

describe("spot interruptions", () => {
  it("issues the rebalance recommendation at once, the warning two minutes before, and IMDS follows", async () => {
    h = await harness(stackYaml({ services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 6, targetGroup: web, placementStrategy: [{ type: spread, field: instanceId }] }" }));
    const ci = spotWithWeb(h);
    const id = ci.instance.id;
    const seen = events(h);
    expect(h.sandbox.imds(id, "/latest/meta-data/spot/instance-action").status).toBe(404);
    expect(h.sandbox.imds(id, "events/recommendations/rebalance").status).toBe(404);
    expect(h.sandbox.imds(id, "instance-life-cycle").body).toBe("spot");
    const t0 = h.clock.now();
    const { at } = h.sandbox.interruptSpot(id, 300_000);
    expect(at).toBe(t0 + 300_000);

    const rebalance = h.sandbox.imds(id, "/latest/meta-data/events/recommendations/rebalance");
    expect(rebalance.status).toBe(200);
    expect(JSON.parse(rebalance.body)).toEqual({ noticeTime: new Date(Math.floor(t0 / 1000) * 1000).toISOString().replace(".000Z", "Z") });
    expect(h.sandbox.imds(id, "spot/instance-action").status).toBe(404);

    await h.advance(179_000);
    expect(h.sandbox.imds(id, "spot/instance-action").status).toBe(404);
    await h.advance(1_000);
    const notice = h.sandbox.imds(id, "/latest/meta-data/spot/instance-action");
    expect(notice.status).toBe(200);
    expect(JSON.parse(notice.body)).toEqual({ action: "terminate", time: new Date(at).toISOString().replace(".000Z", "Z") });

    const ec2Events = seen.filter((s) => s.event.source === "aws.ec2" && s.event["detail-type"] !== "EC2 Instance State-change Notification");
    expect(ec2Events.map((s) => [s.at - t0, s.event["detail-type"]])).toEqual([
      [0, "EC2 Instance Rebalance Recommendation"],
      [180_000, "EC2 Spot Instance Interruption Warning"],
    ]);
    const warning = ec2Events[1]!.event;
    expect(warning).toMatchObject({
      version: "0",
      source: "aws.ec2",
      account: "123456789012",
      region: "us-east-1",
      resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${id}`],
      detail: { "instance-id": id, "instance-action": "terminate" },
    });
    expect(warning.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("terminates at the time: remaining tasks stop as AWS reports a terminated host, the instance goes INACTIVE, and the ASG replaces it", async () => {
    h = await harness(stackYaml({ services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 6, targetGroup: web, placementStrategy: [{ type: spread, field: instanceId }] }" }));
    const ci = spotWithWeb(h);
    const task = [...ci.tasks].find((t) => t.service?.name === "web")!;
    h.sandbox.interruptSpot(ci.instance.id, 120_000);
    await h.advance(120_000);
    expect(ci.instance.state).toBe("shutting-down");
    expect(ci.agentConnected).toBe(false);
    await h.advance(10_000);
    expect(ci.instance.state).toBe("terminated");
    const [described] = (await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [task.arn] }))).tasks!;
    expect(described).toMatchObject({ lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "TerminationNotice", stoppedReason: `Host EC2 (instance ${ci.instance.id}) terminated.` });
    const [inactive] = (await h.ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: [ci.arn] }))).containerInstances!;
    expect(inactive).toMatchObject({ status: "INACTIVE", agentConnected: false });

    // ASG: 30 s to notice, 40 s pending, 10 s for the agent to register.
    await h.advance(81_000);
    const replacement = h.sandbox.ec2.all().find((i) => i.launchTime > ci.instance.launchTime && i.lifecycle === "spot")!;
    expect(replacement.state).toBe("running");
    expect(replacement.tags).toMatchObject({ chaos: "ok", "aws:autoscaling:groupName": "asg" });
    expect(h.sandbox.ecs.containerInstanceOf(replacement.id)?.status).toBe("ACTIVE");
    await h.sandbox.ready();
  });

  it("with ECS_ENABLE_SPOT_INSTANCE_DRAINING the agent sets DRAINING within a second of the notice, once", async () => {
    h = await harness(stackYaml({ cluster: "  - { name: prod, spotInstanceDraining: true }" }));
    const ci = h.sandbox.ecs.clusters.get("prod")!.containerInstances.find((c) => c.instance.lifecycle === "spot")!;
    const t0 = h.clock.now();
    h.sandbox.interruptSpot(ci.instance.id, 240_000);
    await h.advance(119_000);
    expect(ci.status).toBe("ACTIVE");
    await h.advance(2_000);
    expect(ci.status).toBe("DRAINING");
    const drains = h.sandbox.kernel.trace.entries.filter((e) => e.kind === "spot-drain");
    expect(drains).toHaveLength(1);
    expect(drains[0]!.at - t0 - 120_000).toBeGreaterThanOrEqual(0);
    expect(drains[0]!.at - t0 - 120_000).toBeLessThanOrEqual(1_000);
  });

  it("without a handler or agent draining, nothing drains before the end", async () => {
    h = await harness(stackYaml());
    const ci = h.sandbox.ecs.clusters.get("prod")!.containerInstances.find((c) => c.instance.lifecycle === "spot")!;
    h.sandbox.interruptSpot(ci.instance.id, 120_000);
    await h.advance(119_000);
    expect(ci.status).toBe("ACTIVE");
  });

  it("refuses what FIS cannot interrupt, and IMDS stops answering once the instance is gone", async () => {
    h = await harness(stackYaml());
    const onDemand = h.sandbox.ec2.all().find((i) => i.lifecycle === "on-demand")!;
    expect(() => h.sandbox.interruptSpot(onDemand.id, 120_000)).toThrow(/on-demand instance, not a spot instance/);
    expect(() => h.sandbox.imds("i-0000000000000000", "instance-id")).toThrow(ImdsUnreachable);
    const spot = h.sandbox.ec2.all().find((i) => i.lifecycle === "spot")!;
    h.sandbox.interruptSpot(spot.id, 120_000);
    await h.advance(121_000);
    expect(() => h.sandbox.imds(spot.id, "spot/instance-action")).toThrow(/no longer answers/);
  });
});
