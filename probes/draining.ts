/**
 * draining: did each spot-interrupted instance drain in time, and did its service tasks get out
 * before the instance died? Per interrupted instance (from this run's spot-interrupt faults):
 * - secondsToDraining: from the interruption warning to its container instance seen DRAINING
 *   (negative when something drained it before the warning, e.g. on the rebalance recommendation);
 * - serviceTasks: the service tasks (group `service:...`) seen on it once the fault started;
 * - replacedBeforeTermination: how many of them had a replacement of the same service RUNNING on
 *   another container instance before the termination;
 * - killedByTermination: how many were still alive when the instance was terminated.
 * Standalone tasks (RunTask) are never drained by ECS: they are reported, not judged.
 * Counts only grow, so readings during the chaos window fail as soon as a violation is certain:
 * "not replaced" is counted only once the instance has been terminated.
 */
import { z } from "zod";
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { ecsClusterReads } from "../src/iam/ecs-reads.js";
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

interface SeenTask {
  /** The service's name for a service task (group "service:web"); undefined for a standalone task. */
  service?: string;
  /** A task already STOPPED before the fault started is not this fault's business. */
  stoppedAt?: number;
}

interface Watched {
  instanceId: string;
  cluster: string;
  faultStartedAt: number;
  noticeAt: number;
  interruptAt: number;
  containerInstanceArn?: string;
  drainingAt?: number;
  late: boolean;
  /** Tasks seen on the instance since the fault started, by ARN. */
  tasks: Map<string, SeenTask>;
  /** Service and standalone tasks still alive when the instance was interrupted. */
  killed: Set<string>;
  standaloneKilled: Set<string>;
  /** Every task seen on the instance has been judged after the interruption. */
  settled: boolean;
}

/** A task of a watched service that ran somewhere else: a possible replacement. */
interface Candidate {
  containerInstanceArn?: string;
  createdAt?: number;
  startedAt?: number;
  /** Nothing more will change that matters: it started, or it stopped without starting. */
  final: boolean;
}

interface State {
  watched: Map<string, Watched>;
  candidates: Map<string, Map<string, Candidate>>;
}

function watchedFrom(fault: InjectedFault, cluster: string | undefined): Watched[] {
  const lead = parseDuration(String(fault.params.durationBeforeInterruption ?? "PT2M")) ?? NOTICE_LEAD_MS;
  const interruptAt = fault.startedAt + lead;
  const faultCluster = cluster ?? String(fault.target.cluster ?? "");
  return fault.targets
    .map((t) => t.arn.slice(t.arn.lastIndexOf("/") + 1))
    .filter((id) => id.startsWith("i-"))
    .map((instanceId) => ({
      instanceId,
      cluster: faultCluster,
      faultStartedAt: fault.startedAt,
      noticeAt: interruptAt - NOTICE_LEAD_MS,
      interruptAt,
      late: false,
      tasks: new Map<string, SeenTask>(),
      killed: new Set<string>(),
      standaloneKilled: new Set<string>(),
      settled: false,
    }));
}

function serviceOf(t: Task): string | undefined {
  return t.group?.startsWith("service:") ? t.group.slice("service:".length) : undefined;
}

async function describeTasks(ecs: ECSClient, cluster: string, arns: string[], signal: AbortSignal): Promise<Task[]> {
  const out: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const page = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }), { abortSignal: signal as never });
    out.push(...(page.tasks ?? []));
  }
  return out;
}

async function listTasks(ecs: ECSClient, input: { cluster: string; containerInstance?: string; serviceName?: string; desiredStatus: "RUNNING" | "STOPPED" }, signal: AbortSignal): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ ...input, ...(nextToken ? { nextToken } : {}) }), { abortSignal: signal as never });
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

export default defineProbe<Params>({
  name: "draining",
  description: "Spot-interrupted container instances reach DRAINING in time, their service tasks are replaced elsewhere first, and none dies with the instance",
  params,
  // Without a cluster it follows the spot-interrupt fault's, which only the run knows.
  permissions: ({ params: p, region, accountId }) => ecsClusterReads({ region, accountId, ...(p.cluster ? { cluster: p.cluster } : {}), what: ["instances", "tasks"], why: "draining watches instances and tasks" }),
  defaultTolerance: { lateDrains: 0, tasksKilledByTermination: 0, notReplacedBeforeTermination: 0 },
  output: {
    fields: {
      instances: { unit: "count", description: "Interrupted instances watched" },
      drained: { unit: "count", description: "Of them, seen DRAINING" },
      // Negative when something drained the instance before the warning.
      maxSecondsToDraining: { unit: "seconds", nullable: true, description: "The slowest time from the warning to DRAINING; null before any drained" },
      lateDrains: { unit: "count", description: "Instances not DRAINING within `within` of the warning" },
      tasksKilledByTermination: { unit: "count", description: "Service tasks still alive when their instance was terminated" },
      terminated: { unit: "count", description: "Watched instances past their interruption" },
      serviceTasks: { unit: "count", description: "Service tasks seen on the instances" },
      replacedBeforeTermination: { unit: "count", description: "Of them, replaced elsewhere before the termination" },
      notReplacedBeforeTermination: { unit: "count", description: "Of them, not replaced before the termination (counted once terminated)" },
      standaloneTasksKilledByTermination: { unit: "count", description: "Standalone tasks (never drained by ECS) killed by the termination" },
      byInstance: { unit: "list", description: "The same, per instance" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const spot = ctx.run.faults.filter((f) => f.fault === "spot-interrupt");
    if (spot.length === 0) throw new Error("no spot-interrupt fault has started in this run; nothing to watch");
    const state = (ctx.state.draining ??= { watched: new Map(), candidates: new Map() }) as State;
    const { watched } = state;
    for (const f of spot) {
      for (const w of watchedFrom(f, ctx.params.cluster)) if (!watched.has(w.instanceId)) watched.set(w.instanceId, w);
    }
    const ecs = await ctx.aws.ecs();
    const now = ctx.clock.now();
    const observations: Observation[] = [];
    for (const w of watched.values()) {
      const first = !w.containerInstanceArn;
      if (!w.containerInstanceArn) {
        const listed = await ecs.send(new ListContainerInstancesCommand({ cluster: w.cluster, filter: `ec2InstanceId == ${w.instanceId}` }), { abortSignal: ctx.signal as never });
        const arn = listed.containerInstanceArns?.[0];
        if (arn) w.containerInstanceArn = arn;
      }
      if (!w.containerInstanceArn) continue;
      if (w.drainingAt === undefined && now < w.interruptAt) {
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
      if (now < w.interruptAt) await collectTasks(ctx, ecs, w, first);
      if (now >= w.interruptAt && !w.settled) {
        const before = w.killed.size;
        w.settled = await settleKills(ctx, ecs, w);
        if (w.killed.size > before) observations.push({ at: now, message: `${w.killed.size} service task(s) were still running on ${w.instanceId} when it was interrupted` });
      }
    }
    await collectCandidates(ctx, ecs, state, now);
    const replaced = allocateReplacements(state);

    const all = [...watched.values()];
    const byInstance = all.map((w) => {
      const serviceTasks = [...w.tasks.values()].filter((t) => t.service !== undefined).length;
      const terminated = now >= w.interruptAt;
      return {
        instanceId: w.instanceId,
        secondsToDraining: w.drainingAt !== undefined ? (w.drainingAt - w.noticeAt) / 1000 : null,
        serviceTasks,
        replacedBeforeTermination: replaced.get(w.instanceId) ?? 0,
        killedByTermination: w.killed.size,
        standaloneTasks: [...w.tasks.values()].filter((t) => t.service === undefined).length,
        standaloneKilledByTermination: w.standaloneKilled.size,
        terminated,
      };
    });
    const times = byInstance.map((i) => i.secondsToDraining).filter((s): s is number => s !== null);
    const sum = (f: (i: (typeof byInstance)[number]) => number) => byInstance.reduce((n, i) => n + f(i), 0);
    return {
      value: {
        instances: all.length,
        drained: times.length,
        maxSecondsToDraining: times.length > 0 ? Math.max(...times) : null,
        lateDrains: all.filter((w) => w.late || (w.drainingAt !== undefined && w.drainingAt - w.noticeAt > ctx.params.within)).length,
        tasksKilledByTermination: sum((i) => i.killedByTermination),
        terminated: byInstance.filter((i) => i.terminated).length,
        serviceTasks: sum((i) => i.serviceTasks),
        replacedBeforeTermination: sum((i) => i.replacedBeforeTermination),
        // Only certain once the instance is gone: until then a replacement may still come.
        notReplacedBeforeTermination: sum((i) => (i.terminated ? i.serviceTasks - i.replacedBeforeTermination : 0)),
        standaloneTasksKilledByTermination: sum((i) => i.standaloneKilledByTermination),
        byInstance,
      },
      observations,
    };
  },
});

/**
 * The tasks on the instance, and whether each belongs to a service. On the first look also the
 * ones already stopping (desired STOPPED), in case draining began before this probe's first reading.
 */
async function collectTasks(ctx: ProbeContext<Params>, ecs: ECSClient, w: Watched, first: boolean): Promise<void> {
  const arns = await listTasks(ecs, { cluster: w.cluster, containerInstance: w.containerInstanceArn!, desiredStatus: "RUNNING" }, ctx.signal);
  if (first) arns.push(...(await listTasks(ecs, { cluster: w.cluster, containerInstance: w.containerInstanceArn!, desiredStatus: "STOPPED" }, ctx.signal)));
  const fresh = [...new Set(arns)].filter((a) => !w.tasks.has(a));
  for (const t of await describeTasks(ecs, w.cluster, fresh, ctx.signal)) {
    if (!t.taskArn) continue;
    const stoppedAt = t.stoppedAt?.getTime();
    // Stopped before the fault: unrelated history that ListTasks still returns for a while.
    if (stoppedAt !== undefined && stoppedAt < w.faultStartedAt) continue;
    // Stopped before it ever ran (a replacement placed on an instance whose own drain came a moment
    // later): it served nothing, so it needs no replacement and cannot die with the instance.
    if (t.desiredStatus === "STOPPED" && t.startedAt === undefined) continue;
    const service = serviceOf(t);
    w.tasks.set(t.taskArn, service !== undefined ? { service } : {});
  }
}

const LIST_PAST_INTERRUPTION_MS = 5 * 60_000;

/**
 * Tasks of the watched services running anywhere, seen until shortly after the last interruption: replacements
 * are among them. Each is described until it has started (or stopped), to learn where and when.
 */
async function collectCandidates(ctx: ProbeContext<Params>, ecs: ECSClient, state: State, now: number): Promise<void> {
  const byCluster = new Map<string, { services: Set<string>; open: boolean }>();
  for (const w of state.watched.values()) {
    const c = byCluster.get(w.cluster) ?? { services: new Set<string>(), open: false };
    for (const t of w.tasks.values()) if (t.service !== undefined) c.services.add(t.service);
    // Listed a while past the interruption too: a replacement that started just before it may only
    // be seen by the first reading after (counting still requires startedAt < interruptAt).
    c.open ||= now < w.interruptAt + LIST_PAST_INTERRUPTION_MS;
    byCluster.set(w.cluster, c);
  }
  for (const [cluster, { services, open }] of byCluster) {
    for (const service of services) {
      const key = `${cluster}/${service}`;
      const known = state.candidates.get(key) ?? new Map<string, Candidate>();
      state.candidates.set(key, known);
      if (open) {
        for (const arn of await listTasks(ecs, { cluster, serviceName: service, desiredStatus: "RUNNING" }, ctx.signal)) if (!known.has(arn)) known.set(arn, { final: false });
      }
      const pending = [...known].filter(([, c]) => !c.final).map(([arn]) => arn);
      for (const t of await describeTasks(ecs, cluster, pending, ctx.signal)) {
        if (!t.taskArn) continue;
        const startedAt = t.startedAt?.getTime();
        known.set(t.taskArn, {
          ...(t.containerInstanceArn ? { containerInstanceArn: t.containerInstanceArn } : {}),
          ...(t.createdAt ? { createdAt: t.createdAt.getTime() } : {}),
          ...(startedAt !== undefined ? { startedAt } : {}),
          final: startedAt !== undefined || t.lastStatus === "STOPPED",
        });
      }
    }
  }
}

/**
 * Matches each interrupted instance's service tasks with replacements: tasks of the same service
 * created after the fault started, on a container instance that is not being interrupted, RUNNING
 * before the termination. Each replacement counts for one task only.
 */
function allocateReplacements(state: State): Map<string, number> {
  const interrupted = new Set([...state.watched.values()].map((w) => w.containerInstanceArn).filter(Boolean));
  const used = new Set<string>();
  const out = new Map<string, number>();
  for (const w of state.watched.values()) {
    const need = new Map<string, number>();
    for (const t of w.tasks.values()) if (t.service !== undefined) need.set(t.service, (need.get(t.service) ?? 0) + 1);
    let replaced = 0;
    for (const [service, n] of need) {
      const pool = [...(state.candidates.get(`${w.cluster}/${service}`) ?? new Map<string, Candidate>())]
        .filter(([arn, c]) => !used.has(arn) && !w.tasks.has(arn) && c.startedAt !== undefined && c.startedAt < w.interruptAt && (c.createdAt ?? 0) >= w.faultStartedAt && !interrupted.has(c.containerInstanceArn))
        .sort(([, a], [, b]) => a.startedAt! - b.startedAt!);
      for (const [arn] of pool.slice(0, n)) used.add(arn);
      replaced += Math.min(n, pool.length);
    }
    out.set(w.instanceId, replaced);
  }
  return out;
}

/**
 * Tasks seen on the instance that stopped at or after the interruption died with it; tasks that
 * stopped before it were drained. Returns true once every seen task has STOPPED; on the final
 * reading, a task still not STOPPED on an interrupted host counts as killed.
 */
async function settleKills(ctx: ProbeContext<Params>, ecs: ECSClient, w: Watched): Promise<boolean> {
  let settled = true;
  for (const t of await describeTasks(ecs, w.cluster, [...w.tasks.keys()], ctx.signal)) {
    if (!t.taskArn) continue;
    const killed = serviceOf(t) !== undefined ? w.killed : w.standaloneKilled;
    const stoppedAt = t.stoppedAt?.getTime();
    if (t.lastStatus === "STOPPED" && stoppedAt !== undefined) {
      if (stoppedAt >= w.interruptAt) killed.add(t.taskArn);
    } else if (ctx.final) {
      killed.add(t.taskArn);
    } else {
      settled = false;
    }
  }
  return settled;
}
