/**
 * ECS task kill: FIS `aws:ecs:stop-task` (StopTask: SIGTERM, then SIGKILL after the stop timeout).
 * ECS replaces service tasks by itself, so there is nothing to revert; verification checks that
 * every selected task really stopped.
 */
import { z } from "zod";
import { DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { defineFault } from "./types.js";
import { actionStatus, selectionMode } from "./common.js";

const params = z.object({}).strict();

const target = z
  .object({
    cluster: z.string().min(1),
    service: z.string().min(1).optional().describe("Only tasks of this service"),
    select: selectionMode,
  })
  .strict();

type Target = z.infer<typeof target>;

/** How long a stopped task may take to reach STOPPED: ECS's maximum stop timeout plus margin. */
const STOP_BOUND_MS = 150_000;

export default defineFault<Record<string, never>, Target>({
  name: "task-kill",
  description: "Stop ECS tasks (FIS aws:ecs:stop-task)",
  params,
  target,
  compile({ target: t }) {
    return {
      description: `stop ${t.select} task(s) of ${t.service ? `service ${t.service} in ` : ""}cluster ${t.cluster}`,
      targets: {
        tasks: {
          resourceType: "aws:ecs:task",
          parameters: { cluster: t.cluster, ...(t.service ? { service: t.service } : {}) },
          selectionMode: t.select,
        },
      },
      actions: { stopTasks: { actionId: "aws:ecs:stop-task", targets: { Tasks: "tasks" } } },
    };
  },
  expectedDurationMs: () => 60_000,
  async verify(ctx) {
    const action = await actionStatus(ctx, ctx.fault.experimentId!, "stopTasks", ctx.signal);
    if (action.status === "failed" || action.status === "cancelled") return { landed: false, detail: `FIS action ${action.status}: ${action.reason ?? "no reason"}` };
    const tasks = ctx.fault.targets.map((t) => t.arn).filter(Boolean);
    if (tasks.length === 0) return { landed: false, detail: "FIS resolved no task" };
    const ecs = await ctx.aws.ecs();
    const deadline = ctx.fault.startedAt + STOP_BOUND_MS;
    const stopped = new Map<string, string>();
    while (stopped.size < tasks.length && ctx.clock.now() <= deadline) {
      const out = await ecs.send(new DescribeTasksCommand({ cluster: ctx.target.cluster, tasks: tasks.filter((t) => !stopped.has(t)) }), { abortSignal: ctx.signal as never });
      for (const t of out.tasks ?? []) if (t.lastStatus === "STOPPED" && t.taskArn) stopped.set(t.taskArn, t.stopCode ?? "");
      if (stopped.size < tasks.length) await ctx.clock.sleep(1_000, ctx.signal);
    }
    if (stopped.size < tasks.length) {
      return { landed: false, detail: `${tasks.length - stopped.size} of ${tasks.length} task(s) had not stopped ${STOP_BOUND_MS / 1000} s after the start` };
    }
    return { landed: true, detail: `${tasks.length} task(s) stopped (${[...new Set(stopped.values())].join(", ")})`, evidence: { tasks } };
  },
});
