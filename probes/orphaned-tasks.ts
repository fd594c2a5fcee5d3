/**
 * orphaned-tasks: standalone tasks of one `startedBy` (an interactive-session tool such as
 * ecs-fargate-login) that outlive their session. A session's task is expected to stop within
 * `session` of its start; one still RUNNING `grace` after that is an orphan (its client died
 * before its cleanup, and nothing on the task stops it). Read through ECS ListTasks (startedBy)
 * and DescribeTasks, as an operator would find them.
 */
import { z } from "zod";
import { DescribeTasksCommand, ListTasksCommand, type ECSClient } from "../src/aws/sdk/ecs.js";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { duration } from "../src/engine/params.js";
import { ecsClusterReads } from "../src/iam/ecs-reads.js";

const params = z
  .object({
    cluster: z.string().min(1).describe("The ECS cluster the session tasks run in"),
    startedBy: z.string().min(1).max(36).describe("RunTask's startedBy of the session tasks"),
    session: duration().describe("The longest a session is expected to last, from the task's start"),
    grace: duration("PT1M").describe("How long past its session a task may take to stop"),
  })
  .strict();

type Params = z.infer<typeof params>;

export interface SessionTask {
  arn: string;
  /** When the task reached RUNNING; undefined while it has not. */
  startedAt: number | undefined;
  /** When RunTask created it. */
  createdAt: number | undefined;
}

/**
 * Tasks older than `allowedMs` at `now`, oldest first, and the oldest age. A task's age counts
 * from its start, or from its creation while it has not started (a task stuck in PENDING holds
 * its resources as surely as a running one).
 */
export function findOrphans<T extends SessionTask>(tasks: readonly T[], now: number, allowedMs: number): { orphans: T[]; oldestMs: number } {
  const aged = tasks.map((t) => ({ t, age: now - (t.startedAt ?? t.createdAt ?? now) }));
  const oldestMs = aged.reduce((m, a) => Math.max(m, a.age), 0);
  const orphans = aged
    .filter((a) => a.age > allowedMs)
    .sort((a, b) => b.age - a.age)
    .map((a) => a.t);
  return { orphans, oldestMs };
}

async function runningTasks(ecs: ECSClient, cluster: string, startedBy: string, signal: AbortSignal): Promise<{ arn: string; startedAt: number | undefined; createdAt: number | undefined }[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ cluster, startedBy, desiredStatus: "RUNNING", ...(nextToken ? { nextToken } : {}) }), { abortSignal: signal as never });
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const out = [];
  for (let i = 0; i < arns.length; i += 100) {
    const page = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }), { abortSignal: signal as never });
    for (const t of page.tasks ?? []) {
      // ListTasks filters on startedBy already; checked again in case a page raced a new task.
      if (t.startedBy !== startedBy || t.lastStatus === "STOPPED") continue;
      out.push({ arn: t.taskArn!, startedAt: t.startedAt?.getTime(), createdAt: t.createdAt?.getTime() });
    }
  }
  return out;
}

export default defineProbe<Params>({
  name: "orphaned-tasks",
  description: "Standalone tasks of one startedBy that outlive their session by more than a grace",
  params,
  permissions: ({ params: p, region, accountId }) => ecsClusterReads({ region, accountId, cluster: p.cluster, what: ["tasks"], why: "orphaned-tasks lists the session tasks" }),
  defaultTolerance: { orphans: "<= 0" },
  output: {
    fields: {
      running: { unit: "count", description: "Tasks of this startedBy not stopped" },
      orphans: { unit: "count", description: "Of them, running longer than session + grace" },
      oldestMs: { unit: "ms", description: "Age of the oldest running one (0 when none)" },
      orphanArns: { unit: "list", description: "The orphans' task ARNs" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const { cluster, startedBy, session, grace } = ctx.params;
    const tasks = await runningTasks(await ctx.aws.ecs(), cluster, startedBy, ctx.signal);
    const now = ctx.clock.now();
    const found = findOrphans(tasks, now, session + grace);
    return {
      value: { running: tasks.length, orphans: found.orphans.length, oldestMs: found.oldestMs, orphanArns: found.orphans.map((o) => o.arn) },
      observations: found.orphans.length
        ? [{ at: now, message: `${found.orphans.length} task(s) started by ${startedBy} outlived their session: oldest ${Math.round(found.oldestMs / 1000)} s, allowed ${(session + grace) / 1000} s` }]
        : [],
    };
  },
});
