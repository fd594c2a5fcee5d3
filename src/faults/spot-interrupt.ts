/**
 * EC2 spot interruption with the real 2-minute notice: FIS `aws:ec2:send-spot-instance-interruptions`.
 * The rebalance recommendation goes out at once, the interruption warning two minutes before the
 * interruption, then the instance is terminated. Nothing can undo a termination, so there is no
 * revert beyond stopping the experiment; verification checks that FIS sent the notice and reports
 * whether each instance's ECS container instance reached DRAINING (the draining probe judges that).
 */
import { z } from "zod";
import { ListContainerInstancesCommand, DescribeContainerInstancesCommand } from "../aws/sdk/ecs.js";
import { DescribeInstancesCommand, type Filter } from "../aws/sdk/ec2.js";
import { defineFault, type FaultContext } from "./types.js";
import { actionStatus, arnId, isoDuration, isoToMs, selectedCount, selectionModeText } from "./common.js";
import { ec2Ids, instancesWithStatus } from "./cluster-instances.js";
import { PERCENT_ROUNDING } from "./selection-words.js";
import { spotInterruptionPermissions } from "../iam/fis-actions.js";
import { ecsClusterReads } from "../iam/ecs-reads.js";

const params = z
  .object({
    durationBeforeInterruption: isoDuration({ minMs: 120_000, maxMs: 900_000, expected: "a duration between PT2M and PT15M (FIS's range)" })
      .default("PT2M")
      .describe("Time from the start to the interruption (FIS's range)")
      .meta({ fis: { action: "aws:ec2:send-spot-instance-interruptions", parameter: "durationBeforeInterruption" } }),
  })
  .strict();

const target = z
  .object({
    cluster: z.string().min(1).describe("ECS cluster the instances serve: only its container instances are candidates"),
    tags: z
      .record(z.string(), z.string())
      .optional()
      .describe("Resource tags the spot instances carry (FIS needs tags or ARNs); only running instances are picked")
      .meta({ fis: { resourceType: "aws:ec2:spot-instance", field: "resourceTags" } }),
    instanceIds: z
      .array(z.string().regex(/^i-[0-9a-f]+$/, "an instance id such as i-0abc1234"))
      .min(1)
      .max(5)
      .optional()
      .describe("These spot instances (up to 5, FIS's limit for ARNs), instead of tags")
      .meta({ fis: { resourceType: "aws:ec2:spot-instance", field: "resourceArns" } }),
    az: z
      .string()
      .optional()
      .describe("Only instances in this Availability Zone (with tags; FIS takes no filters with instance ARNs)")
      .meta({ fis: { resourceType: "aws:ec2:spot-instance", field: "filters Placement.AvailabilityZone" } }),
    select: selectionModeText
      .optional()
      .describe("ALL, COUNT(n) or PERCENT(n) of the instances, picked at random; COUNT(1) with tags, ALL with instanceIds when not given. " + PERCENT_ROUNDING)
      .meta({ fis: { resourceType: "aws:ec2:spot-instance", field: "selectionMode" } }),
  })
  .strict()
  .refine((t) => t.tags !== undefined || t.instanceIds !== undefined, { message: "tags or instanceIds (FIS needs one of them for aws:ec2:spot-instance)", path: ["tags"] })
  .refine((t) => !(t.tags && t.instanceIds), { message: "either tags or instanceIds, not both (FIS rejects ARNs with tags)", path: ["instanceIds"] })
  // FIS rejects resourceArns together with filters, so the AZ cannot narrow a list of instances.
  .refine((t) => !(t.instanceIds && t.az !== undefined), { message: "no az with instanceIds (FIS takes no filters with instance ARNs; list only the instances in that AZ, or use tags with az)", path: ["az"] })
  // Listing instances means those instances: all of them unless `select` says otherwise.
  .transform((t) => ({ ...t, select: t.select ?? (t.instanceIds ? "ALL" : "COUNT(1)") }));

type Params = z.infer<typeof params>;
type Target = z.output<typeof target>;

export default defineFault<Params, Target>({
  name: "spot-interrupt",
  description: "Interrupt EC2 spot instances with the 2-minute notice (FIS aws:ec2:send-spot-instance-interruptions)",
  params,
  target,
  async resolve({ target: t, aws, region, accountId, signal }) {
    // The cluster's container instances -> their EC2 ids -> those EC2 says are running spot
    // instances (with the step's tags and AZ): never an instance of another cluster.
    const ecs = await aws.ecs();
    const inCluster = [...(await ec2Ids(ecs, t.cluster, await instancesWithStatus(ecs, t.cluster, undefined, signal), signal)).values()].filter((id) => id.startsWith("i-"));
    const wanted = t.instanceIds ? inCluster.filter((id) => t.instanceIds!.includes(id)) : inCluster;
    const filters: Filter[] = [
      { Name: "instance-lifecycle", Values: ["spot"] },
      { Name: "instance-state-name", Values: ["running"] },
      ...Object.entries(t.tags ?? {}).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })),
      ...(t.az ? [{ Name: "availability-zone", Values: [t.az] }] : []),
    ];
    const ids: string[] = [];
    const ec2 = await aws.ec2();
    // DescribeInstances takes at most 1000 ids a call.
    for (let i = 0; i < wanted.length; i += 1000) {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: wanted.slice(i, i + 1000), Filters: filters }), { abortSignal: signal as never });
      for (const r of out.Reservations ?? []) for (const inst of r.Instances ?? []) if (inst.InstanceId) ids.push(inst.InstanceId);
    }
    const candidates = ids.map((id) => ({ id, arn: instanceArn(region, accountId, id) }));
    const narrowed = [t.tags ? `tagged ${Object.entries(t.tags).map(([k, v]) => `${k}=${v}`).join(", ")}` : "", t.az ? `in ${t.az}` : "", t.instanceIds ? `among ${t.instanceIds.join(", ")}` : ""].filter(Boolean).join(" ");
    return {
      lookedFor: `running spot instances of cluster ${t.cluster}${narrowed ? ` ${narrowed}` : ""}`,
      candidates,
      hits: selectedCount(t.select, candidates.length),
      picks: true,
      consumes: true,
      maxArns: 5,
    };
  },
  compile({ params: p, target: t, region, accountId, chosen }) {
    const filters = [{ path: "State.Name", values: ["running"] }];
    // Resolved by gameday: exactly these instances (FIS takes no filters with ARNs).
    const selected = chosen
      ? { resourceArns: chosen.map((c) => c.arn) }
      : t.instanceIds
      ? { resourceArns: t.instanceIds.map((id) => instanceArn(region, accountId, id)) }
        : { resourceTags: t.tags!, filters: t.az ? [...filters, { path: "Placement.AvailabilityZone", values: [t.az] }] : filters };
    return {
      description: `spot interruption of ${chosen ? chosen.map((c) => c.id).join(", ") : `${t.select} spot instance(s)`} serving ${t.cluster}, ${p.durationBeforeInterruption} before termination`,
      targets: { spotInstances: { resourceType: "aws:ec2:spot-instance", ...selected, selectionMode: chosen ? "ALL" : t.select } },
      actions: {
        interrupt: {
          actionId: "aws:ec2:send-spot-instance-interruptions",
          parameters: { durationBeforeInterruption: p.durationBeforeInterruption },
          targets: { SpotInstances: "spotInstances" },
        },
      },
    };
  },
  permissions: {
    fis: ({ target: t, region, accountId }) =>
      spotInterruptionPermissions(t.instanceIds ? { region, accountId, instanceArns: t.instanceIds.map((id) => `arn:aws:ec2:${region}:${accountId}:instance/${id}`) } : { region, accountId, tags: t.tags! }),
    // verify watches the instances' container instances reach DRAINING.
    runner: ({ target: t, region, accountId }) => ecsClusterReads({ region, accountId, cluster: t.cluster, what: ["instances"], why: "spot-interrupt checks draining" }),
  },
  expectedDurationMs: (p) => isoToMs(p.durationBeforeInterruption),
  async verify(ctx: FaultContext<Params, Target>) {
    const { fault, signal } = ctx;
    const action = await actionStatus(ctx, fault.experimentId!, "interrupt", signal);
    if (action.status === "failed" || action.status === "cancelled") {
      return { landed: false, detail: `FIS action ${action.status}: ${action.reason ?? "no reason"}` };
    }
    const instances = fault.targets.map((t) => arnId(t.arn)).filter((id) => id.startsWith("i-"));
    if (instances.length === 0) return { landed: false, detail: "FIS resolved no spot instance" };
    const deadline = fault.startedAt + isoToMs(ctx.params.durationBeforeInterruption);
    const drained = await watchDraining(ctx, instances, deadline);
    const parts = instances.map((id) => {
      const d = drained.get(id);
      return d === undefined ? `${id}: notice sent, not DRAINING before the interruption` : `${id}: notice sent, DRAINING after ${((d - fault.startedAt) / 1000).toFixed(1)} s`;
    });
    return { landed: true, detail: parts.join("; "), evidence: { instances, drainingAt: Object.fromEntries(drained) } };
  },
});

function instanceArn(region: string, accountId: string, id: string): string {
  return `arn:aws:ec2:${region}:${accountId}:instance/${id}`;
}

/** Polls ECS once a second until every instance is DRAINING or the interruption time comes. */
async function watchDraining(ctx: FaultContext<Params, Target>, instances: string[], deadline: number): Promise<Map<string, number>> {
  const ecs = await ctx.aws.ecs();
  const seen = new Map<string, number>();
  const arns = new Map<string, string>();
  while (seen.size < instances.length && ctx.clock.now() <= deadline) {
    for (const id of instances) {
      if (seen.has(id)) continue;
      let arn = arns.get(id);
      if (!arn) {
        const listed = await ecs.send(new ListContainerInstancesCommand({ cluster: ctx.target.cluster, filter: `ec2InstanceId == ${id}` }), { abortSignal: ctx.signal as never });
        arn = listed.containerInstanceArns?.[0];
        if (arn) arns.set(id, arn);
      }
      if (!arn) continue;
      const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster: ctx.target.cluster, containerInstances: [arn] }), { abortSignal: ctx.signal as never });
      if (described.containerInstances?.[0]?.status === "DRAINING") seen.set(id, ctx.clock.now());
    }
    if (seen.size < instances.length) await ctx.clock.sleep(1_000, ctx.signal);
  }
  return seen;
}
