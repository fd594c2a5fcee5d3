/**
 * The FIS actions and target resource types gameday knows, described as the FIS actions
 * reference describes them (ids, parameters and their ranges, target keys, quotas). The sandbox
 * carries out exactly these; on AWS, FIS knows more, and a template naming another action is left
 * for FIS to judge (see validateTemplateFile in ./template-file.ts).
 */
import type { FisActionDescription, FisCatalogView, FisParameterSpec, FisResourceTypeDescription } from "./descriptions.js";
import { durationParameter } from "./duration.js";

/** FIS's own range for most actions' durations: one minute to 12 hours. */
function durationSpec(description: string): FisParameterSpec {
  return durationParameter({ min: "PT1M", max: "PT12H", required: true, description });
}

function percentageSpec(description: string): FisParameterSpec {
  return {
    required: true,
    description,
    check(value) {
      return /^\d{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= 100 ? undefined : `expected an integer percentage from 1 to 100, found '${value}'`;
    },
  };
}

/** The API namespaces inject-api-* actions accept, per the FIS actions reference. */
export const API_ERROR_SERVICES = ["ec2", "kinesis"] as const;

export const serviceSpec: FisParameterSpec = {
  required: true,
  description: "The target AWS API namespace. The supported values are ec2 and kinesis.",
  check(value) {
    return (API_ERROR_SERVICES as readonly string[]).includes(value)
      ? undefined
      : `Invalid value '${value}' for parameter service. The supported values are ec2 and kinesis.`;
  },
};

export const operationsSpec: FisParameterSpec = {
  required: true,
  description: "The operations to inject the fault into, separated by commas (no spaces), e.g. PutRecord,PutRecords.",
  check(value) {
    return /^[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*$/.test(value)
      ? undefined
      : `expected API operation names separated by commas without spaces (e.g. PutRecord,PutRecords), found '${value}'`;
  },
};

export const NETWORK_SCOPES = ["all", "availability-zone", "dynamodb", "prefix-list", "s3", "s3express", "vpc"];

const drainagePercentage: FisParameterSpec = {
  required: true,
  description: "The percentage of container instances to drain, 1 to 100.",
  check(value) {
    const n = Number(value);
    return /^\d+$/.test(value) && n >= 1 && n <= 100 ? undefined : `expected an integer from 1 to 100, found "${value}"`;
  },
};

const FIVE_MINUTES_TO_TWELVE_HOURS = "The duration, from one minute to 12 hours, in ISO 8601 (PT5M).";

function streamAction(actionId: string, description: string): FisActionDescription {
  return {
    actionId,
    description,
    // The Kinesis guide's example: a target resolves to at most 5 streams.
    target: { key: "KinesisStreams", resourceType: "aws:kinesis:stream", maxResources: 5 },
    parameters: {
      duration: durationSpec(FIVE_MINUTES_TO_TWELVE_HOURS),
      percentage: percentageSpec("The percentage (1-100) of calls to inject the fault into."),
    },
  };
}

function apiErrorAction(actionId: string, what: string): FisActionDescription {
  return {
    actionId,
    description: `Injects ${what} errors into requests made by the target IAM roles.`,
    target: { key: "Roles", resourceType: "aws:iam:role" },
    parameters: {
      duration: durationSpec(FIVE_MINUTES_TO_TWELVE_HOURS),
      service: serviceSpec,
      percentage: percentageSpec("The percentage (1-100) of calls to inject the fault into."),
      operations: operationsSpec,
    },
  };
}

/** An integer FIS parameter in a documented range. */
function integerSpec(description: string, min: number, max: number, required = false): FisParameterSpec {
  return {
    required,
    description: `${description}, an integer from ${min} to ${max}.`,
    check: (v) => (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `expected an integer from ${min} to ${max}, found "${v}"`),
  };
}

const booleanSpec: FisParameterSpec = {
  required: false,
  description: "true or false.",
  check: (v) => (v === "true" || v === "false" ? undefined : `expected true or false, found "${v}"`),
};

/** aws:lambda:invocation-* (FIS actions reference, Lambda actions): their shared parameters. */
function lambdaAction(actionId: string, description: string, parameters: Record<string, FisParameterSpec>): FisActionDescription {
  return {
    actionId,
    description,
    target: { key: "Functions", resourceType: "aws:lambda:function" },
    parameters: {
      duration: durationParameter({ min: "PT1S", max: "PT12H", required: true, description: "The duration of the action." }),
      invocationPercentage: integerSpec("Share of invocations affected (default 100)", 1, 100),
      ...parameters,
    },
  };
}

// --- gameday's sandbox-only actions: Fargate Spot -------------------------------------------
/**
 * AWS FIS has no action that interrupts Fargate Spot tasks (aws-semantics.md 2.1), so real FIS
 * answers GetAction for this id with ResourceNotFoundException. The sandbox's FIS offers it, under
 * gameday's own namespace so that nobody mistakes it for an AWS action; the fargate-spot-interrupt
 * fault asks the target's FIS whether it is there.
 */
export const FARGATE_SPOT_INTERRUPT_ACTION = "gameday:ecs:fargate-spot-interrupt";

const FARGATE_SPOT_SANDBOX_ACTIONS: readonly FisActionDescription[] = [
  {
    actionId: FARGATE_SPOT_INTERRUPT_ACTION,
    description:
      "Sandbox only: interrupts the target Fargate Spot tasks as Fargate Spot does when it takes capacity back (a two-minute warning as a task state change, SIGTERM, SIGKILL after stopTimeout).",
    // As aws:ecs:stop-task, whose target it shares.
    target: { key: "Tasks", resourceType: "aws:ecs:task", maxResources: 5 },
    parameters: {},
  },
];
// --- end of gameday's Fargate Spot actions ---------------------------------------------------
/** A comma list without spaces, as FIS's ECS network actions take `sources` (IPv4, CIDR, domain, AZ, ALL, DYNAMODB, S3). */
const sourcesSpec: FisParameterSpec = {
  required: false,
  description: "Where the affected traffic goes: IPv4 addresses, CIDR blocks, domain names, AZ names or ids, ALL (default), DYNAMODB or S3, separated by commas without spaces.",
  check: (v) => (/^[A-Za-z0-9.:/_-]+(,[A-Za-z0-9.:/_-]+)*$/.test(v) ? undefined : `expected sources separated by commas without spaces (10.0.1.23,10.0.2.41), found "${v}"`),
};

function oneOfSpec(description: string, values: readonly string[], required = false): FisParameterSpec {
  return { required, description: `${description}: ${values.join(" or ")}.`, check: (v) => (values.includes(v) ? undefined : `expected ${values.join(" or ")}, found "${v}"`) };
}

/**
 * aws:ecs:task-network-* (FIS actions reference, ECS task actions): delivered through the SSM agent
 * sidecar of the task, or the ECS agent's fault injection endpoints (useEcsFaultInjectionEndpoints,
 * required on Fargate). Their shared parameters.
 */
function ecsNetworkAction(actionId: string, description: string, parameters: Record<string, FisParameterSpec>): FisActionDescription {
  return {
    actionId,
    description,
    target: { key: "Tasks", resourceType: "aws:ecs:task" },
    parameters: {
      duration: durationParameter({ min: "PT1M", max: "PT12H", required: true, description: "The duration of the action." }),
      ...parameters,
      installDependencies: { ...booleanSpec, description: "Whether FIS installs the tools it needs in the task (default true); True or False.", check: (v) => (/^(true|false)$/i.test(v) ? undefined : `expected True or False, found "${v}"`) },
      useEcsFaultInjectionEndpoints: { ...booleanSpec, description: "Use the ECS agent's fault injection endpoints instead of the SSM agent (default false; required on Fargate)." },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// gameday's own FIS actions for EFS: SANDBOX ONLY. Real FIS offers no EFS action and no action
// that reaches NFS from Lambda (its GetAction answers ResourceNotFoundException for these ids);
// the sandbox's FIS offers them so that a rehearsal shows the true per-operation NFS latency.
// Faults learn whether a target's FIS offers one through FIS GetAction, never by target kind.
// ---------------------------------------------------------------------------------------------

/** gameday's sandbox-only action: latency on a Lambda function's NFS operations to an EFS file system. */
export const GAMEDAY_NFS_LATENCY = "gameday:efs:nfs-latency";

function gamedayEfsActions(): FisActionDescription[] {
  return [
    {
      actionId: GAMEDAY_NFS_LATENCY,
      description:
        "SANDBOX ONLY (gameday's FIS; real FIS has no such action): adds delay and jitter to every NFS operation between the target functions' execution environments and the file system's mount targets, mounts included.",
      target: { key: "Functions", resourceType: "aws:lambda:function" },
      parameters: {
        duration: durationParameter({ min: "PT1S", max: "PT12H", required: true, description: "The duration of the action." }),
        fileSystemId: { required: true, description: "The EFS file system (fs-...) whose NFS traffic is delayed." },
        delayMilliseconds: integerSpec("The delay added to each NFS operation, in ms", 0, 60_000, true),
        jitterMilliseconds: integerSpec("Up to this much more, uniformly at random, in ms (default 0)", 0, 60_000),
      },
    },
  ];
}

export const FIS_ACTIONS: readonly FisActionDescription[] = [
  {
    actionId: "aws:ec2:send-spot-instance-interruptions",
    description: "Sends a Spot Instance interruption notice to target Spot Instances two minutes before interrupting them.",
    // Service Quotas: "Target SpotInstances for aws:ec2:send-spot-instance-interruptions" is 5 by default.
    target: { key: "SpotInstances", resourceType: "aws:ec2:spot-instance", maxResources: 5 },
    parameters: {
      durationBeforeInterruption: durationParameter({ min: "PT2M", max: "PT15M", required: true, description: "The time to wait before interrupting the instance." }),
    },
  },
  {
    actionId: "aws:ecs:stop-task",
    description: "Stops the target tasks (ECS StopTask).",
    // Service Quotas: "Target Tasks for aws:ecs:stop-task" is 5 by default.
    target: { key: "Tasks", resourceType: "aws:ecs:task", maxResources: 5 },
    parameters: {},
  },
  {
    actionId: "aws:ecs:drain-container-instances",
    description: "Drains a percentage of the container instances of the target clusters, then returns them to ACTIVE.",
    target: { key: "Clusters", resourceType: "aws:ecs:cluster" },
    parameters: {
      drainagePercentage,
      duration: durationParameter({ min: "PT1M", max: "PT12H", required: true, description: "The duration of the action." }),
    },
  },
  {
    actionId: "aws:ecs:task-kill-process",
    description: "Kills the named process in the target tasks with killall (through the task's SSM agent); SIGTERM by default, SIGKILL on request.",
    target: { key: "Tasks", resourceType: "aws:ecs:task", maxResources: 5 },
    parameters: {
      processName: { required: true, description: "The name of the process to kill, as killall matches it." },
      signal: {
        required: false,
        description: "SIGTERM (default) or SIGKILL.",
        check: (v) => (v === "SIGTERM" || v === "SIGKILL" ? undefined : `expected SIGTERM or SIGKILL, found '${v}'`),
      },
      installDependencies: booleanSpec,
    },
  },
  streamAction(
    "aws:kinesis:stream-provisioned-throughput-exception",
    "Injects ProvisionedThroughputExceededException error responses on GetRecords, GetShardIterator, PutRecord and PutRecords for the target streams.",
  ),
  streamAction("aws:kinesis:stream-expired-iterator-exception", "Injects ExpiredIteratorException error responses on GetRecords for the target streams."),
  apiErrorAction("aws:fis:inject-api-throttle-error", "throttling"),
  apiErrorAction("aws:fis:inject-api-unavailable-error", "Unavailable"),
  apiErrorAction("aws:fis:inject-api-internal-error", "Internal"),
  {
    actionId: "aws:network:disrupt-connectivity",
    description: "Denies the specified traffic to and from the target subnets: their callers' requests time out.",
    target: { key: "Subnets", resourceType: "aws:ec2:subnet" },
    parameters: {
      duration: durationSpec(FIVE_MINUTES_TO_TWELVE_HOURS),
      scope: {
        required: false,
        description: `The traffic to deny: ${NETWORK_SCOPES.join(", ")} (default all).`,
        check: (value) => (NETWORK_SCOPES.includes(value) ? undefined : `expected one of ${NETWORK_SCOPES.join(", ")}, found '${value}'`),
      },
      prefixListIdentifier: { required: false, description: "The customer managed prefix list, for scope prefix-list." },
    },
  },
  lambdaAction("aws:lambda:invocation-add-delay", "Delays the start of a share of the target functions' invocations.", {
    startupDelayMilliseconds: integerSpec("Delay before the handler runs, in ms (default 1000)", 0, 900_000),
  }),
  lambdaAction("aws:lambda:invocation-error", "Makes a share of the target functions' invocations fail.", { preventExecution: booleanSpec }),
  ecsNetworkAction("aws:ecs:task-network-latency", "Adds latency and jitter to the target tasks' network traffic to the given sources.", {
    delayMilliseconds: integerSpec("The delay in ms (default 200)", 0, 2_147_483_647),
    jitterMilliseconds: integerSpec("The jitter in ms (default 10)", 0, 2_147_483_647),
    flowsPercent: integerSpec("Share of network flows affected (default 100)", 1, 100),
    sources: sourcesSpec,
  }),
  ecsNetworkAction("aws:ecs:task-network-blackhole-port", "Drops the target tasks' inbound or outbound traffic on a port.", {
    port: integerSpec("The port", 0, 65_535, true),
    trafficType: oneOfSpec("The traffic to drop", ["ingress", "egress"], true),
    protocol: oneOfSpec("The protocol (default tcp)", ["tcp", "udp"]),
  }),
  {
    actionId: "aws:ssm:send-command",
    description:
      "Runs an SSM document on the target instances (the SSM agent must run on them); the AWSFIS-Run-* documents inject faults on the host, e.g. AWSFIS-Run-Network-Latency-Sources adds latency to its egress traffic to given sources.",
    target: { key: "Instances", resourceType: "aws:ec2:instance" },
    parameters: {
      documentArn: { required: true, description: "The ARN of the SSM document (arn:aws:ssm:<region>::document/AWSFIS-Run-Network-Latency-Sources)." },
      documentVersion: { required: false, description: "The version of the document (default: its default version)." },
      documentParameters: {
        required: false,
        description: "The document's parameters as a JSON object of strings.",
        check(v) {
          try {
            const parsed: unknown = JSON.parse(v);
            return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? undefined : `expected a JSON object, found ${v}`;
          } catch {
            return `expected a JSON object, found ${v}`;
          }
        },
      },
      duration: durationParameter({ min: "PT1M", max: "PT12H", required: true, description: "How long FIS waits for the command before it ends the action." }),
    },
  },
  {
    actionId: "aws:fis:wait",
    description: "Waits for the given duration before the actions that start after it; stop conditions are still watched meanwhile.",
    parameters: {
      duration: durationParameter({ min: "PT1M", max: "PT12H", required: true, description: "How long to wait, as an ISO 8601 duration from PT1M to PT12H." }),
    },
  },
  ...FARGATE_SPOT_SANDBOX_ACTIONS,
  ...gamedayEfsActions(),
];

export const FIS_RESOURCE_TYPES: readonly FisResourceTypeDescription[] = [
  { resourceType: "aws:ec2:spot-instance", description: "Amazon EC2 Spot Instances", acceptsArns: true, acceptsTags: true },
  { resourceType: "aws:ec2:instance", description: "Amazon EC2 instances", acceptsArns: true, acceptsTags: true },
  {
    resourceType: "aws:ecs:task",
    description: "Amazon ECS tasks",
    parameters: [
      { name: "cluster", required: false, description: "The name of the cluster." },
      { name: "service", required: false, description: "The name of the service." },
    ],
    acceptsArns: true,
    acceptsTags: true,
  },
  { resourceType: "aws:ecs:cluster", description: "Amazon ECS clusters", acceptsArns: true, acceptsTags: true },
  {
    resourceType: "aws:lambda:function",
    description: "AWS Lambda functions",
    parameters: [{ name: "functionQualifier", required: false, description: "A version or alias of the function ($LATEST here)." }],
    acceptsArns: true,
    acceptsTags: true,
  },
  { resourceType: "aws:kinesis:stream", description: "A Kinesis data stream.", acceptsArns: true, acceptsTags: true },
  { resourceType: "aws:iam:role", description: "An IAM role whose API calls inject-api-* actions affect.", acceptsArns: true, acceptsTags: true },
  {
    resourceType: "aws:ec2:subnet",
    description: "A VPC subnet; network actions change what its members can reach.",
    parameters: [
      { name: "availabilityZoneIdentifier", required: false, description: "An Availability Zone name (us-east-1a) or id (use1-az1)." },
      { name: "vpc", required: false, description: "The VPC id." },
    ],
    acceptsArns: true,
    acceptsTags: true,
  },
];

/**
 * What AWS FIS offers in place of one of gameday's sandbox-only actions: the real action that does
 * the nearest thing, and how it falls short. Kept apart from the descriptions, which the sandbox
 * spreads into its FIS registrations (and so onto the wire).
 */
export interface AwsCounterpart {
  actionId: string;
  /** Whether the real action takes the same target key and resource type (only the actionId changes). */
  sameTarget: boolean;
  /** How it differs from the sandbox-only action, in words. */
  differs: string;
}

const AWS_COUNTERPARTS: Readonly<Record<string, AwsCounterpart>> = {
  [FARGATE_SPOT_INTERRUPT_ACTION]: {
    actionId: "aws:ecs:stop-task",
    sameTarget: true,
    differs: "ECS stops the tasks as StopTask does: no two-minute warning event, SIGTERM after the target group's deregistration delay, stopCode UserInitiated",
  },
  [GAMEDAY_NFS_LATENCY]: {
    actionId: "aws:lambda:invocation-add-delay",
    sameTarget: true,
    differs: "it delays the start of whole invocations (startupDelayMilliseconds), not each NFS operation; real FIS has no EFS action",
  },
};

const SANDBOX_ONLY: ReadonlySet<string> = new Set([...FARGATE_SPOT_SANDBOX_ACTIONS, ...gamedayEfsActions()].map((a) => a.actionId));

/** gameday's own actions, which only its sandbox's FIS carries out (real FIS's GetAction answers ResourceNotFoundException). */
export function isSandboxOnly(actionId: string): boolean {
  return SANDBOX_ONLY.has(actionId);
}

/** The real FIS action nearest to a sandbox-only one, when there is one. */
export function awsCounterpart(actionId: string): AwsCounterpart | undefined {
  return AWS_COUNTERPARTS[actionId];
}

/** One action's description; throws for an id the catalog lacks (a sandbox bug, not user input). */
export function describedAction(actionId: string): FisActionDescription {
  const found = FIS_ACTIONS.find((a) => a.actionId === actionId);
  if (!found) throw new Error(`no FIS action description for ${actionId}`);
  return found;
}

export function describedResourceType(resourceType: string): FisResourceTypeDescription {
  const found = FIS_RESOURCE_TYPES.find((t) => t.resourceType === resourceType);
  if (!found) throw new Error(`no FIS resource type description for ${resourceType}`);
  return found;
}

/** The whole catalog, as the validator reads it. */
export const fisCatalog: FisCatalogView = {
  knownBy: "gameday",
  action: (id) => FIS_ACTIONS.find((a) => a.actionId === id),
  actions: () => [...FIS_ACTIONS],
  resourceType: (id) => FIS_RESOURCE_TYPES.find((t) => t.resourceType === id),
  resourceTypes: () => [...FIS_RESOURCE_TYPES],
};
