import { afterEach, describe, expect, it } from "vitest";
import { RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import orphanedTasks, { findOrphans } from "../../probes/orphaned-tasks.js";
import { rig, stackYaml, type Rig } from "../faults/rig.js";
import { expectDeclared } from "./declared.js";

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

type Value = { running: number; orphans: number; oldestMs: number; orphanArns: string[] };

describe("findOrphans", () => {
  it("flags tasks older than the allowance, oldest first, counting a task not yet started from its creation", () => {
    const tasks = [
      { arn: "young", startedAt: 900, createdAt: 890 },
      { arn: "old", startedAt: 100, createdAt: 90 },
      { arn: "stuck-pending", startedAt: undefined, createdAt: 50 },
      { arn: "exactly-allowed", startedAt: 500, createdAt: 490 },
    ];
    const { orphans, oldestMs } = findOrphans(tasks, 1000, 500);
    expect(orphans.map((t) => t.arn)).toEqual(["stuck-pending", "old"]);
    expect(oldestMs).toBe(950);
  });

  it("finds none among no tasks, with an oldest age of 0", () => {
    expect(findOrphans([], 1000, 0)).toEqual({ orphans: [], oldestMs: 0 });
  });
});

describe("orphaned-tasks through the ECS API", () => {
  it("counts only running tasks of its startedBy past session + grace, and forgets them once stopped", async () => {
    r = await rig(stackYaml());
    const run = async (startedBy: string) =>
      (await r!.h.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "batch", launchType: "FARGATE", startedBy }))).tasks![0]!.taskArn!;
    const abandoned = await run("ecs-fargate-login");
    const other = await run("nightly-job");
    await r.h.advance(240_000);
    const fresh = await run("ecs-fargate-login");
    await r.h.advance(120_000);
    const read = r.reader(orphanedTasks, { cluster: "prod", startedBy: "ecs-fargate-login", session: "PT4M", grace: "PT1M" });
    const v = (await read()).value as Value;
    expectDeclared(orphanedTasks, v);
    // 6 minutes old (past 4 + 1) and 2 minutes old; the nightly job is someone else's.
    expect(v).toMatchObject({ running: 2, orphans: 1, orphanArns: [abandoned] });
    expect(v.oldestMs).toBeGreaterThan(300_000);
    expect(v.orphanArns).not.toContain(other);
    expect(v.orphanArns).not.toContain(fresh);
    await r.h.ecs.send(new StopTaskCommand({ cluster: "prod", task: abandoned }));
    await r.h.advance(60_000);
    expect(((await read()).value as Value).orphans).toBe(0);
  });
});
