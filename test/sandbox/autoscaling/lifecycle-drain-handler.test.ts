/**
 * The reference lifecycle drain handler (builtin:lifecycle-drain) subscribed to the SNS topic a
 * terminating hook notifies, in the sandbox: scale-in drains the instance, the handler re-publishes
 * while tasks still run and completes the action only once none does, so no task is killed by the
 * termination. With a heartbeat timeout shorter than its wait between checks, the hook expires
 * first and the termination kills the tasks that were still stopping.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function stack(o: { heartbeat: string; shutdown: string }): string {
  return stackYaml({
    taskDefinitions: `  - family: web
    cpu: 512
    memory: 1024
    startup: PT10S
    shutdown: ${o.shutdown}
    stopTimeout: PT120S
    app: { threads: 10, serviceTime: { p50: 20ms, p99: 100ms } }`,
    asg: `  - { name: asg, cluster: prod, instanceType: m5.large, onDemand: { count: 3 }, lifecycleHooks: [{ name: drain, heartbeatTimeout: ${o.heartbeat}, defaultResult: ABANDON, notificationTarget: lifecycle }] }`,
    targetGroups: `  - { name: web, deregistrationDelay: PT5S, healthCheck: { interval: PT10S, healthyThreshold: 2, unhealthyThreshold: 2 } }`,
    events: `events:
  topics:
    - name: lifecycle
      subscribers: [{ handler: "builtin:lifecycle-drain", timeout: PT60S, environment: { CLUSTERS: prod } }]`,
  });
}

/** Stopped tasks: their stop code, and how long they had from SIGTERM (stoppingAt) to STOPPED. */
async function stoppedTasks(h: Harness): Promise<{ stopCode?: string; stoppingMs: number }[]> {
  const arns = (await h.ecs.send(new ListTasksCommand({ cluster: "prod", desiredStatus: "STOPPED" }))).taskArns ?? [];
  if (arns.length === 0) return [];
  return ((await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: arns }))).tasks ?? []).map((t) => ({
    ...(t.stopCode ? { stopCode: t.stopCode } : {}),
    stoppingMs: t.stoppedAt!.getTime() - (t.stoppingAt ?? t.stoppedAt)!.getTime(),
  }));
}

/** The web app takes 90 s to exit after SIGTERM: a task STOPPED sooner was cut short (its host went away). */
const SHUTDOWN_MS = 90_000;

function lifecycleResults(h: Harness) {
  return h.sandbox.kernel.trace.entries.filter((e) => e.kind === "lifecycle-result").map((e) => e.detail);
}

describe("builtin:lifecycle-drain on a terminating hook's SNS topic", () => {
  it("drains, re-publishes while tasks run, completes with CONTINUE once none does: no task killed by the termination", async () => {
    h = await harness(stack({ heartbeat: "PT5M", shutdown: "PT90S" }));
    const asg = await h.clients.autoScaling();
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "asg", DesiredCapacity: 2 }));
    await h.advance(300_000);

    expect(lifecycleResults(h)).toEqual([expect.objectContaining({ result: "CONTINUE", ending: "completed" })]);
    const outcomes = h.sandbox.invocations.map((i) => (i.result as { action?: string } | undefined)?.action);
    expect(outcomes.at(-1)).toBe("completed");
    expect(outcomes.slice(0, -1).every((a) => a === "republished")).toBe(true);
    expect(outcomes.length).toBeGreaterThan(1);
    const stopped = await stoppedTasks(h);
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.filter((t) => t.stopCode === "TerminationNotice" || t.stoppingMs < SHUTDOWN_MS)).toEqual([]);
    expect(h.sandbox.notReady()).toEqual([]);
  });

  it("a heartbeat timeout no longer than the handler's 30 s wait: the hook expires (ABANDON) and the termination kills the task still stopping (90 s after SIGTERM)", async () => {
    h = await harness(stack({ heartbeat: "PT30S", shutdown: "PT90S" }));
    const asg = await h.clients.autoScaling();
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "asg", DesiredCapacity: 2 }));
    await h.advance(600_000);

    expect(lifecycleResults(h)).toEqual([expect.objectContaining({ result: "ABANDON", ending: "heartbeat-timeout" })]);
    expect((await stoppedTasks(h)).filter((t) => t.stoppingMs < SHUTDOWN_MS).length).toBeGreaterThan(0);
    // Its last invocation found the instance no longer waiting and stopped re-publishing.
    expect(h.sandbox.invocations.map((i) => (i.result as { action?: string } | undefined)?.action)).toContain("stopped");
  });
});
