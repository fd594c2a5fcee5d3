/**
 * What the sandbox's FIS can do to Kinesis: the `aws:kinesis:stream` resource type, the two
 * Kinesis stream actions, the inject-api-* actions (service kinesis) on the callers' IAM roles,
 * and aws:network:disrupt-connectivity on the callers' subnets. Each action installs its fault
 * when it starts and lifts it when its duration ends or the experiment stops it.
 */
import type { Kernel } from "../../kernel.js";
import type { FisActionContext, FisActionRun, FisActionType, FisErrorCode, FisParameterSpec, FisRegistry, FisResourceType } from "../fis/registry.js";
import type { RoleDirectory } from "../iam/roles.js";
import type { Connectivity } from "../network/connectivity.js";
import type { SubnetDirectory } from "../network/subnets.js";
import type { StreamCatalog } from "./catalog.js";
import type { ApiErrorCode, FaultBoard, PutRecordsFaultForm } from "./faults.js";
import { durationMs as fisDurationMs } from "../fis/duration.js";
import { checked, durationSpec, operationsSpec, percentageSpec, serviceSpec } from "./fis-parameters.js";
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

const NETWORK_SCOPES = ["all", "availability-zone", "dynamodb", "prefix-list", "s3", "s3express", "vpc"];
/** Scopes whose NACL rules drop traffic to a public regional endpoint such as Kinesis's. */
const SCOPES_THAT_CUT_KINESIS = new Set(["all", "vpc"]);

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

function streamAction(deps: KinesisFisDeps, actionId: string, kind: "throughput" | "expired-iterator", description: string): FisActionType {
  const parameters: Record<string, FisParameterSpec> = {
    duration: durationSpec("The duration, from one minute to 12 hours, in ISO 8601 (PT5M)."),
    percentage: percentageSpec("The percentage (1-100) of calls to inject the fault into."),
  };
  return {
    actionId,
    description,
    // The Kinesis guide's example: a target resolves to at most 5 streams.
    target: { key: "KinesisStreams", resourceType: "aws:kinesis:stream", maxResources: 5 },
    parameters,
    start: guarded((ctx, done) => {
      const durationMs = fisDurationMs(checked(parameters.duration!, "duration", ctx.parameters["duration"]))!;
      const percentage = Number(checked(parameters.percentage!, "percentage", ctx.parameters["percentage"]));
      const streams = streamsOf(deps, ctx);
      deps.kernel.record("kinesis", "fault-start", `${actionId} on ${[...streams].join(", ")} at ${percentage}%`, { experimentId: ctx.experimentId, action: ctx.actionName, streams: [...streams], percentage });
      return timedFault(deps.kernel, ctx, durationMs, () => deps.faults.addStreamFault({ kind, streams, percentage, random: faultRandom(deps.kernel, ctx), putRecordsForm: deps.putRecordsFaultForm }), done);
    }),
  };
}

function apiErrorAction(deps: KinesisFisDeps, actionId: string, code: ApiErrorCode, what: string): FisActionType {
  const parameters: Record<string, FisParameterSpec> = {
    duration: durationSpec("The duration, from one minute to 12 hours, in ISO 8601 (PT5M)."),
    service: serviceSpec,
    percentage: percentageSpec("The percentage (1-100) of calls to inject the fault into."),
    operations: operationsSpec,
  };
  return {
    actionId,
    description: `Injects ${what} errors into requests made by the target IAM roles.`,
    target: { key: "Roles", resourceType: "aws:iam:role" },
    parameters,
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
  const parameters: Record<string, FisParameterSpec> = {
    duration: durationSpec("The duration, from one minute to 12 hours, in ISO 8601 (PT5M)."),
    scope: {
      required: false,
      description: `The traffic to deny: ${NETWORK_SCOPES.join(", ")} (default all).`,
      check: (value) => (NETWORK_SCOPES.includes(value) ? undefined : `expected one of ${NETWORK_SCOPES.join(", ")}, found '${value}'`),
    },
    prefixListIdentifier: { required: false, description: "The customer managed prefix list, for scope prefix-list." },
  };
  return {
    actionId: "aws:network:disrupt-connectivity",
    description: "Denies the specified traffic to and from the target subnets: their callers' requests time out.",
    target: { key: "Subnets", resourceType: "aws:ec2:subnet" },
    parameters,
    start: guarded((ctx, done) => {
      const durationMs = fisDurationMs(checked(parameters.duration!, "duration", ctx.parameters["duration"]))!;
      const scope = ctx.parameters["scope"] ?? "all";
      const problem = parameters.scope!.check!(scope);
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
    resourceType: "aws:kinesis:stream",
    description: "A Kinesis data stream.",
    acceptsArns: true,
    acceptsTags: true,
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
    streamAction(
      deps,
      "aws:kinesis:stream-provisioned-throughput-exception",
      "throughput",
      "Injects ProvisionedThroughputExceededException error responses on GetRecords, GetShardIterator, PutRecord and PutRecords for the target streams.",
    ),
  );
  registry.addAction(streamAction(deps, "aws:kinesis:stream-expired-iterator-exception", "expired-iterator", "Injects ExpiredIteratorException error responses on GetRecords for the target streams."));
  registry.addAction(apiErrorAction(deps, "aws:fis:inject-api-throttle-error", "ThrottlingException", "throttling"));
  registry.addAction(apiErrorAction(deps, "aws:fis:inject-api-unavailable-error", "ServiceUnavailable", "Unavailable"));
  registry.addAction(apiErrorAction(deps, "aws:fis:inject-api-internal-error", "InternalFailure", "Internal"));
  registry.addAction(disruptConnectivityAction(deps));
}
