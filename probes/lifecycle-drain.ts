/**
 * lifecycle-drain: when an Auto Scaling group scales in through a terminating lifecycle hook, is
 * each instance let go only after its ECS tasks stopped and were replaced? Read as an operator
 * can: DescribeAutoScalingInstances (Terminating:Wait, then Terminating:Proceed or gone),
 * DescribeScalingActivities (the termination and its StatusCode, MidLifecycleAction while the
 * hook holds it), DescribeLifecycleHooks (the heartbeat timeout) and ECS tasks.
 *
 * What AWS does not show and this probe therefore cannot: how many times CompleteLifecycleAction
 * or RecordLifecycleActionHeartbeat was called, and whether the result was CONTINUE or ABANDON
 * (CloudTrail records the calls; the sandbox does not model CloudTrail). What it reports instead:
 * a wait that ended before the heartbeat timeout could only have been ended by a Complete call;
 * one that lasted the timeout or longer may have expired.
 *
 * A task counts as cut short when it had not STOPPED at the first reading after its instance left
 * Terminating:Wait: keep `interval` below the instance's shutdown time.
 */
import { z } from "zod";
import { DescribeAutoScalingInstancesCommand, DescribeLifecycleHooksCommand, DescribeAutoScalingGroupsCommand } from "../src/aws/sdk/autoscaling.js";
import { DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, type ECSClient } from "../src/aws/sdk/ecs.js";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { ecsClusterReads } from "../src/iam/ecs-reads.js";

const params = z
  .object({
    group: z.string().min(1).describe("The Auto Scaling group that scales in"),
    cluster: z.string().min(1).describe("The ECS cluster its instances join"),
  })
  .strict();

type Params = z.infer<typeof params>;

interface Watched {
  containerInstance?: string | undefined;
  waitSeenAt: number;
  /** Tasks on it not STOPPED at the last reading that saw it waiting. */
  tasks: string[];
  endedAt?: number;
  cutShort?: number;
}

interface State {
  watched: Record<string, Watched>;
  heartbeatMs?: number;
}

export default defineProbe<Params>({
  name: "lifecycle-drain",
  description:
    "Instances an Auto Scaling group scales in leave Terminating:Wait only after their ECS tasks stopped (AWS does not show Complete/heartbeat calls or the CONTINUE/ABANDON result; CloudTrail would)",
  params,
  permissions: ({ params: p, region, accountId }) => [
    { why: "lifecycle-drain reads the group, its instances and hooks", actions: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeLifecycleHooks"], resources: ["*"] },
    ...ecsClusterReads({ region, accountId, cluster: p.cluster, what: ["instances", "tasks"], why: "lifecycle-drain" }),
  ],
  defaultTolerance: { tasksCutShort: 0 },
  output: {
    fields: {
      instances: { unit: "count", description: "Instances seen in Terminating:Wait in the window" },
      stillWaiting: { unit: "count", description: "Of them, still in Terminating:Wait now" },
      tasksCutShort: { unit: "count", description: "Tasks not yet STOPPED when their instance left Terminating:Wait (the termination killed them)" },
      endedBeforeHeartbeatTimeout: { unit: "count", description: "Waits that ended before the hook's heartbeat timeout: certainly by a CompleteLifecycleAction call" },
      longestWaitMs: { unit: "ms", description: "The longest time an instance was seen in Terminating:Wait" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const asg = await ctx.aws.autoScaling();
    const ecs = await ctx.aws.ecs();
    const abort = { abortSignal: ctx.signal as never };
    const state = (ctx.state.lifecycle ??= { watched: {} }) as State;
    if (state.heartbeatMs === undefined) {
      const hooks = (await asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: ctx.params.group }), abort)).LifecycleHooks ?? [];
      const terminating = hooks.filter((h) => h.LifecycleTransition === "autoscaling:EC2_INSTANCE_TERMINATING");
      if (terminating.length === 0) throw new Error(`Auto Scaling group ${ctx.params.group} has no terminating lifecycle hook`);
      state.heartbeatMs = Math.min(...terminating.map((h) => (h.HeartbeatTimeout ?? 3600) * 1000));
    }
    const now = ctx.clock.now();
    const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [ctx.params.group] }), abort)).AutoScalingGroups?.[0];
    if (!group) throw new Error(`no Auto Scaling group named ${ctx.params.group}`);
    const ids = (group.Instances ?? []).map((i) => i.InstanceId!);
    const states = new Map(
      ids.length === 0 ? [] : ((await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: ids }), abort)).AutoScalingInstances ?? []).map((i) => [i.InstanceId!, i.LifecycleState!]),
    );
    const observations = [];
    for (const [id, lifecycle] of states) {
      if (lifecycle !== "Terminating:Wait") continue;
      const w = (state.watched[id] ??= { waitSeenAt: now, tasks: [] });
      if (w.endedAt !== undefined) continue;
      w.containerInstance ??= (await ecs.send(new ListContainerInstancesCommand({ cluster: ctx.params.cluster, filter: `ec2InstanceId == ${id}` }), abort)).containerInstanceArns?.[0];
      w.tasks = w.containerInstance ? await notStopped(ecs, ctx.params.cluster, await tasksOn(ecs, ctx.params.cluster, w.containerInstance, ctx.signal), ctx.signal) : [];
      if (w.waitSeenAt === now) observations.push({ at: now, message: `${id} in Terminating:Wait with ${w.tasks.length} task(s) not stopped` });
    }
    for (const [id, w] of Object.entries(state.watched)) {
      if (w.endedAt !== undefined || states.get(id) === "Terminating:Wait") continue;
      w.endedAt = now;
      w.cutShort = (await notStopped(ecs, ctx.params.cluster, w.tasks, ctx.signal)).length;
      const waited = now - w.waitSeenAt;
      observations.push({
        at: now,
        message: `${id} left Terminating:Wait after about ${(waited / 1000).toFixed(0)} s (${states.get(id) ?? "gone from the group"}); ${w.cutShort} task(s) not yet stopped${waited < state.heartbeatMs ? "; before the heartbeat timeout, so a CompleteLifecycleAction call ended it" : ""}`,
      });
    }
    const all = Object.values(state.watched);
    return {
      value: {
        instances: all.length,
        stillWaiting: all.filter((w) => w.endedAt === undefined).length,
        tasksCutShort: all.reduce((n, w) => n + (w.cutShort ?? 0), 0),
        endedBeforeHeartbeatTimeout: all.filter((w) => w.endedAt !== undefined && w.endedAt - w.waitSeenAt < state.heartbeatMs!).length,
        longestWaitMs: Math.max(0, ...all.map((w) => (w.endedAt ?? now) - w.waitSeenAt)),
      },
      observations,
    };
  },
});

async function tasksOn(ecs: ECSClient, cluster: string, containerInstance: string, signal: AbortSignal): Promise<string[]> {
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster, containerInstance, desiredStatus, ...(nextToken ? { nextToken } : {}) }), { abortSignal: signal as never });
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return arns;
}

/** Those of `arns` whose last status is not STOPPED (a task ECS has forgotten counts as stopped). */
async function notStopped(ecs: ECSClient, cluster: string, arns: string[], signal: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }), { abortSignal: signal as never })).tasks ?? [];
    for (const t of tasks) if (t.lastStatus !== "STOPPED") out.push(t.taskArn!);
  }
  return out;
}
