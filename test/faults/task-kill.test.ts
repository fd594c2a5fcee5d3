import { afterEach, describe, expect, it } from "vitest";
import { DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { rig, stackYaml, type Rig } from "./rig.js";

let r: Rig;
afterEach(() => r?.close());

// Under load: ELB ends a deregistration at once when the target has no connections left.
const withDelay = (delay: string) =>
  stackYaml({
    targetGroups: `  - { name: web, deregistrationDelay: ${delay}, healthCheck: { interval: PT10S, healthyThreshold: 2, unhealthyThreshold: 2 } }`,
    load: "load: { web: [{ constantUsersPerSec: { rate: 30 } }] }",
  });

describe("task-kill's landing check", () => {
  it("lands at once behind AWS's default 300 s deregistration delay, and says the tasks are still deregistering", async () => {
    r = await rig(withDelay("PT300S"));
    const started = await r.start("task-kill", { cluster: "prod", service: "web", select: "COUNT(2)" });
    const t0 = started.fault.startedAt;
    const v = await started.verify();
    expect(v.landed, v.detail).toBe(true);
    // Well before the delay is over: landing does not wait for STOPPED.
    expect(r.h.clock.now() - t0).toBeLessThan(60_000);
    expect(v.detail).toMatch(/2 task\(s\) stopping \(UserInitiated\)/);
    expect(v.detail).toMatch(/DEACTIVATING/);
    expect(v.evidence).toMatchObject({ secondsToStopped: {} });
    expect(Object.values(v.evidence!.stillStopping as Record<string, string>)).toEqual(["DEACTIVATING", "DEACTIVATING"]);
    // And the tasks really do reach STOPPED once the delay has passed.
    await r.h.advance(300_000);
    const ecs = r.h.ecs;
    const out = await ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: v.evidence!.tasks as string[] }));
    expect(out.tasks!.map((t) => t.lastStatus)).toEqual(["STOPPED", "STOPPED"]);
  });

  it("reports the time to STOPPED when the tasks stop soon after the kill", async () => {
    r = await rig(withDelay("PT5S"));
    const started = await r.start("task-kill", { cluster: "prod", service: "web", select: "COUNT(1)" });
    const v = await started.verify();
    expect(v.landed, v.detail).toBe(true);
    const times = Object.values(v.evidence!.secondsToStopped as Record<string, number>);
    // 5 s deregistration delay, the app's 2 s shutdown, ECS's deprovisioning.
    expect(times).toHaveLength(1);
    expect(times[0]).toBeGreaterThanOrEqual(7);
    expect(times[0]).toBeLessThan(15);
    expect(v.detail).toMatch(/1 STOPPED after \d+\.\d s/);
    expect(v.evidence!.stillStopping).toBeUndefined();
  });

  it("counts every task FIS selected", async () => {
    r = await rig(withDelay("PT5S"));
    const before = (await r.h.ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "web" }))).taskArns!;
    const started = await r.start("task-kill", { cluster: "prod", service: "web", select: "ALL" });
    expect(started.fault.targets.map((t) => t.arn).sort()).toEqual([...before].sort());
    const v = await started.verify();
    expect(v.landed).toBe(true);
    expect(v.detail).toMatch(new RegExp(`^${before.length} task\\(s\\) stopping`));
    expect(Object.keys(v.evidence!.secondsToStopped as object)).toHaveLength(before.length);
  });

  it("does not land when a selected task is never stopped", async () => {
    r = await rig(withDelay("PT5S"));
    const started = await r.start("task-kill", { cluster: "prod", service: "web", select: "COUNT(1)" });
    const running = (await r.h.ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "web", desiredStatus: "RUNNING" }))).taskArns!;
    const untouched = running.find((a) => a !== started.fault.targets[0]!.arn)!;
    // As if FIS had resolved a task it then did not stop.
    started.fault.targets.push({ targetName: "tasks", resourceType: "aws:ecs:task", arn: untouched, info: {} });
    const v = await started.verify();
    expect(v.landed).toBe(false);
    expect(v.detail).toMatch(/1 of 2 task\(s\) were not being stopped 150 s after the start/);
    expect(v.detail).toContain(untouched.slice(untouched.lastIndexOf("/") + 1));
  });

  it("bounds the engine's wait by at least the longest stop timeout ECS allows", async () => {
    const { default: taskKill } = await import("../../src/faults/task-kill.js");
    expect(taskKill.expectedDurationMs({})).toBeGreaterThanOrEqual(120_000);
  });
});
