import { afterEach, describe, expect, it } from "vitest";
import { StopTaskCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness;
afterEach(() => h?.close());

const oneTask = (app: string, extra: Partial<{ load: string; targetGroups: string; asg: string }> = {}) =>
  stackYaml({
    taskDefinitions: `  - { family: web, cpu: 512, memory: 1024, startup: PT5S, shutdown: PT1S, app: ${app} }`,
    services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 1, targetGroup: web }",
    load: extra.load ?? "load: { web: [{ constantUsersPerSec: { rate: 40 } }] }",
    ...(extra.targetGroups ? { targetGroups: extra.targetGroups } : {}),
    ...(extra.asg ? { asg: extra.asg } : {}),
  });

describe("the ALB in front of the web tasks", () => {
  it("answers 503 when no target is registered", async () => {
    h = await harness(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 20 } }] }" }));
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", desiredCount: 0 }));
    await h.advance(60_000);
    const t = h.clock.now();
    await h.advance(30_000);
    const s = h.sandbox.traffic.stats("web", t, h.clock.now());
    expect(s.requests).toBeGreaterThan(400);
    expect(s.byStatus).toEqual({ 503: s.requests });
    expect(s.availability).toBe(0);
  });

  it("a full thread pool refuses at once (502); a proxy backlog queues, then refuses when full", async () => {
    // One task, 2 threads of 100 ms: 20 requests/s of capacity against 40 offered.
    h = await harness(oneTask("{ threads: 2, serviceTime: { distribution: constant, value: 100ms } }"));
    let t = h.clock.now();
    await h.advance(60_000);
    const bare = h.sandbox.traffic.stats("web", t, h.clock.now());
    await h.close();
    h = await harness(oneTask("{ threads: 2, serviceTime: { distribution: constant, value: 100ms }, proxy: { backlog: 10 } }"));
    t = h.clock.now();
    await h.advance(60_000);
    const proxied = h.sandbox.traffic.stats("web", t, h.clock.now());

    // Without a proxy, every success took exactly the service time and the overflow failed fast.
    expect(bare.byStatus[502]).toBeGreaterThan(bare.requests * 0.3);
    expect(bare.max).toBe(100);
    expect(bare.byStatus[200]! / 60).toBeLessThanOrEqual(20.1);
    // With the proxy, requests wait in the backlog (up to 10 x 100 ms / 2 threads) and fewer fail.
    expect(proxied.p95).toBeGreaterThan(300);
    expect(proxied.max).toBeLessThanOrEqual(100 + 500 + 1e-6);
    expect(proxied.byStatus[502]).toBeGreaterThan(0);
    expect(proxied.byStatus[502]!).toBeLessThan(bare.byStatus[502]!);
  });

  it("lets a deregistering target finish what it has in flight: stopping a task costs no request", async () => {
    h = await harness(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 100 } }] }" }));
    const t = h.clock.now();
    const task = h.sandbox.ecs.clusters.get("prod")!.tasks.find((x) => x.service?.name === "web" && x.lastStatus === "RUNNING")!;
    await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: task.arn }));
    await h.advance(120_000);
    expect(task.lastStatus).toBe("STOPPED");
    const s = h.sandbox.traffic.stats("web", t, h.clock.now());
    expect(s.requests).toBeGreaterThan(10_000);
    expect(s.availability).toBe(1);
  });

  it("routes to a target on a dead host (502) until health checks mark it unhealthy; requests in flight fail with the host", async () => {
    // A slow app (requests in flight at the interruption) and an instance that stays shutting-down
    // long enough that only the health checks, not ECS, can take the dead target out.
    h = await harness(
      stackYaml({
        asg: "  - { name: asg, cluster: prod, instanceType: m5.large, onDemand: { count: 3 }, spot: { count: 3 }, timing: { shutdown: PT5M } }",
        taskDefinitions: "  - { family: web, cpu: 512, memory: 1024, startup: PT5S, app: { threads: 50, serviceTime: { distribution: constant, value: 2s } } }",
        services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 6, targetGroup: web, placementStrategy: [{ type: spread, field: instanceId }] }",
        load: "load: { web: [{ constantUsersPerSec: { rate: 60 } }] }",
      }),
    );
    const ci = h.sandbox.ecs.clusters.get("prod")!.containerInstances.find((c) => c.instance.lifecycle === "spot")!;
    const task = [...ci.tasks][0]!;
    const { at } = h.sandbox.interruptSpot(ci.instance.id, 120_000);
    await h.advance(120_000 + 60_000);
    const atKill = h.sandbox.traffic.stats("web", at, at + 1);
    expect(atKill.byStatus[502]).toBeGreaterThan(0); // the requests that were in flight
    const unhealthyAt = h.sandbox.kernel.trace.entries.find((e) => e.message.includes(`${task.id} healthy -> unhealthy`))!.at;
    // Two failed checks, 10 s apart.
    expect(unhealthyAt - at).toBeGreaterThan(10_000);
    expect(unhealthyAt - at).toBeLessThanOrEqual(20_000);
    const beforeUnhealthy = h.sandbox.traffic.stats("web", at + 1, unhealthyAt);
    const afterUnhealthy = h.sandbox.traffic.stats("web", unhealthyAt + 1, unhealthyAt + 30_000);
    // Round robin over six targets: about one request in six went to the dead one.
    expect(beforeUnhealthy.byStatus[502]! / beforeUnhealthy.requests).toBeGreaterThan(0.1);
    expect(afterUnhealthy.byStatus[502] ?? 0).toBe(0);
    expect(afterUnhealthy.requests).toBeGreaterThan(1000);
  });

  it("offers the stack's load, and drive() raises it", async () => {
    h = await harness(stackYaml({ load: "load: { web: [{ rampUsersPerSec: { from: 0, to: 20, during: PT20S } }, { constantUsersPerSec: { rate: 20 } }] }" }));
    expect(h.sandbox.traffic.services()).toEqual(["web"]);
    let t = h.clock.now();
    await h.advance(100_000);
    const steady = h.sandbox.traffic.stats("web", t, h.clock.now());
    expect(steady.requests / 100).toBeGreaterThan(16);
    expect(steady.requests / 100).toBeLessThan(24);
    h.sandbox.traffic.drive("web", 200);
    t = h.clock.now();
    await h.advance(100_000);
    const driven = h.sandbox.traffic.stats("web", t, h.clock.now());
    expect(driven.requests / 100).toBeGreaterThan(180);
    expect(driven.requests / 100).toBeLessThan(220);
    expect(() => h.sandbox.traffic.stats("api", 0, 1)).toThrow(/expected a load-balanced service \(web\), found "api"/);
    expect(() => h.sandbox.traffic.drive("web", -1)).toThrow(/expected a rate/);
  });
});
