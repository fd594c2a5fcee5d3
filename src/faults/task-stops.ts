/**
 * What the faults that stop ECS tasks share: the RUNNING tasks FIS would pick from, and the check
 * that the picked tasks are really being stopped.
 *
 * A stop has landed once ECS is stopping every selected task: desiredStatus STOPPED and lastStatus
 * DEACTIVATING, STOPPING, DEPROVISIONING or STOPPED. Reaching STOPPED can take much longer: a task
 * behind a load balancer is deregistered first and gets SIGTERM only after the target group's
 * deregistration delay (AWS's default is 300 s, at most 3600 s), then up to its stopTimeout before
 * SIGKILL. So landing does not wait for STOPPED; time-to-STOPPED is reported when it is seen.
 */
import { DescribeTasksCommand, ListTasksCommand, type ECSClient as EcsClient, type Task } from "../aws/sdk/ecs.js";
import type { FaultContext, Verification } from "./types.js";
import { actionStatus, arnId } from "./common.js";

/** lastStatus values of a task ECS is stopping (with desiredStatus STOPPED). */
const STOPPING = new Set(["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"]);

/**
 * How long a stopped task may still show RUNNING: one with no load balancer keeps it until its
 * containers exit (SIGKILL comes at the latest after the stop timeout, at most 120 s), plus the
 * agent's report. One behind a load balancer shows DEACTIVATING at once.
 */
export const LANDING_MS = 150_000;

/**
 * After landing, how long to keep watching for STOPPED: long enough for a task with no
 * deregistration wait and the default 30 s stop timeout. A longer wait is the deregistration delay
 * at work, which the evidence names rather than waits out.
 */
const SETTLE_MS = 45_000;

const POLL_MS = 1_000;

interface Seen {
  lastStatus: string;
  desiredStatus: string;
  stopCode?: string;
  stoppedAt?: number;
  /** DescribeTasks said MISSING: ECS no longer knows the task (it stopped long enough ago). */
  missing?: boolean;
}

function landed(s: Seen | undefined): boolean {
  return s !== undefined && (s.missing === true || (s.desiredStatus === "STOPPED" && STOPPING.has(s.lastStatus)));
}

function seenFrom(t: Task): Seen {
  return {
    lastStatus: t.lastStatus ?? "UNKNOWN",
    desiredStatus: t.desiredStatus ?? "UNKNOWN",
    ...(t.stopCode ? { stopCode: t.stopCode } : {}),
    ...(t.stoppedAt ? { stoppedAt: t.stoppedAt.getTime() } : {}),
  };
}


/**
 * The tasks of a cluster (or of one of its services) that ECS lists with desiredStatus RUNNING and
 * that are RUNNING, in ListTasks order: FIS's own candidates for aws:ecs:task.
 */
export async function runningTasks(ecs: EcsClient, cluster: string, service: string | undefined, signal: AbortSignal | undefined): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: "RUNNING", ...(service ? { serviceName: service } : {}), ...(nextToken ? { nextToken } : {}) }), { abortSignal: signal as never });
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const running = new Map<string, Task>();
  for (let i = 0; i < arns.length; i += 100) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }), { abortSignal: signal as never });
    for (const task of out.tasks ?? []) if (task.taskArn && task.lastStatus === "RUNNING") running.set(task.taskArn, task);
  }
  return arns.filter((a) => running.has(a)).map((a) => running.get(a)!);
}

/** Whether the tasks FIS resolved for `actionName` are being stopped, and how long they took to stop. */
export async function verifyTasksStop(ctx: FaultContext<unknown, { cluster: string }>, actionName: string): Promise<Verification> {
  const { fault } = ctx;
  const action = await actionStatus(ctx, fault.experimentId!, actionName, ctx.signal);
  if (action.status === "failed" || action.status === "cancelled") return { landed: false, detail: `FIS action ${action.status}: ${action.reason ?? "no reason"}` };
  const tasks = fault.targets.map((t) => t.arn).filter(Boolean);
  if (tasks.length === 0) return { landed: false, detail: "FIS resolved no task" };
  const ecs = await ctx.aws.ecs();
  const seen = new Map<string, Seen>();
  const look = async () => {
    const pending = tasks.filter((t) => seen.get(t)?.lastStatus !== "STOPPED" && !seen.get(t)?.missing);
    for (let i = 0; i < pending.length; i += 100) {
      const out = await ecs.send(new DescribeTasksCommand({ cluster: ctx.target.cluster, tasks: pending.slice(i, i + 100) }), { abortSignal: ctx.signal as never });
      for (const t of out.tasks ?? []) if (t.taskArn) seen.set(t.taskArn, seenFrom(t));
      for (const f of out.failures ?? []) if (f.arn && f.reason === "MISSING") seen.set(f.arn, { lastStatus: "MISSING", desiredStatus: "STOPPED", missing: true });
    }
  };

  const landingDeadline = fault.startedAt + LANDING_MS;
  await look();
  while (!tasks.every((t) => landed(seen.get(t))) && ctx.clock.now() < landingDeadline) {
    await ctx.clock.sleep(POLL_MS, ctx.signal);
    await look();
  }
  const notLanded = tasks.filter((t) => !landed(seen.get(t)));
  if (notLanded.length > 0) {
    const states = notLanded.map((t) => `${arnId(t)} ${seen.get(t)?.lastStatus ?? "not found"} (desired ${seen.get(t)?.desiredStatus ?? "?"})`);
    return { landed: false, detail: `${notLanded.length} of ${tasks.length} task(s) were not being stopped ${LANDING_MS / 1000} s after the start: ${states.join(", ")}` };
  }
  const landedAt = ctx.clock.now();

  const settleDeadline = Math.min(landedAt + SETTLE_MS, fault.startedAt + LANDING_MS);
  while (!tasks.every((t) => seen.get(t)?.lastStatus === "STOPPED" || seen.get(t)?.missing) && ctx.clock.now() < settleDeadline) {
    await ctx.clock.sleep(POLL_MS, ctx.signal);
    await look();
  }

  const secondsToStopped: Record<string, number> = {};
  const stillStopping: Record<string, string> = {};
  for (const t of tasks) {
    const s = seen.get(t)!;
    if (s.lastStatus === "STOPPED" && s.stoppedAt !== undefined) secondsToStopped[t] = Math.max(0, (s.stoppedAt - fault.startedAt) / 1000);
    else if (!s.missing) stillStopping[t] = s.lastStatus;
  }
  const codes = [...new Set(tasks.map((t) => seen.get(t)!.stopCode).filter((c): c is string => c !== undefined))];
  const times = Object.values(secondsToStopped);
  const parts = [`${tasks.length} task(s) stopping${codes.length > 0 ? ` (${codes.join(", ")})` : ""} after ${((landedAt - fault.startedAt) / 1000).toFixed(1)} s`];
  if (times.length > 0) {
    const [lo, hi] = [Math.min(...times).toFixed(1), Math.max(...times).toFixed(1)];
    parts.push(`${times.length} STOPPED after ${lo === hi ? lo : `${lo}-${hi}`} s`);
  }
  const waiting = Object.entries(stillStopping);
  if (waiting.length > 0) {
    const deactivating = waiting.filter(([, st]) => st === "DEACTIVATING").length;
    const why = deactivating > 0 ? `; DEACTIVATING is the target group's deregistration delay before SIGTERM` : "";
    parts.push(`${waiting.length} not STOPPED yet after ${((ctx.clock.now() - fault.startedAt) / 1000).toFixed(0)} s (${waiting.map(([t, st]) => `${arnId(t)} ${st}`).join(", ")}${why})`);
  }
  return {
    landed: true,
    detail: parts.join("; "),
    evidence: { tasks, secondsToStopped, ...(waiting.length > 0 ? { stillStopping } : {}) },
  };
}
