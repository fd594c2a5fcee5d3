import { afterEach, describe, expect, it } from "vitest";
import { DescribeServicesCommand, RunTaskCommand, StopTaskCommand, UpdateContainerInstancesStateCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { harness, stackYaml, type Harness } from "../harness.js";
import type { Task } from "../../../src/sandbox/services/ecs/model.js";

let h: Harness;
afterEach(() => h?.close());

const webTasks = (h: Harness, live = true): Task[] =>
  h.sandbox.ecs.clusters.get("prod")!.tasks.filter((t) => t.service?.name === "web" && (!live || t.desiredStatus === "RUNNING"));

/** When the trace first says `pattern` (virtual ms), or undefined. */
function when(h: Harness, pattern: RegExp): number | undefined {
  return h.sandbox.kernel.trace.entries.find((e) => pattern.test(e.message))?.at;
}

async function drain(h: Harness, instanceId: string): Promise<void> {
  const ci = h.sandbox.ecs.containerInstanceOf(instanceId)!;
  await h.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: "prod", containerInstances: [ci.arn], status: "DRAINING" }));
}

describe("task placement", () => {
  it("binpacks on memory: tasks fill the fullest instance that still fits", async () => {
    h = await harness(stackYaml({ services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 6, targetGroup: web, placementStrategy: [{ type: binpack, field: memory }] }" }));
    const perHost = new Map<string, number>();
    for (const t of webTasks(h)) perHost.set(t.containerInstance!.id, (perHost.get(t.containerInstance!.id) ?? 0) + 1);
    // An m5.large has 2048 CPU units: four 512-unit tasks fill one, the other two go on a second one.
    expect([...perHost.values()].sort()).toEqual([2, 4]);
  });

  it("spreads over AZs first, then binpacks within an AZ", async () => {
    h = await harness(stackYaml({ services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 6, targetGroup: web }" }));
    const perAz = new Map<string, Set<string>>();
    for (const t of webTasks(h)) {
      const set = perAz.get(t.availabilityZone) ?? new Set<string>();
      set.add(t.containerInstance!.id);
      perAz.set(t.availabilityZone, set);
    }
    expect([...perAz.keys()].sort()).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
    // Two tasks per AZ, packed onto one of the AZ's two instances.
    for (const hosts of perAz.values()) expect(hosts.size).toBe(1);
  });

  it("cannot place without room: the service says why, and places the task once room frees up", async () => {
    h = await harness(
      stackYaml({
        instanceTypes: "instanceTypes: { tiny: { cpu: 4096, memory: 2100 } }",
        asg: "  - { name: asg, cluster: prod, instanceType: tiny, onDemand: { count: 2 } }",
        services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 3, targetGroup: web }",
      }),
    );
    // Two web tasks (1024 MiB each) fill one instance; the other has one, and room for a batch task (512 MiB).
    const batch = await h.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "batch" }));
    expect(batch.tasks).toHaveLength(1);
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", desiredCount: 4 }));
    await h.advance(60_000);
    let svc = (await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }))).services![0]!;
    expect(svc.runningCount).toBe(3);
    expect(svc.pendingCount).toBe(0);
    expect(svc.events!.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^\(service web\) was unable to place a task because no container instance met all of its requirements\. The closest matching \(container-instance \w+\) has insufficient memory available\./),
    );
    await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: batch.tasks![0]!.taskArn! }));
    await h.advance(60_000);
    svc = (await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }))).services![0]!;
    expect(svc.runningCount).toBe(4);
  });
});

describe("services", () => {
  it("run Fargate tasks with no container instance, spread over the AZs", async () => {
    h = await harness(
      stackYaml({
        services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 1, targetGroup: web }\n  - { name: worker, cluster: prod, taskDefinition: batch, launchType: FARGATE, desiredCount: 3 }",
      }),
    );
    const workers = h.sandbox.ecs.clusters.get("prod")!.tasks.filter((t) => t.service?.name === "worker");
    expect(workers.map((t) => [t.launchType, t.lastStatus, t.containerInstance])).toEqual(Array(3).fill(["FARGATE", "RUNNING", undefined]));
    expect(new Set(workers.map((t) => t.availabilityZone)).size).toBe(3);
  });

  it("ready() says which service cannot come up, and why", async () => {
    h = await harness(stackYaml({ services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 30, targetGroup: web }" }), { ready: false });
    await expect(h.sandbox.ready({ within: 300_000 })).rejects.toThrow(/did not come up within 300 s: service web: 24 of 30 tasks running and healthy \(.*unable to place a task.*insufficient CPU/);
  });
});

describe("replacement on DRAINING within minimumHealthyPercent and maximumPercent", () => {
  it("at 100 % the replacement starts first and the old task stops once the new one is healthy", async () => {
    h = await harness(stackYaml());
    const old = webTasks(h)[0]!;
    await drain(h, old.containerInstance!.instance.id);
    await h.advance(1);
    const during = webTasks(h);
    expect(during).toHaveLength(4);
    expect(old.desiredStatus).toBe("RUNNING");
    await h.advance(120_000);
    const fresh = during.find((t) => t.createdAt > old.createdAt)!;
    const healthyAt = when(h, new RegExp(`${fresh.id} initial -> healthy`))!;
    expect(old.stopCode).toBe("ServiceSchedulerInitiated");
    expect(old.stoppedReason).toBe("Service web: container instance is in DRAINING state");
    expect(old.stoppingAt).toBeGreaterThanOrEqual(healthyAt);
    expect(old.lastStatus).toBe("STOPPED");
  });

  it("below 100 % the scheduler may stop first", async () => {
    h = await harness(
      stackYaml({
        services: `  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 4, minimumHealthyPercent: 50, maximumPercent: 100, targetGroup: web,
      placementStrategy: [{ type: spread, field: instanceId }] }`,
      }),
    );
    const [a, b] = webTasks(h);
    await drain(h, a!.containerInstance!.instance.id);
    await drain(h, b!.containerInstance!.instance.id);
    await h.advance(1);
    // Both stop at once (4 healthy, 2 needed) and nothing new could start yet (maximumPercent 100).
    expect(a!.desiredStatus).toBe("STOPPED");
    expect(b!.desiredStatus).toBe("STOPPED");
    await h.advance(120_000);
    const fresh = webTasks(h).filter((t) => t.createdAt > a!.createdAt);
    expect(fresh).toHaveLength(2);
    for (const t of fresh) expect(t.createdAt).toBeGreaterThanOrEqual(Math.max(a!.stoppingAt!, b!.stoppingAt!));
    expect(webTasks(h).filter((t) => t.lastStatus === "RUNNING")).toHaveLength(4);
  });

  it("at 100 % with maximumPercent 100 nothing can move, as on AWS", async () => {
    h = await harness(stackYaml({ services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 3, maximumPercent: 100, targetGroup: web }" }));
    const old = webTasks(h)[0]!;
    await drain(h, old.containerInstance!.instance.id);
    await h.advance(300_000);
    expect(old.lastStatus).toBe("RUNNING");
    expect(old.desiredStatus).toBe("RUNNING");
  });

  it("leaves standalone (RunTask) tasks alone on a DRAINING instance", async () => {
    h = await harness(stackYaml());
    const host = webTasks(h)[0]!.containerInstance!;
    const run = await h.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "batch", placementStrategy: [] }));
    const standalone = h.sandbox.ecs.findTask(host.cluster, run.tasks![0]!.taskArn!)!;
    await drain(h, standalone.containerInstance!.instance.id);
    await h.advance(600_000);
    expect(standalone.lastStatus).toBe("RUNNING");
    expect(standalone.desiredStatus).toBe("RUNNING");
    // No service task is left on it.
    expect([...standalone.containerInstance!.tasks].filter((t) => t.service)).toEqual([]);
  });
});

describe("stopping a task behind a load balancer", () => {
  const loaded = (shutdown: string) =>
    stackYaml({
      taskDefinitions: `  - { family: web, cpu: 512, memory: 1024, shutdown: ${shutdown}, stopTimeout: PT10S, app: { threads: 10, serviceTime: { p50: 20ms, p99: 100ms } } }`,
      targetGroups: "  - { name: web, deregistrationDelay: PT20S, healthCheck: { interval: PT10S, healthyThreshold: 2, unhealthyThreshold: 2 } }",
      load: "load: { web: [{ constantUsersPerSec: { rate: 50 } }] }",
    });

  it("deregisters, waits the deregistration delay, sends SIGTERM, and the app exits in its own time", async () => {
    h = await harness(loaded("PT2S"));
    const task = webTasks(h)[0]!;
    const t0 = h.clock.now();
    await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: task.arn }));
    expect(task.lastStatus).toBe("DEACTIVATING");
    expect(task.target!.state).toBe("draining");
    await h.advance(19_000);
    expect(task.lastStatus).toBe("DEACTIVATING");
    await h.advance(60_000);
    expect(when(h, new RegExp(`${task.id}: SIGTERM`))! - t0).toBe(20_000);
    expect(task.exitCode).toBe(0);
    expect(task.executionStoppedAt! - t0).toBe(22_000);
    expect(task.lastStatus).toBe("STOPPED");
    expect(task.stopCode).toBe("UserInitiated");
    expect(task.stoppedReason).toBe("Task stopped by user");
  });

  it("sends SIGKILL after stopTimeout when the app takes longer to exit", async () => {
    h = await harness(loaded("PT60S"));
    const task = webTasks(h)[0]!;
    const t0 = h.clock.now();
    await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: task.arn }));
    await h.advance(120_000);
    expect(when(h, new RegExp(`${task.id}: SIGKILL after stopTimeout 10 s`))! - t0).toBe(30_000);
    expect(task.exitCode).toBe(137);
  });

  it("emits ECS Task State Change events with increasing versions", async () => {
    h = await harness(loaded("PT2S"), { ready: true });
    const task = webTasks(h)[0]!;
    const seen: { lastStatus: string; desiredStatus: string; version: number }[] = [];
    h.sandbox.kernel.bus.subscribe((e) => {
      if (e["detail-type"] === "ECS Task State Change" && e.detail.taskArn === task.arn) seen.push(e.detail as never);
    });
    await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: task.arn }));
    await h.advance(60_000);
    expect(seen.map((d) => d.lastStatus)).toEqual(["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"]);
    const versions = seen.map((d) => d.version);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(new Set(versions).size).toBe(versions.length);
    expect(seen.every((d) => d.desiredStatus === "STOPPED")).toBe(true);
  });
});
