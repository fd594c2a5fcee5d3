/**
 * draining: did each spot-interrupted instance drain in time, and did its service tasks get out
 * before the instance died? Per interrupted instance (from this run's spot-interrupt faults):
 * how long after the interruption notice its container instance was seen DRAINING, whether that
 * was within `within`, and how many tasks were still running on it when it was terminated.
 * Counts only grow, so readings during the chaos window fail as soon as a violation is certain.
 */
import { z } from "zod";
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { duration } from "../src/engine/params.js";
import { parseDuration } from "../src/experiment/duration.js";
import type { InjectedFault, Observation } from "../src/engine/ports.js";

const params = z
  .object({
    cluster: z.string().min(1).optional().describe("Defaults to the cluster of the spot-interrupt fault"),
    within: duration("PT2M").describe("DRAINING must be seen within this long after the notice"),
  })
  .strict();

type Params = z.infer<typeof params>;

/** The interruption warning comes this long before the interruption. */
const NOTICE_LEAD_MS = 120_000;

interface Watched {
  instanceId: string;
  cluster: string;
  noticeAt: number;
  interruptAt: number;
  containerInstanceArn?: string;
  drainingAt?: number;
  late: boolean;
  /** Tasks seen RUNNING on the instance, by ARN. */
  tasks: Set<string>;
  /** Tasks that were still alive when the instance was interrupted, once each has STOPPED. */
  killed: Set<string>;
  /** Every task seen on the instance has reached STOPPED after the interruption. */
  settled: boolean;
}

function watchedFrom(fault: InjectedFault, cluster: string | undefined): Watched[] {
  const lead = parseDuration(String(fault.params.durationBeforeInterruption ?? "PT2M")) ?? NOTICE_LEAD_MS;
  const interruptAt = fault.startedAt + lead;
  const faultCluster = cluster ?? String(fault.target.cluster ?? "");
  return fault.targets
    .map((t) => t.arn.slice(t.arn.lastIndexOf("/") + 1))
    .filter((id) => id.startsWith("i-"))
    .map((instanceId) => ({ instanceId, cluster: faultCluster, noticeAt: interruptAt - NOTICE_LEAD_MS, interruptAt, late: false, tasks: new Set<string>(), killed: new Set<string>(), settled: false }));
}

export default defineProbe<Params>({
  name: "draining",
  description: "Spot-interrupted container instances reach DRAINING in time and no task dies with the instance",
  params,
  defaultTolerance: { lateDrains: 0, tasksKilledByTermination: 0 },
  async run(ctx: ProbeContext<Params>) {
    const spot = ctx.run.faults.filter((f) => f.fault === "spot-interrupt");
    if (spot.length === 0) throw new Error("no spot-interrupt fault has started in this run; nothing to watch");
    const watched = (ctx.state.watched ??= new Map<string, Watched>()) as Map<string, Watched>;
    for (const f of spot) {
      for (const w of watchedFrom(f, ctx.params.cluster)) if (!watched.has(w.instanceId)) watched.set(w.instanceId, w);
    }
    const ecs = await ctx.aws.ecs();
    const now = ctx.clock.now();
    const observations: Observation[] = [];
    for (const w of watched.values()) {
      if (!w.containerInstanceArn) {
        const listed = await ecs.send(new ListContainerInstancesCommand({ cluster: w.cluster, filter: `ec2InstanceId == ${w.instanceId}` }), { abortSignal: ctx.signal as never });
        const arn = listed.containerInstanceArns?.[0];
        if (arn) w.containerInstanceArn = arn;
      }
      if (w.containerInstanceArn && w.drainingAt === undefined && now < w.interruptAt) {
        const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster: w.cluster, containerInstances: [w.containerInstanceArn] }), { abortSignal: ctx.signal as never });
        if (d.containerInstances?.[0]?.status === "DRAINING") {
          w.drainingAt = now;
          observations.push({ at: now, message: `${w.instanceId} DRAINING ${((now - w.noticeAt) / 1000).toFixed(1)} s after the notice` });
        }
      }
      if (w.drainingAt === undefined && now - w.noticeAt > ctx.params.within && !w.late) {
        w.late = true;
        observations.push({ at: now, message: `${w.instanceId} not DRAINING ${(ctx.params.within / 1000).toFixed(0)} s after the notice` });
      }
      if (w.containerInstanceArn && now < w.interruptAt) {
        const running = await ecs.send(new ListTasksCommand({ cluster: w.cluster, containerInstance: w.containerInstanceArn, desiredStatus: "RUNNING" }), { abortSignal: ctx.signal as never });
        for (const t of running.taskArns ?? []) w.tasks.add(t);
      }
      if (w.containerInstanceArn && now >= w.interruptAt && !w.settled) {
        const before = w.killed.size;
        w.settled = await settleKills(ctx, w);
        if (w.killed.size > before) observations.push({ at: now, message: `${w.killed.size} task(s) were still running on ${w.instanceId} when it was interrupted` });
      }
    }
    const all = [...watched.values()];
    const drained = all.filter((w) => w.drainingAt !== undefined);
    const times = drained.map((w) => (w.drainingAt! - w.noticeAt) / 1000);
    return {
      value: {
        instances: all.length,
        drained: drained.length,
        maxSecondsToDraining: times.length > 0 ? Math.max(...times) : null,
        lateDrains: all.filter((w) => w.late || (w.drainingAt !== undefined && w.drainingAt - w.noticeAt > ctx.params.within)).length,
        tasksKilledByTermination: all.reduce((n, w) => n + w.killed.size, 0),
        terminated: all.filter((w) => now >= w.interruptAt).length,
      },
      observations,
    };
  },
});

/**
 * Tasks seen running on the instance that stopped at or after the interruption died with it; tasks
 * that stopped before it were drained. Returns true once every seen task has STOPPED; on the final
 * reading, a task still not STOPPED on an interrupted host counts as killed.
 */
async function settleKills(ctx: ProbeContext<Params>, w: Watched): Promise<boolean> {
  const ecs = await ctx.aws.ecs();
  const arns = [...w.tasks];
  let settled = true;
  for (let i = 0; i < arns.length; i += 100) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster: w.cluster, tasks: arns.slice(i, i + 100) }), { abortSignal: ctx.signal as never });
    for (const t of out.tasks ?? []) {
      if (!t.taskArn) continue;
      const stoppedAt = t.stoppedAt?.getTime();
      if (t.lastStatus === "STOPPED" && stoppedAt !== undefined) {
        if (stoppedAt >= w.interruptAt) w.killed.add(t.taskArn);
      } else if (ctx.final) {
        w.killed.add(t.taskArn);
      } else {
        settled = false;
      }
    }
  }
  return settled;
}
