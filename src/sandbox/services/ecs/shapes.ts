/**
 * ECS resources in the wire shapes of the ECS API (awsJson1_1: timestamps as epoch seconds) and
 * of the "ECS Task State Change" / "ECS Container Instance State Change" events (ISO timestamps).
 */
import type { Cluster, ContainerInstance, Service, Task, TaskDefinition } from "./model.js";

const AGENT_VERSION = { agentVersion: "1.89.0", agentHash: "a1b2c3d4", dockerVersion: "DockerVersion: 25.0.8" };

const ATTRIBUTES = (ci: ContainerInstance) => [
  { name: "ecs.availability-zone", value: ci.instance.az },
  { name: "ecs.instance-type", value: ci.instance.type },
  { name: "ecs.os-type", value: "linux" },
  { name: "ecs.cpu-architecture", value: "x86_64" },
  { name: "ecs.capability.task-eni" },
  { name: "com.amazonaws.ecs.capability.logging-driver.awslogs" },
  { name: "com.amazonaws.ecs.capability.task-iam-role" },
];

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Drops undefined fields: AWS omits absent members rather than sending null. */
function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function resources(cpu: number, memory: number) {
  return [
    { name: "CPU", type: "INTEGER", doubleValue: 0, longValue: 0, integerValue: cpu },
    { name: "MEMORY", type: "INTEGER", doubleValue: 0, longValue: 0, integerValue: memory },
    { name: "PORTS", type: "STRINGSET", doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: ["22", "2375", "2376", "51678", "51679"] },
    { name: "PORTS_UDP", type: "STRINGSET", doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: [] },
  ];
}

/**
 * What a Describe* call's `include` may ask for, per call. ECS leaves these fields out unless asked
 * ("If this field is omitted, this information isn't included").
 */
export const INCLUDE_FIELDS = {
  DescribeClusters: ["ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS"],
  DescribeServices: ["TAGS"],
  DescribeContainerInstances: ["TAGS", "CONTAINER_INSTANCE_HEALTH"],
  DescribeTasks: ["TAGS"],
} as const;

export type Include<Call extends keyof typeof INCLUDE_FIELDS> = ReadonlySet<(typeof INCLUDE_FIELDS)[Call][number]>;

const isPending = (t: Task) => t.lastStatus === "PENDING" || t.lastStatus === "PROVISIONING" || t.lastStatus === "ACTIVATING";

/** STATISTICS: task and service counts by launch type, as ECS's key/value pairs. */
function clusterStatistics(c: Cluster) {
  const counts: Record<string, number> = {};
  for (const lt of ["EC2", "Fargate"] as const) {
    const launchType = lt.toUpperCase();
    const tasks = c.tasks.filter((t) => t.launchType === launchType);
    counts[`running${lt}TasksCount`] = tasks.filter((t) => t.lastStatus === "RUNNING").length;
    counts[`pending${lt}TasksCount`] = tasks.filter(isPending).length;
    counts[`active${lt}ServiceCount`] = c.services.filter((s) => s.launchType === launchType).length;
    // The sandbox's services are never deleted, so none is ever DRAINING.
    counts[`draining${lt}ServiceCount`] = 0;
  }
  return Object.entries(counts).map(([name, value]) => ({ name, value: String(value) }));
}

export function clusterShape(c: Cluster, include: Include<"DescribeClusters"> = new Set()) {
  const active = c.containerInstances.filter((ci) => ci.status !== "INACTIVE");
  const live = c.tasks.filter((t) => t.lastStatus !== "STOPPED");
  return compact({
    clusterArn: c.arn,
    clusterName: c.name,
    status: "ACTIVE",
    registeredContainerInstancesCount: active.length,
    runningTasksCount: live.filter((t) => t.lastStatus === "RUNNING").length,
    pendingTasksCount: live.filter(isPending).length,
    activeServicesCount: c.services.length,
    statistics: include.has("STATISTICS") ? clusterStatistics(c) : undefined,
    tags: include.has("TAGS") ? Object.entries(c.tags).map(([key, value]) => ({ key, value })) : undefined,
    settings: include.has("SETTINGS") ? [{ name: "containerInsights", value: "disabled" }] : undefined,
    // No capacity providers, so nothing attached; and no execute-command configuration to report.
    attachments: include.has("ATTACHMENTS") ? [] : undefined,
    capacityProviders: [...new Set(c.services.flatMap((s) => s.capacityProviderStrategy.map((i) => i.capacityProvider)))],
    defaultCapacityProviderStrategy: [],
  });
}

export function containerInstanceShape(ci: ContainerInstance, include: Include<"DescribeContainerInstances"> = new Set()) {
  let running = 0;
  let pending = 0;
  for (const t of ci.tasks) {
    if (t.lastStatus === "RUNNING") running++;
    else if (t.lastStatus === "PENDING" || t.lastStatus === "PROVISIONING" || t.lastStatus === "ACTIVATING") pending++;
  }
  return compact({
    containerInstanceArn: ci.arn,
    ec2InstanceId: ci.instance.id,
    version: ci.version,
    versionInfo: AGENT_VERSION,
    remainingResources: resources(ci.remainingCpu, ci.remainingMemory),
    registeredResources: resources(ci.registeredCpu, ci.registeredMemory),
    status: ci.status,
    agentConnected: ci.agentConnected,
    runningTasksCount: running,
    pendingTasksCount: pending,
    attributes: ATTRIBUTES(ci),
    registeredAt: seconds(ci.registeredAt),
    attachments: [],
    tags: include.has("TAGS") ? [] : undefined,
    healthStatus: include.has("CONTAINER_INSTANCE_HEALTH") ? { overallStatus: ci.agentConnected ? "OK" : "IMPAIRED", details: [] } : undefined,
  });
}

function containerShape(t: Task) {
  return compact({
    containerArn: t.containerArn,
    taskArn: t.arn,
    name: t.definition.spec.family,
    image: `${t.cluster.arn.split(":")[4]}.dkr.ecr.${t.cluster.arn.split(":")[3]}.amazonaws.com/${t.definition.spec.family}:latest`,
    lastStatus: containerStatus(t),
    exitCode: t.exitCode,
    networkBindings: [],
    networkInterfaces: [],
    healthStatus: "UNKNOWN",
    cpu: String(t.definition.spec.cpu),
    memory: String(t.definition.spec.memory),
  });
}

function containerStatus(t: Task): string {
  switch (t.lastStatus) {
    case "PROVISIONING":
    case "PENDING":
      return "PENDING";
    case "STOPPED":
    case "DEPROVISIONING":
      return "STOPPED";
    default:
      return t.app && t.app.state === "down" ? "STOPPED" : "RUNNING";
  }
}

/**
 * The ENI under `attachments`: typed "ElasticNetworkInterface" in DescribeTasks (ECS API reference,
 * Attachment) and "eni" in the task state change event (ecs_cwe_events.md's Fargate example).
 */
function eniAttachments(t: Task, type: "ElasticNetworkInterface" | "eni") {
  if (!t.eni) return [];
  const e = t.eni;
  return [
    {
      id: e.id,
      type,
      status: e.status,
      details: [
        { name: "subnetId", value: e.subnetId },
        { name: "networkInterfaceId", value: e.networkInterfaceId },
        { name: "macAddress", value: e.macAddress },
        { name: "privateIPv4Address", value: e.privateIPv4Address },
      ],
    },
  ];
}

export function taskShape(t: Task, include: Include<"DescribeTasks"> = new Set()) {
  return compact({
    taskArn: t.arn,
    clusterArn: t.cluster.arn,
    taskDefinitionArn: t.definition.arn,
    containerInstanceArn: t.containerInstance?.arn,
    availabilityZone: t.availabilityZone,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    launchType: t.launchType,
    capacityProviderName: t.capacityProviderName,
    cpu: String(t.definition.spec.cpu),
    memory: String(t.definition.spec.memory),
    containers: [containerShape(t)],
    group: t.group,
    startedBy: t.startedBy,
    createdAt: seconds(t.createdAt),
    connectivity: t.connectivityAt !== undefined ? (t.lastStatus === "STOPPED" ? "DISCONNECTED" : "CONNECTED") : undefined,
    connectivityAt: seconds(t.connectivityAt),
    pullStartedAt: seconds(t.pullStartedAt),
    pullStoppedAt: seconds(t.pullStoppedAt),
    startedAt: seconds(t.startedAt),
    stoppingAt: seconds(t.stoppingAt),
    stoppedAt: seconds(t.stoppedAt),
    executionStoppedAt: seconds(t.executionStoppedAt),
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    version: t.version,
    healthStatus: "UNKNOWN",
    platformVersion: t.launchType === "FARGATE" ? "1.4.0" : undefined,
    platformFamily: t.launchType === "FARGATE" ? "Linux" : undefined,
    overrides: { containerOverrides: [{ name: t.definition.spec.family }], inferenceAcceleratorOverrides: [] },
    attachments: eniAttachments(t, "ElasticNetworkInterface"),
    tags: include.has("TAGS") ? [] : undefined,
    enableExecuteCommand: false,
  });
}

export function serviceShape(s: Service, include: Include<"DescribeServices"> = new Set()) {
  const tasks = s.cluster.tasks.filter((t) => t.service === s);
  const counts = (of: readonly Task[]) => ({
    runningCount: of.filter((t) => t.lastStatus === "RUNNING").length,
    pendingCount: of.filter((t) => t.lastStatus === "PENDING" || t.lastStatus === "PROVISIONING" || t.lastStatus === "ACTIVATING").length,
  });
  const all = counts(tasks);
  return compact({
    serviceArn: s.arn,
    serviceName: s.name,
    clusterArn: s.cluster.arn,
    loadBalancers: s.targetGroup ? [{ targetGroupArn: s.targetGroup.arn, containerName: s.definition.spec.family, containerPort: 8080 }] : [],
    serviceRegistries: [],
    status: "ACTIVE",
    desiredCount: s.desiredCount,
    runningCount: all.runningCount,
    pendingCount: all.pendingCount,
    // A service names either a launch type or a capacity provider strategy (CreateService).
    launchType: s.capacityProviderStrategy.length > 0 ? undefined : s.launchType,
    capacityProviderStrategy: s.capacityProviderStrategy.length > 0 ? s.capacityProviderStrategy.map((i) => ({ capacityProvider: i.capacityProvider, weight: i.weight, base: i.base })) : undefined,
    platformVersion: s.launchType === "FARGATE" ? "LATEST" : undefined,
    taskDefinition: s.definition.arn,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: s.circuitBreaker.enable, rollback: s.circuitBreaker.rollback },
      maximumPercent: s.maximumPercent,
      minimumHealthyPercent: s.minimumHealthyPercent,
    },
    deployments: s.deployments.map((d) => {
      const own = counts(tasks.filter((t) => t.deployment === d && t.desiredStatus === "RUNNING"));
      return compact({
        id: d.id,
        status: d.status,
        taskDefinition: d.definition.arn,
        // An older deployment's desired count is what it still runs while it is replaced.
        desiredCount: d.status === "PRIMARY" ? s.desiredCount : own.runningCount + own.pendingCount,
        pendingCount: own.pendingCount,
        runningCount: own.runningCount,
        failedTasks: d.failedTasks,
        createdAt: seconds(d.createdAt),
        updatedAt: seconds(d.updatedAt),
        launchType: s.capacityProviderStrategy.length > 0 ? undefined : s.launchType,
        capacityProviderStrategy: s.capacityProviderStrategy.length > 0 ? s.capacityProviderStrategy.map((i) => ({ capacityProvider: i.capacityProvider, weight: i.weight, base: i.base })) : undefined,
        platformVersion: s.launchType === "FARGATE" ? "1.4.0" : undefined,
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
      });
    }),
    events: s.events.map((e) => ({ id: e.id, createdAt: seconds(e.createdAt), message: e.message })),
    createdAt: seconds(s.createdAt),
    placementConstraints: [],
    placementStrategy: s.launchType === "EC2" ? s.placementStrategy.map((p) => compact({ type: p.type, field: p.field })) : [],
    healthCheckGracePeriodSeconds: s.targetGroup ? s.healthCheckGracePeriodMs / 1000 : undefined,
    schedulingStrategy: "REPLICA",
    deploymentController: { type: "ECS" },
    enableECSManagedTags: false,
    propagateTags: "NONE",
    enableExecuteCommand: false,
    tags: include.has("TAGS") ? Object.entries(s.tags).map(([key, value]) => ({ key, value })) : undefined,
  });
}

/** DescribeTaskDefinition's and RegisterTaskDefinition's `taskDefinition`. */
export function taskDefinitionShape(td: TaskDefinition) {
  const s = td.spec;
  return {
    taskDefinitionArn: td.arn,
    family: s.family,
    revision: td.revision,
    status: "ACTIVE",
    cpu: String(s.cpu),
    memory: String(s.memory),
    containerDefinitions: [{ name: s.family, cpu: 0, essential: true, stopTimeout: Math.round(s.stopTimeout / 1000), portMappings: s.app ? [{ containerPort: 8080, protocol: "tcp" }] : [] }],
    requiresCompatibilities: ["EC2", "FARGATE"],
    networkMode: "awsvpc",
  };
}

/** The "ECS Task State Change" detail. */
export function taskEventDetail(t: Task, at: number) {
  return compact({
    attachments: eniAttachments(t, "eni"),
    attributes: [{ name: "ecs.cpu-architecture", value: "x86_64" }],
    availabilityZone: t.availabilityZone,
    capacityProviderName: t.capacityProviderName,
    clusterArn: t.cluster.arn,
    connectivity: t.connectivityAt !== undefined ? (t.lastStatus === "STOPPED" ? "DISCONNECTED" : "CONNECTED") : undefined,
    connectivityAt: iso(t.connectivityAt),
    containerInstanceArn: t.containerInstance?.arn,
    containers: [compact({ ...containerShape(t), networkBindings: undefined, healthStatus: undefined })],
    cpu: String(t.definition.spec.cpu),
    createdAt: iso(t.createdAt),
    desiredStatus: t.desiredStatus,
    enableExecuteCommand: false,
    executionStoppedAt: iso(t.executionStoppedAt),
    group: t.group,
    launchType: t.launchType,
    lastStatus: t.lastStatus,
    memory: String(t.definition.spec.memory),
    overrides: { containerOverrides: [{ name: t.definition.spec.family }] },
    platformVersion: t.launchType === "FARGATE" ? "1.4.0" : undefined,
    pullStartedAt: iso(t.pullStartedAt),
    pullStoppedAt: iso(t.pullStoppedAt),
    startedAt: iso(t.startedAt),
    startedBy: t.startedBy,
    stopCode: t.stopCode,
    stoppedAt: iso(t.stoppedAt),
    stoppedReason: t.stoppedReason,
    stoppingAt: iso(t.stoppingAt),
    updatedAt: iso(at),
    taskArn: t.arn,
    taskDefinitionArn: t.definition.arn,
    version: t.version,
  });
}

/** The "ECS Container Instance State Change" detail. */
export function containerInstanceEventDetail(ci: ContainerInstance, at: number) {
  const shape = containerInstanceShape(ci);
  return {
    agentConnected: ci.agentConnected,
    attributes: shape.attributes,
    clusterArn: ci.cluster.arn,
    containerInstanceArn: ci.arn,
    ec2InstanceId: ci.instance.id,
    registeredResources: shape.registeredResources.map(({ name, type, integerValue, stringSetValue }) => compact({ name, type, integerValue: type === "INTEGER" ? integerValue : undefined, stringSetValue })),
    remainingResources: shape.remainingResources.map(({ name, type, integerValue, stringSetValue }) => compact({ name, type, integerValue: type === "INTEGER" ? integerValue : undefined, stringSetValue })),
    status: ci.status,
    version: ci.version,
    versionInfo: AGENT_VERSION,
    updatedAt: new Date(at).toISOString(),
  };
}
