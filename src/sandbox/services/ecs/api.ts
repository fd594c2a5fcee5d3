/**
 * The ECS API (awsJson1_1, X-Amz-Target AmazonEC2ContainerServiceV20141113.*) over the control
 * plane: the calls probes, handlers and FIS need, with AWS's limits (page sizes, batch sizes),
 * AWS's `failures[]` for unknown resources in batch calls, and AWS's error codes otherwise.
 */
import type { JsonService } from "../../protocol/dispatcher.js";
import { AwsServiceError } from "../../protocol/types.js";
import type { EcsControlPlane } from "./control-plane.js";
import { lastSegment, type Cluster, type Task } from "./model.js";
import { parseFilter } from "./query.js";
import { clusterShape, containerInstanceShape, INCLUDE_FIELDS, serviceShape, taskDefinitionShape, taskShape, type Include } from "./shapes.js";
import { updateService } from "./update-service.js";
import { invalid, optString, reqString, type Input } from "./input.js";
import { registerTaskDefinition } from "./register-task-definition.js";

export const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";

function stringList(input: Input, key: string, max: number, required: boolean): string[] {
  const v = input[key];
  if (v === undefined || v === null) {
    if (required) throw invalid(`${key} can not be empty.`);
    return [];
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw invalid(`${key}: expected a list of strings.`);
  if (required && v.length === 0) throw invalid(`${key} can not be empty.`);
  if (v.length > max) throw invalid(`${key} can have at most ${max} items, found ${v.length}.`);
  return v as string[];
}

/** The call's `include`: the optional fields it asks for, each one ECS knows for that call. */
function include<Call extends keyof typeof INCLUDE_FIELDS>(input: Input, call: Call): Include<Call> {
  const known: readonly string[] = INCLUDE_FIELDS[call];
  const asked = stringList(input, "include", Number.POSITIVE_INFINITY, false);
  const unknown = asked.find((f) => !known.includes(f));
  if (unknown !== undefined) throw invalid(`include: ${JSON.stringify(unknown)} is not one of ${known.join(", ")}.`);
  return new Set(asked) as unknown as Include<Call>;
}

function maxResults(input: Input, fallback: number): number {
  const v = input.maxResults;
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 100) throw invalid(`maxResults must be between 1 and 100, found ${JSON.stringify(v)}.`);
  return v;
}

/** Opaque page tokens: a position in the (append-only) creation order, tagged with the call. */
function paginate<T>(input: Input, call: string, items: readonly T[], keep: (item: T) => boolean, pageSize: number) {
  let start = 0;
  const token = optString(input, "nextToken");
  if (token !== undefined) {
    const decoded = Buffer.from(token, "base64url").toString("utf8");
    const m = /^(\w+):(\d+)$/.exec(decoded);
    if (!m || m[1] !== call) throw invalid("Invalid nextToken.");
    start = Number(m[2]);
  }
  const page: T[] = [];
  let i = start;
  for (; i < items.length && page.length < pageSize; i++) if (keep(items[i]!)) page.push(items[i]!);
  // Only hand out a token when something is left to read.
  let more = false;
  for (let j = i; j < items.length; j++) {
    if (keep(items[j]!)) {
      more = true;
      break;
    }
  }
  return { page, nextToken: more ? Buffer.from(`${call}:${i}`, "utf8").toString("base64url") : undefined };
}

function withToken<T extends Record<string, unknown>>(out: T, nextToken: string | undefined): T {
  return nextToken === undefined ? out : { ...out, nextToken };
}

export function ecsApi(ecs: EcsControlPlane): JsonService {
  const taskFilter = (input: Input, cluster: Cluster) => {
    const ciRef = optString(input, "containerInstance");
    const serviceName = optString(input, "serviceName");
    const family = optString(input, "family");
    const startedBy = optString(input, "startedBy");
    const launchType = optString(input, "launchType");
    const desired = optString(input, "desiredStatus") ?? "RUNNING";
    if (!["RUNNING", "PENDING", "STOPPED"].includes(desired)) throw invalid(`desiredStatus must be RUNNING, PENDING or STOPPED, found ${desired}.`);
    if (launchType !== undefined && !["EC2", "FARGATE", "EXTERNAL"].includes(launchType)) throw invalid(`launchType must be EC2, FARGATE or EXTERNAL, found ${launchType}.`);
    if (serviceName !== undefined && !ecs.findService(cluster, serviceName)) throw new AwsServiceError("ServiceNotFoundException", "Service not found.");
    const ciId = ciRef === undefined ? undefined : lastSegment(ciRef);
    if (serviceName !== undefined && family !== undefined) throw invalid("Cannot specify both serviceName and family.");
    return (t: Task) =>
      t.desiredStatus === desired &&
      (ciId === undefined || t.containerInstance?.id === ciId) &&
      (serviceName === undefined || t.service?.name === lastSegment(serviceName)) &&
      (family === undefined || t.definition.spec.family === family) &&
      (startedBy === undefined || t.startedBy === startedBy) &&
      (launchType === undefined || t.launchType === launchType);
  };

  return {
    name: "ecs",
    targetPrefix: ECS_TARGET_PREFIX,
    operations: {
      ListClusters: (input) => {
        const { page, nextToken } = paginate(input, "clusters", [...ecs.clusters.values()], () => true, maxResults(input, 100));
        return withToken({ clusterArns: page.map((c) => c.arn) }, nextToken);
      },

      DescribeClusters: (input) => {
        const refs = stringList(input, "clusters", 100, false);
        const names = refs.length ? refs : ["default"];
        const fields = include(input, "DescribeClusters");
        const clusters = [];
        const failures = [];
        for (const ref of names) {
          const c = ecs.clusters.get(lastSegment(ref));
          if (c) clusters.push(clusterShape(c, fields));
          else failures.push({ arn: ref.startsWith("arn:") ? ref : ecs.kernel.arn("ecs", `cluster/${ref}`), reason: "MISSING" });
        }
        return { clusters, failures };
      },

      ListContainerInstances: (input) => {
        const cluster = ecs.cluster(optString(input, "cluster"));
        const status = optString(input, "status");
        const statuses = ["ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED"];
        if (status !== undefined && !statuses.includes(status)) throw invalid(`status must be one of ${statuses.join(", ")}, found ${status}.`);
        const filter = optString(input, "filter");
        const matches = filter ? parseFilter(filter) : () => true;
        // Without a status, every state except INACTIVE (as the API documents).
        const keep = (ci: (typeof cluster.containerInstances)[number]) => (status ? ci.status === status : ci.status !== "INACTIVE") && matches(ci);
        const { page, nextToken } = paginate(input, "containerInstances", cluster.containerInstances, keep, maxResults(input, 100));
        return withToken({ containerInstanceArns: page.map((ci) => ci.arn) }, nextToken);
      },

      DescribeContainerInstances: (input) => {
        const cluster = ecs.cluster(optString(input, "cluster"));
        const refs = stringList(input, "containerInstances", 100, true);
        const fields = include(input, "DescribeContainerInstances");
        const containerInstances = [];
        const failures = [];
        for (const ref of refs) {
          const ci = ecs.findContainerInstance(cluster, ref);
          if (ci) containerInstances.push(containerInstanceShape(ci, fields));
          else failures.push({ arn: ref, reason: "MISSING" });
        }
        return { containerInstances, failures };
      },

      UpdateContainerInstancesState: (input) => {
        const cluster = ecs.cluster(optString(input, "cluster"));
        const refs = stringList(input, "containerInstances", 10, true);
        const status = reqString(input, "status");
        if (status !== "ACTIVE" && status !== "DRAINING") throw invalid(`Container instance status must be ACTIVE or DRAINING, found ${status}.`);
        const containerInstances = [];
        const failures = [];
        for (const ref of refs) {
          const ci = ecs.findContainerInstance(cluster, ref);
          if (!ci) failures.push({ arn: ref, reason: "MISSING" });
          else if (ci.status === "INACTIVE") failures.push({ arn: ci.arn, reason: "INACTIVE", detail: "The container instance is deregistered." });
          else {
            ecs.setStatus(ci, status, "UpdateContainerInstancesState");
            containerInstances.push(containerInstanceShape(ci));
          }
        }
        return { containerInstances, failures };
      },

      ListServices: (input) => {
        const cluster = ecs.cluster(optString(input, "cluster"));
        const launchType = optString(input, "launchType");
        const { page, nextToken } = paginate(input, "services", cluster.services, (s) => launchType === undefined || s.launchType === launchType, maxResults(input, 10));
        return withToken({ serviceArns: page.map((s) => s.arn) }, nextToken);
      },

      DescribeServices: (input) => {
        const cluster = ecs.cluster(optString(input, "cluster"));
        const refs = stringList(input, "services", 10, true);
        const fields = include(input, "DescribeServices");
        const services = [];
        const failures = [];
        for (const ref of refs) {
          const s = ecs.findService(cluster, ref);
          if (s) services.push(serviceShape(s, fields));
          else failures.push({ arn: ref.startsWith("arn:") ? ref : ecs.kernel.arn("ecs", `service/${cluster.name}/${ref}`), reason: "MISSING" });
        }
        return { services, failures };
      },

      UpdateService: (input) => updateService(ecs, input),

      ListTasks: (input) => {
        const cluster = ecs.cluster(optString(input, "cluster"));
        const keep = taskFilter(input, cluster);
        const { page, nextToken } = paginate(input, "tasks", cluster.tasks, keep, maxResults(input, 100));
        return withToken({ taskArns: page.map((t) => t.arn) }, nextToken);
      },

      DescribeTasks: (input) => {
        const cluster = ecs.cluster(optString(input, "cluster"));
        const refs = stringList(input, "tasks", 100, true);
        const fields = include(input, "DescribeTasks");
        const tasks = [];
        const failures = [];
        for (const ref of refs) {
          const t = ecs.findTask(cluster, ref);
          if (t) tasks.push(taskShape(t, fields));
          else failures.push({ arn: ref, reason: "MISSING" });
        }
        return { tasks, failures };
      },

      StopTask: (input) => {
        const cluster = ecs.cluster(optString(input, "cluster"));
        const t = ecs.findTask(cluster, reqString(input, "task"));
        if (!t) throw invalid("The referenced task was not found.");
        ecs.stopTask(t, "UserInitiated", optString(input, "reason") ?? "Task stopped by user");
        return { task: taskShape(t) };
      },

      RunTask: (input) => {
        const cluster = ecs.cluster(optString(input, "cluster"));
        const ref = reqString(input, "taskDefinition");
        const definition = ecs.taskDefinitions.resolve(ref);
        if (!definition) throw new AwsServiceError("ClientException", `Unable to find task definition '${ref}'.`);
        const count = input.count ?? 1;
        if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 10) throw invalid(`count must be between 1 and 10, found ${JSON.stringify(count)}.`);
        const launchType = optString(input, "launchType") ?? "EC2";
        if (launchType !== "EC2" && launchType !== "FARGATE") throw invalid(`launchType must be EC2 or FARGATE, found ${launchType}.`);
        const startedBy = optString(input, "startedBy");
        const group = optString(input, "group");
        const tasks = [];
        const failures: { arn: string; reason: string; detail?: string }[] = [];
        for (let i = 0; i < count; i++) {
          const result = ecs.runTask({ cluster, definition, launchType, ...(startedBy ? { startedBy } : {}), ...(group ? { group } : {}) });
          if ("task" in result) tasks.push(taskShape(result.task));
          else {
            if (result.failure.failures.length) failures.push(...result.failure.failures);
            else failures.push({ arn: cluster.arn, reason: result.failure.reason });
            break;
          }
        }
        return { tasks, failures };
      },

      DescribeTaskDefinition: (input) => {
        const td = ecs.taskDefinitions.resolve(reqString(input, "taskDefinition"));
        if (!td) throw new AwsServiceError("ClientException", "Unable to describe task definition.");
        return { taskDefinition: taskDefinitionShape(td), tags: [] };
      },

      RegisterTaskDefinition: (input) => ({ taskDefinition: taskDefinitionShape(registerTaskDefinition(ecs, input)), tags: [] }),
    },
  };
}
