/**
 * Scale an Auto Scaling group in, as the seed's periodic clean-up and a scale-in policy do: lower
 * its desired capacity (the group picks the instances by its termination policy) or terminate
 * chosen instances with ShouldDecrementDesiredCapacity. Either way each instance goes through the
 * group's lifecycle hooks before it is terminated, which is what the experiment tests.
 *
 * FIS has no Auto Scaling scale-in action. The compiled template holds only `aws:fis:wait` for the
 * fault's window, so that the step has a FIS experiment (stop conditions, `chaos stop`, the
 * journal) like every other; gameday makes the Auto Scaling calls itself once it runs. The undo in
 * the ledger restores the desired capacity read before the start: the group then launches new
 * instances (the terminated ones do not come back).
 */
import { z } from "zod";
import {
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  type AutoScalingClient,
  type AutoScalingGroup,
} from "../aws/sdk/autoscaling.js";
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand, type ECSClient, type Resource } from "../aws/sdk/ecs.js";
import { ecsClusterReads } from "../iam/ecs-reads.js";
import { defineFault, startEffect, type FaultContext } from "./types.js";
import { FIS_MAX_MS, isoDuration, isoToMs } from "./common.js";
import type { Permission } from "../iam/permission.js";

export const NO_FIS_ACTION = "FIS has no Auto Scaling scale-in action: the template only waits (aws:fis:wait) while gameday calls the Auto Scaling API itself";

const params = z
  .object({
    count: z.number().int().min(1).default(1).describe("How many instances to take out of the group"),
    by: z
      .enum(["desired-capacity", "terminate", "idle"])
      .default("desired-capacity")
      .describe(
        "desired-capacity: SetDesiredCapacity(desired - count), the group's termination policy picks; terminate: TerminateInstanceInAutoScalingGroup on count InService instances picked at random, decrementing the desired capacity; " +
          "idle: the seed's periodic clean-up, up to count instances that run no task, one at a time while the cluster keeps `headroom` of its CPU and memory free (target.cluster required)",
      ),
    headroom: z.number().int().min(0).max(100).default(25).describe("by idle: the share (percent) of the cluster's registered CPU and memory that must stay free after each removal"),
    duration: isoDuration({ minMs: 60_000, maxMs: FIS_MAX_MS, expected: "a duration between PT1M and PT12H (aws:fis:wait's limits)" })
      .default("PT10M")
      .describe("How long the group stays scaled in before rollback restores its desired capacity")
      .meta({ fis: { action: "aws:fis:wait", parameter: "duration" } }),
  })
  .strict();

const target = z
  .object({
    group: z.string().min(1).describe("Auto Scaling group name"),
    cluster: z.string().min(1).optional().describe("by idle: the ECS cluster the group's instances join"),
  })
  .strict();

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

interface ScaleInEffect {
  group: string;
  desiredBefore: number;
  desiredAfter: number;
  /** Instances the group took out of service because of this step. */
  removed: string[];
}

const TERMINATING = /^Terminat/;

async function describeGroup(asg: AutoScalingClient, name: string, signal?: AbortSignal): Promise<AutoScalingGroup> {
  const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }), { abortSignal: signal as never });
  const group = out.AutoScalingGroups?.[0];
  if (!group) throw new Error(`no Auto Scaling group named ${name}`);
  return group;
}

function inService(group: AutoScalingGroup): string[] {
  return (group.Instances ?? []).filter((i) => i.LifecycleState === "InService" && i.InstanceId).map((i) => i.InstanceId!);
}

function groupArn(region: string, accountId: string, group: string): string {
  return `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/${group}`;
}

async function scaleIn(ctx: FaultContext<Params, Target>): Promise<ScaleInEffect> {
  const asg = await ctx.aws.autoScaling();
  const group = await describeGroup(asg, ctx.target.group, ctx.signal);
  const desiredBefore = group.DesiredCapacity ?? 0;
  let desiredAfter = desiredBefore - ctx.params.count;
  const min = group.MinSize ?? 0;
  if (ctx.params.by === "idle") desiredAfter = Math.max(desiredAfter, min);
  else if (desiredAfter < min) throw new Error(`cannot take ${ctx.params.count} out of ${ctx.target.group}: desired capacity ${desiredBefore}, minimum size ${min}`);
  const before = new Set(inService(group));
  if (ctx.params.by === "idle") {
    if (!ctx.target.cluster) throw new Error("by idle needs target.cluster (the ECS cluster whose idle instances are removed)");
    const picked = await idleWithHeadroom(await ctx.aws.ecs(), ctx.target.cluster, before, Math.min(ctx.params.count, desiredBefore - min), ctx.params.headroom, ctx.signal);
    if (picked.length === 0) throw new Error(`no instance of ${ctx.target.group} in ${ctx.target.cluster} is idle with ${ctx.params.headroom}% of CPU and memory to spare without it`);
    for (const id of picked) {
      await asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: true }), { abortSignal: ctx.signal as never });
    }
  } else if (ctx.params.by === "terminate") {
    for (const id of ctx.random.sample([...before], ctx.params.count)) {
      await asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: true }), { abortSignal: ctx.signal as never });
    }
  } else {
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: ctx.target.group, DesiredCapacity: desiredAfter, HonorCooldown: false }), { abortSignal: ctx.signal as never });
  }
  const after = await describeGroup(asg, ctx.target.group, ctx.signal);
  const removed = (after.Instances ?? []).filter((i) => before.has(i.InstanceId ?? "") && TERMINATING.test(i.LifecycleState ?? "")).map((i) => i.InstanceId!);
  return { group: ctx.target.group, desiredBefore, desiredAfter: after.DesiredCapacity ?? desiredAfter, removed };
}

/**
 * The seed's clean-up: instances of the group that run no task (running + pending 0), taken one at
 * a time while what stays free of the cluster's registered CPU and memory, without them, is at
 * least `headroom` percent. Read from ECS as an operator does (DescribeContainerInstances).
 */
async function idleWithHeadroom(ecs: ECSClient, cluster: string, inGroup: Set<string>, most: number, headroom: number, signal: AbortSignal): Promise<string[]> {
  const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster, status: "ACTIVE" }), { abortSignal: signal as never })).containerInstanceArns ?? [];
  if (arns.length === 0) return [];
  const cis = (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }), { abortSignal: signal as never })).containerInstances ?? [];
  const amount = (list: Resource[] | undefined, name: string) => list?.find((r) => r.name === name)?.integerValue ?? 0;
  const total = { cpu: 0, memory: 0, freeCpu: 0, freeMemory: 0 };
  for (const ci of cis) {
    total.cpu += amount(ci.registeredResources, "CPU");
    total.memory += amount(ci.registeredResources, "MEMORY");
    total.freeCpu += amount(ci.remainingResources, "CPU");
    total.freeMemory += amount(ci.remainingResources, "MEMORY");
  }
  const picked: string[] = [];
  for (const ci of cis) {
    if (picked.length >= most) break;
    if ((ci.runningTasksCount ?? 0) + (ci.pendingTasksCount ?? 0) > 0 || !inGroup.has(ci.ec2InstanceId ?? "")) continue;
    const cpu = amount(ci.registeredResources, "CPU");
    const memory = amount(ci.registeredResources, "MEMORY");
    const next = { cpu: total.cpu - cpu, memory: total.memory - memory, freeCpu: total.freeCpu - cpu, freeMemory: total.freeMemory - memory };
    if (next.cpu <= 0 || next.freeCpu * 100 < headroom * next.cpu || next.freeMemory * 100 < headroom * next.memory) continue;
    Object.assign(total, next);
    picked.push(ci.ec2InstanceId!);
  }
  return picked;
}

export default defineFault<Params, Target>({
  name: "scale-in",
  description: `Scale an Auto Scaling group in (lifecycle hooks run); ${NO_FIS_ACTION}`,
  params,
  target,
  async resolve({ params: p, target: t, aws, region, accountId, signal }) {
    const group = await describeGroup(await aws.autoScaling(), t.group, signal);
    const candidates = inService(group).map((id) => ({ arn: `arn:aws:ec2:${region}:${accountId}:instance/${id}`, id }));
    // The group (or, for `terminate`, the fault with the run's Random) picks; FIS picks nothing.
    return { lookedFor: `InService instances of Auto Scaling group ${t.group}`, candidates, hits: Math.min(p.count, candidates.length), picks: false };
  },
  compile({ params: p, target: t }) {
    return {
      description: `scale in Auto Scaling group ${t.group} by ${p.count} (${p.by}) for ${p.duration}`,
      targets: {},
      actions: { "scale-in-window": { actionId: "aws:fis:wait", description: NO_FIS_ACTION.slice(0, 512), parameters: { duration: p.duration } } },
    };
  },
  permissions: {
    // aws:fis:wait acts on nothing: the FIS role needs no permission for it.
    fis: () => [],
    runner: ({ params: p, target: t, region, accountId }): Permission[] => [
      { why: "read the Auto Scaling group and its instances", actions: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances"], resources: ["*"] },
      {
        why: "scale the Auto Scaling group in and restore its desired capacity",
        actions: p.by === "desired-capacity" ? ["autoscaling:SetDesiredCapacity"] : ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        resources: [groupArn(region, accountId, t.group)],
      },
      ...(p.by === "idle" ? ecsClusterReads({ region, accountId, ...(t.cluster ? { cluster: t.cluster } : {}), what: ["instances"], why: "scale-in finds idle instances" }) : []),
    ],
  },
  expectedDurationMs: (p) => isoToMs(p.duration),
  async prepareUndo(ctx) {
    const group = await describeGroup(await ctx.aws.autoScaling(), ctx.target.group, ctx.signal);
    const desired = group.DesiredCapacity ?? 0;
    return [{ description: `restore Auto Scaling group ${ctx.target.group}'s desired capacity to ${desired}`, undo: { type: "autoscaling-set-desired-capacity", group: ctx.target.group, desiredCapacity: desired } }];
  },
  async afterStart(ctx) {
    const effect = await scaleIn(ctx);
    return { effect: { ...effect } };
  },
  async verify(ctx) {
    const effect = startEffect(ctx.fault) as (ScaleInEffect & { error?: string }) | undefined;
    if (!effect || effect.error !== undefined) return { landed: false, detail: `the scale-in did not happen: ${effect?.error ?? "no effect recorded"}` };
    const asg = await ctx.aws.autoScaling();
    const group = await describeGroup(asg, effect.group, ctx.signal);
    const states = new Map((await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: effect.removed }), { abortSignal: ctx.signal as never })).AutoScalingInstances?.map((i) => [i.InstanceId!, i.LifecycleState!]) ?? []);
    const leaving = effect.removed.filter((id) => !states.has(id) || TERMINATING.test(states.get(id)!));
    // by idle takes up to `count`: as many as the headroom allows, at least one.
    const enough = ctx.params.by === "idle" ? effect.removed.length >= 1 : effect.removed.length === ctx.params.count;
    const landed = group.DesiredCapacity === effect.desiredAfter && enough && leaving.length === effect.removed.length;
    const where = effect.removed.map((id) => `${id} ${states.get(id) ?? "gone"}`).join(", ");
    return {
      landed,
      detail: landed
        ? `desired capacity of ${effect.group} ${effect.desiredBefore} -> ${effect.desiredAfter}; leaving: ${where}`
        : `desired capacity of ${effect.group} is ${group.DesiredCapacity ?? "?"} (expected ${effect.desiredAfter}); ${effect.removed.length} of ${ctx.params.count} instance(s) taken out${where ? `: ${where}` : ""}`,
      evidence: { ...effect, states: Object.fromEntries(states) },
    };
  },
});
