/**
 * Process kill: FIS `aws:ecs:task-kill-process` kills a named process inside ECS tasks (killall,
 * through the task's SSM agent). With SIGKILL (this fault's default) it is a crash: the log
 * shipper of a task dies with whatever it held in memory, and nothing of it is flushed or spooled.
 * What brings it back is ECS: a container is essential by default, so the task stops
 * (EssentialContainerExited) and its service starts another. Nothing to revert.
 *
 * On AWS the task definition must allow it: `enableFaultInjection: true`, `pidMode: task`, and an
 * `amazon-ssm-agent` sidecar registered as a managed instance (reference/aws-semantics.md).
 *
 * Landed: the FIS action completed (killall found the process in every task), and ECS reports each
 * task stopping or, for a process whose container is not essential, still running.
 */
import { z } from "zod";
import { DescribeTasksCommand } from "../aws/sdk/ecs.js";
import { defineFault } from "./types.js";
import { actionStatus, arnId, selectionMode } from "./common.js";
import { PERCENT_ROUNDING } from "./selection-words.js";
import taskKill from "./task-kill.js";
import { killProcessPermissions } from "../iam/fis-actions.js";
import { ecsClusterReads } from "../iam/ecs-reads.js";

const params = z
  .object({
    process: z.string().regex(/^[\w.-]+$/, "a process name as killall matches it (letters, digits, '.', '-', '_')").describe("The process to kill, by name (the sandbox's log shipper is log-shipper unless the stack's logging[].process says otherwise)")
      .meta({ fis: { action: "aws:ecs:task-kill-process", parameter: "processName" } }),
    signal: z.enum(["SIGKILL", "SIGTERM"]).default("SIGKILL").describe("SIGKILL (default here: a crash, nothing flushed) or SIGTERM (a graceful shutdown)")
      .meta({ fis: { action: "aws:ecs:task-kill-process", parameter: "signal" } }),
  })
  .strict();

const target = z
  .object({
    cluster: z.string().min(1).describe("ECS cluster whose RUNNING tasks are candidates").meta({ fis: { resourceType: "aws:ecs:task", field: "parameters.cluster" } }),
    service: z.string().min(1).optional().describe("Only tasks of this service").meta({ fis: { resourceType: "aws:ecs:task", field: "parameters.service" } }),
    select: selectionMode
      .describe("ALL, COUNT(n) or PERCENT(n) of the candidate tasks, picked at random (FIS acts on at most 5 per action). " + PERCENT_ROUNDING)
      .meta({ fis: { resourceType: "aws:ecs:task", field: "selectionMode" } }),
  })
  .strict()
  .meta({ fis: { action: "aws:ecs:task-kill-process" } });

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

/** The SSM command runs within seconds; this bounds the wait for the action's status. */
const LANDING_MS = 60_000;

export default defineFault<Params, Target>({
  name: "process-kill",
  description: "Kill a process in ECS tasks, SIGKILL by default: a log shipper's crash (FIS aws:ecs:task-kill-process)",
  params,
  target,
  // The same candidates as task-kill: the RUNNING tasks of the cluster or service.
  resolve: ({ target: t, aws, region, accountId, signal }) => taskKill.resolve!({ params: {}, target: t, aws, region, accountId, ...(signal ? { signal } : {}) }),
  compile({ params: p, target: t, chosen }) {
    return {
      description: `${p.signal} ${p.process} in ${chosen ? chosen.map((c) => c.id).join(", ") : `${t.select} task(s)`} of ${t.service ? `service ${t.service} in ` : ""}cluster ${t.cluster}`,
      targets: {
        tasks: chosen
          ? { resourceType: "aws:ecs:task", resourceArns: chosen.map((c) => c.arn), selectionMode: "ALL" }
          : { resourceType: "aws:ecs:task", parameters: { cluster: t.cluster, ...(t.service ? { service: t.service } : {}) }, selectionMode: t.select },
      },
      actions: { killProcess: { actionId: "aws:ecs:task-kill-process", parameters: { processName: p.process, signal: p.signal }, targets: { Tasks: "tasks" } } },
    };
  },
  permissions: {
    fis: ({ target: t, region, accountId }) => killProcessPermissions({ region, accountId, cluster: t.cluster }),
    // verify reads the tasks once with DescribeTasks.
    runner: ({ target: t, region, accountId }) => ecsClusterReads({ region, accountId, cluster: t.cluster, what: ["tasks"], why: "process-kill reads the tasks after the kill" }),
  },
  expectedDurationMs: () => LANDING_MS,
  async verify(ctx) {
    const action = await actionStatus(ctx, ctx.fault.experimentId!, "killProcess", ctx.signal);
    if (action.status !== "completed") return { landed: false, detail: `FIS action ${action.status}: ${action.reason ?? "no reason"}` };
    const tasks = ctx.fault.targets.map((t) => t.arn).filter(Boolean);
    if (tasks.length === 0) return { landed: false, detail: "FIS resolved no task" };
    const ecs = await ctx.aws.ecs();
    const out = await ecs.send(new DescribeTasksCommand({ cluster: ctx.target.cluster, tasks }), { abortSignal: ctx.signal as never });
    const states = (out.tasks ?? []).map((t) => `${arnId(t.taskArn ?? "")} ${t.lastStatus ?? "?"}${t.stopCode ? ` (${t.stopCode})` : ""}`);
    return {
      landed: true,
      detail: `${ctx.params.signal} ${ctx.params.process} in ${tasks.length} task(s): ${states.join(", ")}`,
      evidence: { tasks, states },
    };
  },
});
