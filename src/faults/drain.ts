/**
 * Drain a share of a cluster's container instances: FIS `aws:ecs:drain-container-instances`. FIS
 * returns them to ACTIVE when its duration ends or the experiment stops; gameday also keeps its
 * own undo in the ledger, so that a crash or an early stop still puts them back.
 *
 * Before the start the undo can only be a guess (every instance ACTIVE then). Once FIS has drained,
 * the fault records the instances that went ACTIVE -> DRAINING and narrows the undo to those:
 * instances something else drained (a spot drain handler, an earlier drain) are left alone. FIS
 * does not say which instances it picked, so "moved" means ACTIVE before the start and DRAINING
 * once the action runs.
 */
import { z } from "zod";
import { ec2Ids, instancesWithStatus } from "./cluster-instances.js";
import { defineFault, startEffect, type FaultContext, type PreparedUndo, type StartEffect } from "./types.js";
import { actionStatus, FIS_MAX_MS, isoDuration, isoToMs } from "./common.js";
import { spotInterruptionsIssuedIfKnown } from "./spot-notices.js";
import { clusterArn, drainPermissions } from "../iam/fis-actions.js";
import { ecsClusterReads } from "../iam/ecs-reads.js";

const params = z
  .object({
    percentage: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .describe(
        "Share of the cluster's ACTIVE container instances to drain. The count rounds up, ceil(ACTIVE × percentage / 100), so at least one: " +
          "with 6 ACTIVE, 16 drains 1 and 17 drains 2 (AWS does not document the rounding; the sandbox rounds up, and the landing check allows for either)",
      )
      .meta({ fis: { action: "aws:ecs:drain-container-instances", parameter: "drainagePercentage" } }),
    // FIS takes PT1M to PT12H for this action's duration (the sandbox's FIS checks the same).
    duration: isoDuration({ minMs: 60_000, maxMs: FIS_MAX_MS, expected: "a duration between PT1M and PT12H (FIS's limits for aws:ecs:drain-container-instances)" })
      .default("PT5M")
      .describe("How long they stay DRAINING; FIS then returns them to ACTIVE")
      .meta({ fis: { action: "aws:ecs:drain-container-instances", parameter: "duration" } }),
  })
  .strict();

const target = z
  .object({ cluster: z.string().min(1).describe("ECS cluster whose instances are drained").meta({ fis: { resourceType: "aws:ecs:cluster", field: "resourceArns" } }) })
  .strict();

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

/** How long after the start the drain must show. */
const LANDING_MS = 30_000;
const POLL_MS = 1_000;
/** The moved set must hold still this many polls before it is taken as complete. */
const STABLE_POLLS = 1;

interface DrainEffect {
  /** Container instances that were ACTIVE just before the start. */
  activeBefore: string[];
  /** Those of them that went DRAINING once the action ran. */
  moved: string[];
  /** EC2 ids of `moved`, in the same order. */
  movedIds: string[];
  /** Moved at the same time but under a spot interruption notice: the drain handler's doing, not ours. */
  spotNoticed: string[];
  /** When the moved set was first seen complete. */
  seenAt: number;
}

/**
 * Waits for the drain action to run, then for the instances it drains to show DRAINING (until the
 * set stops growing, or the landing deadline).
 */
async function observeDrain(ctx: FaultContext<Params, Target>, activeBefore: string[]): Promise<DrainEffect | { failed: string }> {
  const action = await actionStatus(ctx, ctx.fault.experimentId!, "drain", ctx.signal);
  if (action.status === "failed" || action.status === "cancelled") return { failed: `FIS action ${action.status}: ${action.reason ?? "no reason"}` };
  const ecs = await ctx.aws.ecs();
  const before = new Set(activeBefore);
  const deadline = ctx.fault.startedAt + LANDING_MS;
  // FIS's rounding of the percentage is not documented: as many as rounding up gives is surely all
  // of them; fewer are taken once the set holds still.
  const most = Math.ceil((activeBefore.length * ctx.params.percentage) / 100);
  let moved: string[] = [];
  let stable = 0;
  for (;;) {
    const now = (await instancesWithStatus(ecs, ctx.target.cluster, "DRAINING", ctx.signal)).filter((a) => before.has(a)).sort();
    stable = now.length > 0 && now.join() === moved.join() ? stable + 1 : 0;
    moved = now;
    if (moved.length >= most || stable >= STABLE_POLLS || ctx.clock.now() >= deadline) break;
    await ctx.clock.sleep(POLL_MS, ctx.signal);
  }
  const ids = await ec2Ids(ecs, ctx.target.cluster, moved, ctx.signal);
  // An instance that got a spot interruption notice went DRAINING because of it (the agent or a
  // drain handler), and must not be reactivated: it is about to be terminated.
  const { notices, error } = await spotInterruptionsIssuedIfKnown(ctx.aws, ctx.clock.now());
  if (error) ctx.log.warn(`drain: could not check for spot interruption notices; counting every instance that went DRAINING`, { error });
  const spotNoticed = moved.filter((a) => notices.has(ids.get(a) ?? ""));
  const ours = moved.filter((a) => !spotNoticed.includes(a));
  return { activeBefore, moved: ours, movedIds: ours.map((a) => ids.get(a) ?? a), spotNoticed: spotNoticed.map((a) => ids.get(a) ?? a), seenAt: ctx.clock.now() };
}

function activateUndo(cluster: string, arns: string[], what: string): PreparedUndo {
  return { description: `return the ${arns.length} container instance(s) of ${cluster} ${what} to ACTIVE`, undo: { type: "ecs-activate-instances", cluster, containerInstances: arns } };
}

export default defineFault<Params, Target>({
  name: "drain",
  description: "Drain ECS container instances for a while (FIS aws:ecs:drain-container-instances)",
  params,
  target,
  async resolve({ params: p, target: t, aws, signal }) {
    const ecs = await aws.ecs();
    const active = await instancesWithStatus(ecs, t.cluster, "ACTIVE", signal);
    const ids = await ec2Ids(ecs, t.cluster, active, signal);
    const candidates = active.map((arn) => ({ arn, id: ids.get(arn) ?? arn }));
    // FIS drains ceil(ACTIVE x percentage / 100) of them (see `percentage`); it picks which.
    const hits = Math.ceil((candidates.length * p.percentage) / 100);
    return {
      lookedFor: `ACTIVE container instances of cluster ${t.cluster}`,
      candidates,
      hits,
      picks: false,
      ...(hits >= candidates.length && candidates.length > 0
        ? { needsAllow: [{ key: "wholeClusterDrain" as const, name: t.cluster, why: `it would drain all ${candidates.length} ACTIVE container instances of cluster ${t.cluster} (percentage ${p.percentage})` }] }
        : {}),
    };
  },
  compile({ params: p, target: t, region, accountId }) {
    return {
      description: `drain ${p.percentage}% of the container instances of ${t.cluster} for ${p.duration}`,
      targets: { cluster: { resourceType: "aws:ecs:cluster", resourceArns: [`arn:aws:ecs:${region}:${accountId}:cluster/${t.cluster}`], selectionMode: "ALL" } },
      actions: {
        drain: {
          actionId: "aws:ecs:drain-container-instances",
          parameters: { drainagePercentage: String(p.percentage), duration: p.duration },
          targets: { Clusters: "cluster" },
        },
      },
    };
  },
  permissions: {
    fis: ({ target: t, region, accountId }) => drainPermissions({ region, accountId, cluster: t.cluster }),
    runner: ({ target: t, region, accountId }) => [
      // prepareUndo and afterStart list and describe the container instances.
      ...ecsClusterReads({ region, accountId, cluster: t.cluster, what: ["instances"], why: "drain observes the drain" }),
      // Its undo (ecs-activate-instances) returns them to ACTIVE.
      {
        why: "drain undo returns instances to ACTIVE",
        actions: ["ecs:UpdateContainerInstancesState"],
        resources: [`arn:aws:ecs:${region}:${accountId}:container-instance/*`],
        conditions: { ArnEquals: { "ecs:cluster": clusterArn(region, accountId, t.cluster) } },
      },
    ],
  },
  expectedDurationMs: (p) => isoToMs(p.duration),
  async prepareUndo(ctx) {
    // Written before the start, for a crash in between: the instances the drain may pick.
    const ecs = await ctx.aws.ecs();
    return [activateUndo(ctx.target.cluster, await instancesWithStatus(ecs, ctx.target.cluster, "ACTIVE", ctx.signal), "that are ACTIVE now")];
  },
  async afterStart(ctx, prepared): Promise<StartEffect | undefined> {
    const guess = prepared.find((p) => p.undo.type === "ecs-activate-instances")?.undo;
    if (guess?.type !== "ecs-activate-instances") return undefined;
    const seen = await observeDrain(ctx, guess.containerInstances);
    // Nothing seen moving: keep the guess, in case FIS drains after all.
    if ("failed" in seen || seen.moved.length === 0) return { effect: { ...seen } };
    return {
      undos: [activateUndo(ctx.target.cluster, seen.moved, `the drain moved to DRAINING (${seen.movedIds.join(", ")})`)],
      note: `the drain moved ${seen.moved.length} container instance(s) to DRAINING`,
      effect: { ...seen },
    };
  },
  async verify(ctx) {
    // afterStart watched the drain land (the step waits for it); this reports what it saw.
    const seen = startEffect(ctx.fault) as (DrainEffect | { failed: string } | { error: string }) | undefined;
    if (!seen) return { landed: false, detail: "the drain was not observed after the start" };
    if ("error" in seen) return { landed: false, detail: `could not observe the drain: ${seen.error}` };
    if ("failed" in seen) return { landed: false, detail: seen.failed };
    const noticed = seen.spotNoticed.length > 0 ? `; not counted: ${seen.spotNoticed.join(", ")} (DRAINING under a spot interruption notice)` : "";
    if (seen.activeBefore.length === 0) return { landed: false, detail: `no container instance of ${ctx.target.cluster} was ACTIVE to drain` };
    if (seen.moved.length === 0) {
      return { landed: false, detail: `no container instance went from ACTIVE to DRAINING within ${LANDING_MS / 1000} s of the start (${seen.activeBefore.length} were ACTIVE)${noticed}` };
    }
    return {
      landed: true,
      detail: `${seen.moved.length} of ${seen.activeBefore.length} container instance(s) ACTIVE -> DRAINING after ${((seen.seenAt - ctx.fault.startedAt) / 1000).toFixed(1)} s: ${seen.movedIds.join(", ")}${noticed}`,
      evidence: { draining: seen.moved, instanceIds: seen.movedIds, activeBefore: seen.activeBefore.length, ...(seen.spotNoticed.length > 0 ? { spotNoticed: seen.spotNoticed } : {}) },
    };
  },
});
