/**
 * What the sandbox's FIS can do to Kinesis: the `aws:kinesis:stream` resource type, the two
 * Kinesis stream actions, the inject-api-* actions (service kinesis) on the callers' IAM roles,
 * and aws:network:disrupt-connectivity on the callers' subnets. Each action installs its fault
 * when it starts and lifts it when its duration ends or the experiment stops it.
 */
import type { Kernel } from "../../kernel.js";
import type { FisActionContext, FisActionRun, FisActionType, FisErrorCode, FisRegistry, FisResourceType } from "../fis/registry.js";
import type { RoleDirectory } from "../iam/roles.js";
import type { Connectivity } from "../network/connectivity.js";
import type { SubnetDirectory } from "../network/subnets.js";
import type { StreamCatalog } from "./catalog.js";
import type { ApiErrorCode, FaultBoard, PutRecordsFaultForm } from "./faults.js";
import { durationMs as fisDurationMs } from "../../../fis/duration.js";
import { checked } from "./fis-parameters.js";
import { describedAction, describedResourceType, operationsSpec, serviceSpec } from "../../../fis/catalog.js";
import { filterShape } from "./shapes.js";

export interface KinesisFisDeps {
  kernel: Kernel;
  catalog: StreamCatalog;
  faults: FaultBoard;
  roles: RoleDirectory;
  subnets: SubnetDirectory;
  connectivity: Connectivity;
  putRecordsFaultForm: PutRecordsFaultForm;
}

/** Every Kinesis Data Streams API operation, for checking inject-api-* `operations`. */
export const KINESIS_OPERATIONS = new Set([
  "AddTagsToStream", "CreateStream", "DecreaseStreamRetentionPeriod", "DeleteResourcePolicy", "DeleteStream",
  "DeregisterStreamConsumer", "DescribeAccountSettings", "DescribeLimits", "DescribeStream", "DescribeStreamConsumer",
  "DescribeStreamSummary", "DisableEnhancedMonitoring", "EnableEnhancedMonitoring", "GetRecords", "GetResourcePolicy",
  "GetShardIterator", "IncreaseStreamRetentionPeriod", "ListShards", "ListStreamConsumers", "ListStreams",
  "ListTagsForResource", "ListTagsForStream", "MergeShards", "PutRecord", "PutRecords", "PutResourcePolicy",
  "RegisterStreamConsumer", "RemoveTagsFromStream", "SplitShard", "StartStreamEncryption", "StopStreamEncryption",
  "SubscribeToShard", "TagResource", "UntagResource", "UpdateAccountSettings", "UpdateMaxRecordSize",
  "UpdateShardCount", "UpdateStreamMode", "UpdateStreamWarmThroughput",
]);

/** Scopes whose NACL rules drop traffic to a public regional endpoint such as Kinesis's. */
const SCOPES_THAT_CUT_KINESIS = new Set<string>(["all", "vpc"]);

/** Runs a fault for `durationMs`: installs it now, lifts it at the end or on stop, whichever is first. */
function timedFault(kernel: Kernel, ctx: FisActionContext, durationMs: number, install: () => () => void, done: () => void): FisActionRun {
  const lift = install();
  let over = false;
  const finish = (how: string) => {
    over = true;
    lift();
    kernel.record("kinesis", "fault-end", `${ctx.actionName} (${ctx.experimentId}) ${how}`, { experimentId: ctx.experimentId, action: ctx.actionName });
  };
  const cancel = kernel.clock.setTimer(durationMs, () => {
    if (over) return;
    finish("completed");
    done();
  });
  return {
    stop() {
      if (over) return;
      cancel();
      finish("stopped");
    },
  };
}

/** A reason an action cannot start, with the FIS error code its experiment fails with. */
class ActionProblem extends Error {
  constructor(
    message: string,
    readonly code: FisErrorCode = "ConfigurationFailure",
  ) {
    super(message);
  }
}

/** Starts an action, turning a problem found at start into the action's failure. */
function guarded(start: (ctx: FisActionContext, done: () => void) => FisActionRun) {
  return (ctx: FisActionContext, done: () => void, fail: (reason: string, code?: FisErrorCode) => void): FisActionRun => {
    try {
      return start(ctx, done);
    } catch (err) {
      if (err instanceof ActionProblem) fail(err.message, err.code);
      else fail(err instanceof Error ? err.message : String(err), "ConfigurationFailure");
      return { stop() {} };
    }
  };
}

function faultRandom(kernel: Kernel, ctx: FisActionContext) {
  return kernel.random.fork(`kinesis-fault:${ctx.experimentId}:${ctx.actionName}`);
}

function streamsOf(deps: KinesisFisDeps, ctx: FisActionContext): Set<string> {
  const names = new Set<string>();
  for (const r of ctx.targets["KinesisStreams"] ?? []) {
    const name = deps.catalog.nameFromArn(r.arn);
    if (name !== undefined) names.add(name);
  }
  if (names.size === 0) throw new ActionProblem("no Kinesis streams were resolved for target KinesisStreams", "InvalidTarget");
  return names;
}

function streamAction(deps: KinesisFisDeps, actionId: string, kind: "throughput" | "expired-iterator"): FisActionType {
  const described = describedAction(actionId);
  const parameters = described.parameters;
  return {
    ...described,
    start: guarded((ctx, done) => {
      const durationMs = fisDurationMs(checked(parameters.duration!, "duration", ctx.parameters["duration"]))!;
      const percentage = Number(checked(parameters.percentage!, "percentage", ctx.parameters["percentage"]));
      const streams = streamsOf(deps, ctx);
      deps.kernel.record("kinesis", "fault-start", `${actionId} on ${[...streams].join(", ")} at ${percentage}%`, { experimentId: ctx.experimentId, action: ctx.actionName, streams: [...streams], percentage });
      return timedFault(deps.kernel, ctx, durationMs, () => deps.faults.addStreamFault({ kind, streams, percentage, random: faultRandom(deps.kernel, ctx), putRecordsForm: deps.putRecordsFaultForm }), done);
    }),
  };
}

function apiErrorAction(deps: KinesisFisDeps, actionId: string, code: ApiErrorCode): FisActionType {
  const described = describedAction(actionId);
  const parameters = described.parameters;
  return {
    ...described,
    start: guarded((ctx, done) => {
      const durationMs = fisDurationMs(checked(parameters.duration!, "duration", ctx.parameters["duration"]))!;
      const service = checked(serviceSpec, "service", ctx.parameters["service"]);
      const percentage = Number(checked(parameters.percentage!, "percentage", ctx.parameters["percentage"]));
      const operations = checked(operationsSpec, "operations", ctx.parameters["operations"]).split(",");
      if (service !== "kinesis") {
        throw new ActionProblem(`the sandbox emulates ${actionId} for service kinesis only; service ${service} has no emulated API here`);
      }
      const unknown = operations.filter((op) => !KINESIS_OPERATIONS.has(op));
      if (unknown.length > 0) throw new ActionProblem(`operations: ${unknown.join(", ")} ${unknown.length === 1 ? "is not a" : "are not"} Kinesis API operation${unknown.length === 1 ? "" : "s"}`);
      const roleArns = new Set((ctx.targets["Roles"] ?? []).map((r) => r.arn));
      if (roleArns.size === 0) throw new ActionProblem("no IAM roles were resolved for target Roles", "InvalidTarget");
      deps.kernel.record("kinesis", "fault-start", `${actionId}: ${code} on ${operations.join(",")} for ${[...roleArns].join(", ")} at ${percentage}%`, {
        experimentId: ctx.experimentId,
        action: ctx.actionName,
        roles: [...roleArns],
        operations,
        percentage,
      });
      return timedFault(deps.kernel, ctx, durationMs, () => deps.faults.addApiFault({ code, roleArns, operations: new Set(operations), percentage, random: faultRandom(deps.kernel, ctx) }), done);
    }),
  };
}

function disruptConnectivityAction(deps: KinesisFisDeps): FisActionType {
  const described = describedAction("aws:network:disrupt-connectivity");
  const parameters = described.parameters;
  return {
    ...described,
    start: guarded((ctx, done) => {
      const durationMs = fisDurationMs(checked(parameters.duration!, "duration", ctx.parameters["duration"]))!;
      const scope = ctx.parameters["scope"] ?? "all";
      const problem = parameters["scope"]!.check!(scope);
      if (problem) throw new ActionProblem(`scope: ${problem}`);
      if (scope === "prefix-list" && !ctx.parameters["prefixListIdentifier"]) throw new ActionProblem("scope prefix-list needs the prefixListIdentifier parameter; found none");
      const subnets = new Set<string>();
      for (const r of ctx.targets["Subnets"] ?? []) {
        const id = deps.subnets.idOf(r.arn);
        if (id !== undefined) subnets.add(id);
      }
      if (subnets.size === 0) throw new ActionProblem("no subnets were resolved for target Subnets", "InvalidTarget");
      const cuts = SCOPES_THAT_CUT_KINESIS.has(scope);
      deps.kernel.record(
        "kinesis",
        "fault-start",
        cuts
          ? `aws:network:disrupt-connectivity (scope ${scope}): calls to Kinesis from ${[...subnets].join(", ")} time out`
          : `aws:network:disrupt-connectivity (scope ${scope}) does not cut traffic to the Kinesis endpoint; Kinesis calls are unaffected`,
        { experimentId: ctx.experimentId, action: ctx.actionName, subnets: [...subnets], scope },
      );
      return timedFault(deps.kernel, ctx, durationMs, () => (cuts ? deps.connectivity.add({ effect: "timeout", subnets }) : () => {}), done);
    }),
  };
}

function streamResourceType(deps: KinesisFisDeps): FisResourceType {
  return {
    ...describedResourceType("aws:kinesis:stream"),
    candidates: () =>
      deps.catalog
        .all()
        .filter((s) => s.status !== "DELETING")
        .map((s) => ({ arn: s.arn, info: { arn: s.arn }, describe: filterShape(s), tags: Object.fromEntries(s.tags) })),
  };
}

export function registerKinesisFis(registry: FisRegistry, deps: KinesisFisDeps): void {
  registry.addResourceType(streamResourceType(deps));
  registry.addResourceType(deps.roles.resourceType());
  registry.addResourceType(deps.subnets.resourceType());
  registry.addAction(
    streamAction(deps, "aws:kinesis:stream-provisioned-throughput-exception", "throughput"));
  registry.addAction(streamAction(deps, "aws:kinesis:stream-expired-iterator-exception", "expired-iterator"));
  registry.addAction(apiErrorAction(deps, "aws:fis:inject-api-throttle-error", "ThrottlingException"));
  registry.addAction(apiErrorAction(deps, "aws:fis:inject-api-unavailable-error", "ServiceUnavailable"));
  registry.addAction(apiErrorAction(deps, "aws:fis:inject-api-internal-error", "InternalFailure"));
  registry.addAction(disruptConnectivityAction(deps));
}
