/**
 * ECS task kill: FIS `aws:ecs:stop-task` (StopTask). ECS replaces service tasks by itself, so there
 * is nothing to revert. When the kill has landed: see task-stops.ts.
 */
import { z } from "zod";
import { defineFault } from "./types.js";
import { arnId, selectedCount, selectionMode } from "./common.js";
import { LANDING_MS, runningTasks, verifyTasksStop } from "./task-stops.js";
import { PERCENT_ROUNDING } from "./selection-words.js";
import { stopTaskPermissions } from "../iam/fis-actions.js";
import { ecsClusterReads } from "../iam/ecs-reads.js";

const params = z.object({}).strict();

const target = z
  .object({
    cluster: z.string().min(1).describe("ECS cluster whose RUNNING tasks are candidates").meta({ fis: { resourceType: "aws:ecs:task", field: "parameters.cluster" } }),
    service: z.string().min(1).optional().describe("Only tasks of this service").meta({ fis: { resourceType: "aws:ecs:task", field: "parameters.service" } }),
    select: selectionMode
      .describe("ALL, COUNT(n) or PERCENT(n) of the candidate tasks, picked at random (FIS stops at most 5 per action). " + PERCENT_ROUNDING)
      .meta({ fis: { resourceType: "aws:ecs:task", field: "selectionMode" } }),
  })
  .strict()
  .meta({ fis: { action: "aws:ecs:stop-task" } });

type Target = z.infer<typeof target>;

export default defineFault<Record<string, never>, Target>({
  name: "task-kill",
  description: "Stop ECS tasks (FIS aws:ecs:stop-task)",
  params,
  target,
  async resolve({ target: t, aws, signal }) {
    // The cluster's (or service's) tasks ECS lists as RUNNING and that are RUNNING: FIS's own candidates.
    const tasks = await runningTasks(await aws.ecs(), t.cluster, t.service, signal);
    const candidates = tasks.map((task) => ({ arn: task.taskArn!, id: arnId(task.taskArn!) }));
    return {
      lookedFor: `running tasks of ${t.service ? `service ${t.service} in ` : ""}cluster ${t.cluster}`,
      candidates,
      hits: selectedCount(t.select, candidates.length),
      picks: true,
      consumes: true,
      // aws-semantics.md: resourceArns holds at most 5 per target.
      maxArns: 5,
    };
  },
  compile({ target: t, chosen }) {
    return {
      description: `stop ${chosen ? chosen.map((c) => c.id).join(", ") : `${t.select} task(s)`} of ${t.service ? `service ${t.service} in ` : ""}cluster ${t.cluster}`,
      targets: {
        tasks: chosen
          ? { resourceType: "aws:ecs:task", resourceArns: chosen.map((c) => c.arn), selectionMode: "ALL" }
          : {
              resourceType: "aws:ecs:task",
              parameters: { cluster: t.cluster, ...(t.service ? { service: t.service } : {}) },
              selectionMode: t.select,
            },
      },
      actions: { stopTasks: { actionId: "aws:ecs:stop-task", targets: { Tasks: "tasks" } } },
    };
  },
  permissions: {
    fis: ({ target: t, region, accountId }) => stopTaskPermissions({ region, accountId, cluster: t.cluster }),
    // verify watches the stopped tasks with DescribeTasks.
    runner: ({ target: t, region, accountId }) => ecsClusterReads({ region, accountId, cluster: t.cluster, what: ["tasks"], why: "task-kill checks the tasks stop" }),
  },
  // The FIS action itself ends at once; this bounds the landing check (the engine allows it this
  // long plus its grace), which may wait out a stop timeout.
  expectedDurationMs: () => LANDING_MS,
  verify: (ctx) => verifyTasksStop(ctx, "stopTasks"),
});
