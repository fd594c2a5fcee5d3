/**
 * ECS rolling deployments in the sandbox, pinned to AWS's documentation:
 * - rolling update: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
 *   (maximumPercent rounded down, minimumHealthyPercent rounded up, healthCheckGracePeriodSeconds)
 * - circuit breaker: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
 *   and its threshold: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html
 * - DescribeServices `deployments`: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
 */
import { afterEach, describe, expect, it } from "vitest";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type Service } from "@aws-sdk/client-ecs";
import { harness, stackYaml, type Harness } from "../harness.js";
import { circuitBreakerThreshold, deploymentBounds } from "../../../src/sandbox/services/ecs/deployments.js";
import type { Task } from "../../../src/sandbox/services/ecs/model.js";

let h: Harness;
afterEach(() => h?.close());

const TASK_DEFINITIONS = (revision2: string) => `  - family: web
    cpu: 512
    memory: 1024
    startup: PT10S
    shutdown: PT2S
    app: { threads: 10, serviceTime: { p50: 20ms, p99: 100ms } }
    revisions:
      - ${revision2}
  - { family: batch, cpu: 256, memory: 512, startup: PT5S }`;

function stack(options: { revision2?: string; service?: string } = {}): string {
  return stackYaml({
    taskDefinitions: TASK_DEFINITIONS(options.revision2 ?? "{ startup: PT15S }"),
    services: `  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 4, targetGroup: web${options.service ? `, ${options.service}` : ""} }`,
  });
}

async function describe_(h: Harness): Promise<Service> {
  return (await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }))).services![0]!;
}

const live = (h: Harness): Task[] => h.sandbox.ecs.clusters.get("prod")!.tasks.filter((t) => t.service?.name === "web" && t.lastStatus !== "STOPPED");
const healthy = (h: Harness): number => live(h).filter((t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING" && t.target?.state === "healthy").length;
/** RUNNING or PENDING as maximumPercent counts them: every task not yet told to stop. */
const counted = (h: Harness): number => live(h).filter((t) => t.desiredStatus === "RUNNING").length;

/** Advances second by second for `ms`, keeping the fewest healthy and the most counted tasks seen. */
async function watch(h: Harness, ms: number): Promise<{ minHealthy: number; maxCounted: number }> {
  let minHealthy = Infinity;
  let maxCounted = 0;
  for (let t = 0; t < ms; t += 1_000) {
    await h.advance(1_000);
    minHealthy = Math.min(minHealthy, healthy(h));
    maxCounted = Math.max(maxCounted, counted(h));
  }
  return { minHealthy, maxCounted };
}

describe("rolling update arithmetic (deployment-type-ecs.html: maximumPercent rounds down, minimumHealthyPercent rounds up)", () => {
  it.each([
    [6, 100, 200, 12, 6],
    [4, 50, 100, 4, 2],
    [5, 50, 150, 7, 3],
    [3, 0, 100, 3, 0],
  ])("desired %i, minimumHealthyPercent %i, maximumPercent %i: at most %i tasks, at least %i healthy", (desired, min, max, maxTotal, minHealthy) => {
    expect(deploymentBounds(desired, min, max)).toEqual({ maxTotal, minHealthy });
  });
});

describe("circuit breaker threshold (API_ServiceDeploymentCircuitBreaker.html: 0.5 x desired count, at least 3, at most 200)", () => {
  it.each([
    [1, 3],
    [6, 3],
    [7, 4],
    [20, 10],
    [400, 200],
    [1000, 200],
  ])("desired %i: %i failed tasks", (desired, threshold) => {
    expect(circuitBreakerThreshold(desired)).toBe(threshold);
  });
});

describe("task definition revisions", () => {
  it("a stack's revisions are family:2..; a bare family is the latest; RegisterTaskDefinition adds the next", async () => {
    h = await harness(stack());
    const rev = async (ref: string) => (await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }))).taskDefinition!.revision;
    expect(await rev("web:1")).toBe(1);
    expect(await rev("web")).toBe(2);
    const registered = await h.ecs.send(new RegisterTaskDefinitionCommand({ family: "web", cpu: "512", memory: "1024", containerDefinitions: [{ name: "web", image: "web:3" }] }));
    expect(registered.taskDefinition!.taskDefinitionArn).toMatch(/:task-definition\/web:3$/);
    expect(await rev("web")).toBe(3);
    // The service started on revision 1.
    expect((await describe_(h)).taskDefinition).toMatch(/web:1$/);
    await expect(h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:9" }))).rejects.toThrow(/TaskDefinition not found/);
  });
});

describe("rolling deployments", () => {
  it("at min 100 % / max 200 % new tasks start first, old ones stop only as new ones turn healthy; COMPLETED after every old task stopped", async () => {
    h = await harness(stack());
    expect((await describe_(h)).deployments!.map((d) => [d.status, d.rolloutState])).toEqual([["PRIMARY", "COMPLETED"]]);
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:2" }));
    const during = await describe_(h);
    expect(during.taskDefinition).toMatch(/web:2$/);
    expect(during.deployments!.map((d) => [d.status, d.taskDefinition!.split("/")[1], d.rolloutState])).toEqual([
      ["PRIMARY", "web:2", "IN_PROGRESS"],
      ["ACTIVE", "web:1", "COMPLETED"],
    ]);
    const seen = await watch(h, 180_000);
    expect(seen.minHealthy).toBeGreaterThanOrEqual(4);
    expect(seen.maxCounted).toBeLessThanOrEqual(8);
    const after = await describe_(h);
    expect(after.deployments!.map((d) => [d.status, d.taskDefinition!.split("/")[1], d.rolloutState, d.runningCount])).toEqual([["PRIMARY", "web:2", "COMPLETED", 4]]);
    expect(live(h).every((t) => t.definition.revision === 2)).toBe(true);
    const messages = after.events!.map((e) => e.message!);
    expect(messages[0]).toBe("(service web) has reached a steady state.");
    expect(messages).toContainEqual(expect.stringMatching(/^\(service web\) \(deployment ecs-svc\/\d{19}\) deployment completed\.$/));
    expect(messages).toContainEqual(expect.stringMatching(/^\(service web\) has started 4 tasks: (\(task [0-9a-f]{32}\) ?){4}\.$/));
  });

  it("at min 50 % / max 100 % old tasks stop first, never more than the desired count run, and never fewer than half are healthy", async () => {
    h = await harness(stack({ service: "minimumHealthyPercent: 50, maximumPercent: 100" }));
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:2" }));
    const seen = await watch(h, 180_000);
    expect(seen.maxCounted).toBeLessThanOrEqual(4);
    expect(seen.minHealthy).toBe(2);
    expect((await describe_(h)).deployments!.map((d) => d.rolloutState)).toEqual(["COMPLETED"]);
  });

  it("forceNewDeployment replaces every task with the same task definition", async () => {
    h = await harness(stack());
    const before = new Set(live(h).map((t) => t.id));
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", forceNewDeployment: true }));
    expect((await describe_(h)).deployments).toHaveLength(2);
    await watch(h, 180_000);
    const svc = await describe_(h);
    expect(svc.deployments!.map((d) => [d.taskDefinition!.split("/")[1], d.rolloutState])).toEqual([["web:1", "COMPLETED"]]);
    expect(live(h).filter((t) => before.has(t.id))).toEqual([]);
  });
});

describe("circuit breaker (deployment-circuit-breaker.html)", () => {
  it("a revision whose container exits at start fails after the threshold and rolls back to the last COMPLETED task definition", async () => {
    h = await harness(stack({ revision2: "{ failure: exits-at-start }", service: "deploymentCircuitBreaker: { enable: true, rollback: true }" }));
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:2" }));
    const seen = await watch(h, 300_000);
    // The old tasks kept serving: minimumHealthyPercent 100 never let one stop for a task that never ran.
    expect(seen.minHealthy).toBe(4);
    const svc = await describe_(h);
    expect(svc.taskDefinition).toMatch(/web:1$/);
    expect(svc.deployments!.map((d) => [d.status, d.taskDefinition!.split("/")[1], d.rolloutState])).toEqual([["PRIMARY", "web:1", "COMPLETED"]]);
    const messages = svc.events!.map((e) => e.message!);
    expect(messages).toContainEqual(expect.stringMatching(/^\(service web\) \(deployment ecs-svc\/\d{19}\) deployment failed: tasks failed to start\.$/));
    expect(messages).toContainEqual(expect.stringMatching(/^\(service web\) rolling back to deployment ecs-svc\/\d{19}\.$/));
    const failed = h.sandbox.ecs.clusters.get("prod")!.tasks.filter((t) => t.definition.revision === 2);
    // desired 4: threshold 3 (the floor); no more start once it is FAILED.
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed.length).toBeLessThanOrEqual(4);
    expect(failed.every((t) => t.stopCode === "EssentialContainerExited" && t.startedAt === undefined)).toBe(true);
  });

  it("enabled without rollback: the deployment is FAILED, launches nothing more, and the old tasks stay", async () => {
    h = await harness(stack({ revision2: "{ failure: exits-at-start }", service: "deploymentCircuitBreaker: { enable: true, rollback: false }" }));
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:2" }));
    await watch(h, 300_000);
    const svc = await describe_(h);
    expect(svc.deployments!.map((d) => [d.status, d.taskDefinition!.split("/")[1], d.rolloutState, d.rolloutStateReason])).toEqual([
      ["PRIMARY", "web:2", "FAILED", "ECS deployment circuit breaker: tasks failed to start."],
      ["ACTIVE", "web:1", "COMPLETED", expect.stringMatching(/completed/)],
    ]);
    // maximumPercent 200 launched 4 at once; all 4 failed, the 3rd tripped the breaker, none started after.
    expect(svc.deployments![0]!.failedTasks).toBe(4);
    await watch(h, 120_000);
    expect((await describe_(h)).deployments![0]!.failedTasks).toBe(4);
    expect(healthy(h)).toBe(4);
  });

  it("off (the default): a broken revision stays IN_PROGRESS and keeps failing", async () => {
    h = await harness(stack({ revision2: "{ failure: exits-at-start }" }));
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:2" }));
    await watch(h, 300_000);
    const svc = await describe_(h);
    expect(svc.deployments!.map((d) => d.rolloutState)).toEqual(["IN_PROGRESS", "COMPLETED"]);
    expect(svc.deployments![0]!.failedTasks).toBeGreaterThan(10);
  });
});

describe("health check grace period (healthCheckGracePeriodSeconds)", () => {
  const firstStop = (h: Harness) => h.sandbox.ecs.clusters.get("prod")!.tasks.filter((t) => t.definition.revision === 2 && t.stoppingAt !== undefined).map((t) => t.stoppingAt! - t.startedAt!);

  it("without a grace period a task whose target turns unhealthy is stopped at once, and counts as failed", async () => {
    h = await harness(stack({ revision2: "{ failure: fails-health-checks }", service: "deploymentCircuitBreaker: { enable: true, rollback: true }" }));
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:2" }));
    await watch(h, 60_000);
    // Two failed checks 10 s apart: unhealthy 20 s or less after the start.
    expect(Math.min(...firstStop(h))).toBeLessThanOrEqual(21_000);
    expect(h.sandbox.ecs.clusters.get("prod")!.tasks.find((t) => t.failure === "health")?.stoppedReason).toMatch(/^Task failed ELB health checks in \(target-group arn:aws:elasticloadbalancing:/);
  });

  it("with a 120 s grace period failed checks are ignored until 120 s after the start", async () => {
    h = await harness(stack({ revision2: "{ failure: fails-health-checks }" }));
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:2", healthCheckGracePeriodSeconds: 120 }));
    expect((await describe_(h)).healthCheckGracePeriodSeconds).toBe(120);
    await watch(h, 200_000);
    const stops = firstStop(h);
    expect(stops.length).toBeGreaterThan(0);
    expect(Math.min(...stops)).toBeGreaterThanOrEqual(120_000);
  });
});

describe("UpdateService refuses what ECS refuses, and changes nothing then (API_UpdateService.html)", () => {
  it("a grace period on a service without a load balancer, a percentage out of range, a circuit breaker without rollback", async () => {
    h = await harness(stackYaml({ services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 3, targetGroup: web }\n  - { name: batch, cluster: prod, taskDefinition: batch, desiredCount: 1 }" }));
    await expect(h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "batch", healthCheckGracePeriodSeconds: 30 }))).rejects.toThrow(/Health check grace period is only valid for services configured to use load balancers/);
    await expect(h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { minimumHealthyPercent: 150 } }))).rejects.toThrow(/minimumHealthyPercent must be an integer between 0 and 100/);
    await expect(
      h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", desiredCount: 5, deploymentConfiguration: { deploymentCircuitBreaker: { enable: true } as never } })),
    ).rejects.toThrow(/enable and rollback are required/);
    const svc = await describe_(h);
    expect(svc.desiredCount).toBe(3);
    expect(svc.deploymentConfiguration).toEqual({ deploymentCircuitBreaker: { enable: false, rollback: false }, maximumPercent: 200, minimumHealthyPercent: 100 });
  });
});
