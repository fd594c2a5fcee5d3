/**
 * Drain a share of a cluster's container instances: FIS `aws:ecs:drain-container-instances`. FIS
 * returns them to ACTIVE when its duration ends; gameday also writes its own undo to the ledger
 * before the start (the instances that were ACTIVE then), so that a crash or an early stop still
 * puts them back.
 */
import { z } from "zod";
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { defineFault } from "./types.js";
import { actionStatus, isoDuration, isoToMs } from "./common.js";

const params = z
  .object({
    percentage: z.number().int().min(1).max(100).default(20).describe("Share of ACTIVE container instances to drain"),
    duration: isoDuration.default("PT5M").describe("How long they stay DRAINING"),
  })
  .strict();

const target = z.object({ cluster: z.string().min(1) }).strict();

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

async function activeInstances(ctx: { aws: { ecs(): Promise<import("@aws-sdk/client-ecs").ECSClient> }; signal: AbortSignal }, cluster: string): Promise<string[]> {
  const ecs = await ctx.aws.ecs();
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListContainerInstancesCommand({ cluster, status: "ACTIVE", ...(nextToken ? { nextToken } : {}) }), { abortSignal: ctx.signal as never });
    arns.push(...(page.containerInstanceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

export default defineFault<Params, Target>({
  name: "drain",
  description: "Drain ECS container instances for a while (FIS aws:ecs:drain-container-instances)",
  params,
  target,
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
  expectedDurationMs: (p) => isoToMs(p.duration),
  async prepareUndo(ctx) {
    const active = await activeInstances(ctx, ctx.target.cluster);
    return [
      {
        description: `return the ${active.length} container instance(s) of ${ctx.target.cluster} that are ACTIVE now to ACTIVE`,
        undo: { type: "ecs-activate-instances", cluster: ctx.target.cluster, containerInstances: active },
      },
    ];
  },
  async verify(ctx) {
    const action = await actionStatus(ctx, ctx.fault.experimentId!, "drain", ctx.signal);
    if (action.status === "failed" || action.status === "cancelled") return { landed: false, detail: `FIS action ${action.status}: ${action.reason ?? "no reason"}` };
    const ecs = await ctx.aws.ecs();
    const deadline = ctx.fault.startedAt + 30_000;
    for (;;) {
      const draining: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await ecs.send(new ListContainerInstancesCommand({ cluster: ctx.target.cluster, status: "DRAINING", ...(nextToken ? { nextToken } : {}) }), { abortSignal: ctx.signal as never });
        draining.push(...(page.containerInstanceArns ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      if (draining.length > 0) {
        const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster: ctx.target.cluster, containerInstances: draining.slice(0, 100) }), { abortSignal: ctx.signal as never });
        const ids = (described.containerInstances ?? []).map((c) => c.ec2InstanceId ?? c.containerInstanceArn ?? "?");
        return { landed: true, detail: `${draining.length} container instance(s) DRAINING: ${ids.join(", ")}`, evidence: { draining } };
      }
      if (ctx.clock.now() > deadline) return { landed: false, detail: "no container instance reached DRAINING within 30 s of the start" };
      await ctx.clock.sleep(1_000, ctx.signal);
    }
  },
});
