/**
 * The reference spot drain handler: a Lambda function for the EventBridge rule
 * `{"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}` that sets the
 * interrupted instance's ECS container instance to DRAINING, so that ECS moves its service tasks
 * before the instance goes away. Deploy it as is (`handler`, with CLUSTERS="a,b" in the
 * environment), or call `drainOnSpotWarning` with your own ECS client.
 *
 * What it handles, and what the seed's Lambda missed:
 * - every cluster it is told about, with pagination (an instance beyond the first 100 is found);
 * - `instance-action` stop drains like terminate; hibernate has no two-minute lead, drains anyway
 *   and says so;
 * - duplicates and an instance already DRAINING: no second update;
 * - an instance in another cluster: ignored, not an error;
 * - `failures[]` in UpdateContainerInstancesState's answer (the API does not throw for them):
 *   reported, and the invocation fails so that it is retried and seen;
 * - `resources` is never parsed (real events carry the AZ in the region slot); the instance id
 *   comes from `detail`;
 * - the SNS envelope (`Records[0].Sns.Message`) of the seed's wiring is accepted too.
 */
import { createRequire } from "node:module";
import type * as Ecs from "@aws-sdk/client-ecs";
import type { ECSClient, Failure } from "@aws-sdk/client-ecs";
// require, not import: on Node 20 an import sends every file of the SDK through the ES module
// loader's syntax detection and export scan, twice the CPU time (src/aws/sdk/load.ts).
const { DescribeContainerInstancesCommand, ECSClient: EcsClientClass, paginateListContainerInstances, UpdateContainerInstancesStateCommand } = createRequire(import.meta.url)("@aws-sdk/client-ecs") as typeof Ecs;

export const SPOT_WARNING = "EC2 Spot Instance Interruption Warning";

export interface DrainOptions {
  ecs: ECSClient;
  /** Cluster names or ARNs to look in. */
  clusters: string[];
  log?: (message: string) => void;
}

export interface DrainedInstance {
  cluster: string;
  containerInstanceArn: string;
}

export interface DrainOutcome {
  eventId?: string;
  instanceId?: string;
  action?: string;
  drained: DrainedInstance[];
  alreadyDraining: DrainedInstance[];
  /** Clusters that do not hold the instance. */
  notIn: string[];
  /** Why nothing was done, for events this handler does not act on. */
  ignored?: string;
  notes: string[];
}

export class DrainFailedError extends Error {
  override readonly name = "DrainFailedError";
  constructor(
    readonly failures: { cluster: string; arn?: string; reason: string }[],
    readonly outcome: DrainOutcome,
  ) {
    super(`draining ${outcome.instanceId ?? "the instance"} failed: ${failures.map((f) => `${f.cluster}: ${f.arn ? `${f.arn} ` : ""}${f.reason}`).join("; ")}`);
  }
}

interface WarningEvent {
  id?: string;
  source?: string;
  "detail-type"?: string;
  detail?: { "instance-id"?: unknown; "instance-action"?: unknown };
}

/** The EventBridge event, unwrapped from an SNS envelope if it came through one. */
function unwrap(event: unknown): WarningEvent {
  const records = (event as { Records?: { Sns?: { Message?: string } }[] })?.Records;
  const message = records?.[0]?.Sns?.Message;
  if (typeof message === "string") return JSON.parse(message) as WarningEvent;
  return (event ?? {}) as WarningEvent;
}

export async function drainOnSpotWarning(rawEvent: unknown, options: DrainOptions): Promise<DrainOutcome> {
  const log = options.log ?? ((m: string) => console.log(m));
  const event = unwrap(rawEvent);
  const outcome: DrainOutcome = { drained: [], alreadyDraining: [], notIn: [], notes: [] };
  if (event.id) outcome.eventId = event.id;
  if (event.source !== "aws.ec2" || event["detail-type"] !== SPOT_WARNING) {
    outcome.ignored = `not a spot interruption warning (source ${String(event.source)}, detail-type ${String(event["detail-type"])})`;
    log(outcome.ignored);
    return outcome;
  }
  const instanceId = event.detail?.["instance-id"];
  if (typeof instanceId !== "string" || !/^i-[0-9a-f]+$/.test(instanceId)) {
    throw new Error(`expected detail.instance-id to be an instance id such as i-0123456789abcdef0, found ${JSON.stringify(instanceId)}`);
  }
  outcome.instanceId = instanceId;
  const action = event.detail?.["instance-action"];
  outcome.action = typeof action === "string" ? action : String(action);
  if (action === "hibernate") outcome.notes.push("instance-action hibernate: hibernation comes with no two-minute lead; draining anyway, tasks may not finish moving");
  else if (action !== "terminate" && action !== "stop") outcome.notes.push(`unknown instance-action ${JSON.stringify(action)}: draining anyway`);
  if (options.clusters.length === 0) throw new Error("no clusters to look in: set CLUSTERS to a comma-separated list of cluster names");

  const failures: { cluster: string; arn?: string; reason: string }[] = [];
  for (const cluster of options.clusters) {
    const arns: string[] = [];
    try {
      // No status filter: ACTIVE and DRAINING both come back, so an instance already draining is recognised.
      for await (const page of paginateListContainerInstances({ client: options.ecs }, { cluster, filter: `ec2InstanceId == ${instanceId}` })) {
        arns.push(...(page.containerInstanceArns ?? []));
      }
    } catch (err) {
      failures.push({ cluster, reason: `ListContainerInstances failed: ${(err as Error).name}: ${(err as Error).message}` });
      continue;
    }
    if (arns.length === 0) {
      outcome.notIn.push(cluster);
      continue;
    }
    const described = await options.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }));
    const toDrain: string[] = [];
    for (const ci of described.containerInstances ?? []) {
      if (ci.status === "DRAINING") outcome.alreadyDraining.push({ cluster, containerInstanceArn: ci.containerInstanceArn! });
      else toDrain.push(ci.containerInstanceArn!);
    }
    collect(failures, cluster, described.failures);
    if (toDrain.length === 0) continue;
    const updated = await options.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: toDrain, status: "DRAINING" }));
    for (const ci of updated.containerInstances ?? []) outcome.drained.push({ cluster, containerInstanceArn: ci.containerInstanceArn! });
    collect(failures, cluster, updated.failures);
  }

  const found = outcome.drained.length + outcome.alreadyDraining.length;
  log(
    `${instanceId} (${outcome.action}): drained ${outcome.drained.length}, already draining ${outcome.alreadyDraining.length}` +
      (found === 0 ? `, not in ${outcome.notIn.join(", ")}` : "") +
      (outcome.notes.length ? `; ${outcome.notes.join("; ")}` : ""),
  );
  if (failures.length > 0) throw new DrainFailedError(failures, outcome);
  return outcome;
}

function collect(into: { cluster: string; arn?: string; reason: string }[], cluster: string, failures: Failure[] | undefined): void {
  for (const f of failures ?? []) into.push({ cluster, ...(f.arn ? { arn: f.arn } : {}), reason: `${f.reason ?? "unknown"}${f.detail ? ` (${f.detail})` : ""}` });
}

/** A Lambda handler bound to a client and clusters. */
export function createHandler(options: DrainOptions): (event: unknown, context?: unknown) => Promise<DrainOutcome> {
  return (event) => drainOnSpotWarning(event, options);
}

let fromEnvironment: DrainOptions | undefined;

/** The deployable Lambda handler: clusters from CLUSTERS (or CLUSTER_NAME), a client from the environment. */
export async function handler(event: unknown, context?: unknown): Promise<DrainOutcome> {
  fromEnvironment ??= {
    ecs: new EcsClientClass({}),
    clusters: (process.env.CLUSTERS ?? process.env.CLUSTER_NAME ?? "")
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean),
  };
  void context;
  return drainOnSpotWarning(event, fromEnvironment);
}

export default handler;
