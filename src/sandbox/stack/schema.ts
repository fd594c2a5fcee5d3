/**
 * The stack file: one section per concern, each in its own module. To add a section (Kinesis
 * streams, log producers), write its schema in a new file and add one line to `sections`; the
 * cross-reference checks below are where it can check names against the other sections.
 */
import { z } from "zod";
import { REGION_EXPECTED, REGION_PATTERN } from "../../aws/region.js";
import { autoScalingGroupSchema, BUILTIN_INSTANCE_TYPES, instanceTypeSchema } from "./ec2.js";
import { clusterSchema, serviceSchema, taskDefinitionSchema } from "./ecs.js";
import { targetGroupSchema } from "./elb.js";
import { eventsSchema } from "./events.js";
import { loadSchema } from "./workload.js";
import { subnetSchema } from "./network.js";
import { loggingSchema } from "./logging.js";
import { sessionsSchema } from "./sessions.js";
import { kinesisConfigSchema } from "../services/kinesis/config.js";
import { efsSchema } from "./efs.js";
import { lambdasSchema } from "./lambda.js";
import { CACHED_ERROR_CODES, distributionsSchema, httpApisSchema } from "./edge.js";

export const sections = {
  region: z.string().regex(REGION_PATTERN, { message: `expected ${REGION_EXPECTED}` }).default("us-east-1"),
  accountId: z.string().regex(/^\d{12}$/, { message: "expected a 12-digit account id" }).default("123456789012"),
  availabilityZones: z.array(z.string()).min(1),
  instanceTypes: z.record(z.string(), instanceTypeSchema).default({}),
  clusters: z.array(clusterSchema).default([]),
  autoScalingGroups: z.array(autoScalingGroupSchema).default([]),
  taskDefinitions: z.array(taskDefinitionSchema).default([]),
  targetGroups: z.array(targetGroupSchema).default([]),
  services: z.array(serviceSchema).default([]),
  load: loadSchema.default({}),
  events: eventsSchema.default({ delivery: { latency: { min: 100, max: 500 }, duplicates: 0 }, rules: [], topics: [] }),
  /** Default: one private subnet per Availability Zone. */
  subnets: z.array(subnetSchema).optional(),
  /** Kinesis Data Streams: streams, and the IAM roles whose access keys producers use. Subnets come from `subnets`. */
  kinesis: kinesisConfigSchema.optional(),
  /** Services whose tasks ship logs to Kinesis through gameday's shipper. */
  logging: loggingSchema.default([]),
  /** Clients that run a one-off task per interactive session (ecs-fargate-login). */
  sessions: sessionsSchema.default([]),
  /** EFS file systems (WordPress on Lambda); mount targets go in the subnets' AZs. */
  efs: efsSchema.optional(),
  /** Lambda functions (WordPress on Lambda), optionally mounting an EFS access point. */
  lambdas: lambdasSchema.optional(),
  /** API Gateway HTTP APIs in front of Lambda functions (WordPress on Lambda). */
  httpApis: httpApisSchema.default([]),
  /** CloudFront distributions in front of HTTP APIs; viewer load under `load:` by distribution name. */
  distributions: distributionsSchema.default([]),
};

export const stackSchema = z.object(sections).strict().superRefine(checkReferences);

export type Stack = z.infer<typeof stackSchema>;

type Ctx = z.core.$RefinementCtx<z.infer<z.ZodObject<typeof sections>>>;

function checkReferences(stack: z.infer<z.ZodObject<typeof sections>>, ctx: Ctx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  const names = (items: { name: string }[]) => items.map((i) => i.name);
  const unique = (key: string, values: string[]) => {
    values.forEach((v, i) => {
      if (values.indexOf(v) !== i) issue([key, i], `expected unique names, found "${v}" twice`);
    });
  };
  unique("clusters", names(stack.clusters));
  unique("autoScalingGroups", names(stack.autoScalingGroups));
  unique("targetGroups", names(stack.targetGroups));
  unique("taskDefinitions", stack.taskDefinitions.map((t) => t.family));
  const clusters = names(stack.clusters);
  const families = stack.taskDefinitions.map((t) => t.family);
  const groups = names(stack.targetGroups);
  const oneOf = (list: string[]) => (list.length ? list.map((n) => `"${n}"`).join(", ") : "(none defined)");

  stack.autoScalingGroups.forEach((asg, i) => {
    if (!clusters.includes(asg.cluster)) issue(["autoScalingGroups", i, "cluster"], `expected one of the clusters ${oneOf(clusters)}, found "${asg.cluster}"`);
    if (!stack.instanceTypes[asg.instanceType] && !BUILTIN_INSTANCE_TYPES[asg.instanceType]) {
      const known = [...Object.keys(BUILTIN_INSTANCE_TYPES), ...Object.keys(stack.instanceTypes)];
      issue(["autoScalingGroups", i, "instanceType"], `expected a known instance type (${known.join(", ")}) or one declared under instanceTypes, found "${asg.instanceType}"`);
    }
    for (const [j, az] of (asg.availabilityZones ?? []).entries()) {
      if (!stack.availabilityZones.includes(az)) issue(["autoScalingGroups", i, "availabilityZones", j], `expected one of the stack's availabilityZones, found "${az}"`);
    }
    const capacity = asg.onDemand.count + asg.spot.count;
    if (asg.minSize !== undefined && asg.minSize > capacity) issue(["autoScalingGroups", i, "minSize"], `expected at most the starting capacity (onDemand + spot = ${capacity}), found ${asg.minSize}`);
    if (asg.maxSize !== undefined && asg.maxSize < capacity) issue(["autoScalingGroups", i, "maxSize"], `expected at least the starting capacity (onDemand + spot = ${capacity}), found ${asg.maxSize}`);
    asg.lifecycleHooks.forEach((hook, j) => {
      const topics = stack.events.topics.map((t) => t.name);
      if (hook.notificationTarget !== undefined && !topics.includes(hook.notificationTarget)) issue(["autoScalingGroups", i, "lifecycleHooks", j, "notificationTarget"], `expected one of the topics under events.topics ${oneOf(topics)}, found "${hook.notificationTarget}"`);
      if (asg.lifecycleHooks.findIndex((h) => h.name === hook.name) !== j) issue(["autoScalingGroups", i, "lifecycleHooks", j, "name"], `expected unique hook names, found "${hook.name}" twice`);
    });
  });
  stack.availabilityZones.forEach((az, i) => {
    if (!az.startsWith(stack.region)) issue(["availabilityZones", i], `expected an AZ of ${stack.region} (such as "${stack.region}a"), found "${az}"`);
  });
  const perCluster = new Map<string, string[]>();
  stack.services.forEach((svc, i) => {
    if (!clusters.includes(svc.cluster)) issue(["services", i, "cluster"], `expected one of the clusters ${oneOf(clusters)}, found "${svc.cluster}"`);
    const seen = perCluster.get(svc.cluster) ?? [];
    if (seen.includes(svc.name)) issue(["services", i, "name"], `expected unique service names in cluster "${svc.cluster}", found "${svc.name}" twice`);
    perCluster.set(svc.cluster, [...seen, svc.name]);
    const td = stack.taskDefinitions.find((t) => t.family === svc.taskDefinition);
    if (!td) issue(["services", i, "taskDefinition"], `expected one of the task definition families ${oneOf(families)}, found "${svc.taskDefinition}"`);
    if (svc.targetGroup !== undefined) {
      if (!groups.includes(svc.targetGroup)) issue(["services", i, "targetGroup"], `expected one of the target groups ${oneOf(groups)}, found "${svc.targetGroup}"`);
      if (td && !td.app) issue(["services", i, "targetGroup"], `expected task definition "${td.family}" to declare an app (threads, serviceTime) to serve the target group, found none`);
    }
  });
  // EFS volumes of task definitions name the stack's file systems and their access points.
  stack.taskDefinitions.forEach((td, i) => {
    td.volumes.forEach((v, j) => {
      const at = ["taskDefinitions", i, "volumes", j, "efsVolumeConfiguration"];
      const systems = stack.efs?.fileSystems ?? [];
      const fs = systems.find((f) => f.name === v.efsVolumeConfiguration.fileSystem);
      if (!fs) issue([...at, "fileSystem"], `expected one of the file systems under efs.fileSystems ${oneOf(systems.map((f) => f.name))}, found "${v.efsVolumeConfiguration.fileSystem}"`);
      const ap = v.efsVolumeConfiguration.accessPoint;
      if (fs && ap !== undefined && !fs.accessPoints.some((a) => a.name === ap)) issue([...at, "accessPoint"], `expected one of the access points of ${fs.name} ${oneOf(fs.accessPoints.map((a) => a.name))}, found "${ap}"`);
    });
  });
  for (const [i, s] of (stack.subnets ?? []).entries()) {
    if (!stack.availabilityZones.includes(s.az)) issue(["subnets", i, "az"], `expected one of the stack's availabilityZones, found "${s.az}"`);
  }
  if (stack.kinesis?.subnets !== undefined) issue(["kinesis", "subnets"], "expected the stack's subnets under the top-level `subnets:` section, found them under kinesis");
  const streams = (stack.kinesis?.streams ?? []).map((s) => s.name);
  const roles = (stack.kinesis?.roles ?? []).map((r) => r.name);
  const serviceNames = stack.services.map((s) => s.name);
  stack.logging.forEach((l, i) => {
    if (!serviceNames.includes(l.service)) issue(["logging", i, "service"], `expected one of the services ${oneOf(serviceNames)}, found "${l.service}"`);
    if (!streams.includes(l.stream)) issue(["logging", i, "stream"], `expected one of the Kinesis streams ${oneOf(streams)} (declare it under kinesis.streams), found "${l.stream}"`);
    if (l.role !== undefined && !roles.includes(l.role)) issue(["logging", i, "role"], `expected one of the roles under kinesis.roles ${oneOf(roles)}, found "${l.role}"`);
  });
  stack.sessions.forEach((s, i) => {
    if (!clusters.includes(s.cluster)) issue(["sessions", i, "cluster"], `expected one of the clusters ${oneOf(clusters)}, found "${s.cluster}"`);
    if (!families.includes(s.taskDefinition)) issue(["sessions", i, "taskDefinition"], `expected one of the task definition families ${oneOf(families)}, found "${s.taskDefinition}"`);
  });
  const fileSystems = (stack.efs?.fileSystems ?? []).map((f) => f.name);
  fileSystems.forEach((n, i) => {
    if (fileSystems.indexOf(n) !== i) issue(["efs", "fileSystems", i, "name"], `expected unique file system names, found "${n}" twice`);
  });
  const efsNames = stack.efs?.fileSystems ?? [];
  (stack.lambdas?.functions ?? []).forEach((f, i) => {
    if (!f.efs) return;
    const fs = efsNames.find((e) => e.name === f.efs!.fileSystem);
    if (!fs) return issue(["lambdas", "functions", i, "efs", "fileSystem"], `expected one of the file systems under efs.fileSystems ${oneOf(efsNames.map((e) => e.name))}, found "${f.efs.fileSystem}"`);
    const aps = fs.accessPoints.map((a) => a.name);
    // Lambda mounts EFS only through an access point.
    if (!aps.includes(f.efs.accessPoint)) issue(["lambdas", "functions", i, "efs", "accessPoint"], `expected one of file system "${fs.name}"'s access points ${oneOf(aps)}, found "${f.efs.accessPoint}"`);
  });
  const functionNames = (stack.lambdas?.functions ?? []).map((f) => f.name);
  functionNames.forEach((n, i) => {
    if (functionNames.indexOf(n) !== i) issue(["lambdas", "functions", i, "name"], `expected unique function names, found "${n}" twice`);
  });
  checkEdge(stack, issue, oneOf, functionNames);
  const loadBalanced = stack.services.filter((s) => s.targetGroup !== undefined).map((s) => s.name);
  const viewed = stack.distributions.map((d) => d.name);
  for (const service of Object.keys(stack.load)) {
    if (!loadBalanced.includes(service) && !viewed.includes(service)) issue(["load", service], `expected a service behind a target group or a distribution (${oneOf([...loadBalanced, ...viewed])}), found "${service}"`);
  }
}

/** httpApis integrate functions of the stack; distributions front httpApis of the stack; names unique. */
function checkEdge(stack: z.infer<z.ZodObject<typeof sections>>, issue: (path: (string | number)[], message: string) => void, oneOf: (list: string[]) => string, functionNames: string[]): void {
  const apis = stack.httpApis.map((a) => a.name);
  stack.httpApis.forEach((api, i) => {
    for (const code of Object.keys(api.responseHeaders)) {
      if (!/^[1-5]\d\d$/.test(code)) issue(["httpApis", i, "responseHeaders", code], `expected an HTTP status code such as 200, found "${code}"`);
    }
    if (apis.indexOf(api.name) !== i) issue(["httpApis", i, "name"], `expected unique HTTP API names, found "${api.name}" twice`);
    if (!functionNames.includes(api.integration.function)) issue(["httpApis", i, "integration", "function"], `expected one of the functions under lambdas.functions ${oneOf(functionNames)}, found "${api.integration.function}"`);
  });
  const distributions = stack.distributions.map((d) => d.name);
  const services = stack.services.map((s) => s.name);
  stack.distributions.forEach((d, i) => {
    if (distributions.indexOf(d.name) !== i) issue(["distributions", i, "name"], `expected unique distribution names, found "${d.name}" twice`);
    if (services.includes(d.name)) issue(["distributions", i, "name"], `expected a name no service uses (load: is keyed by both), found "${d.name}"`);
    if (!apis.includes(d.origin.httpApi)) issue(["distributions", i, "origin", "httpApi"], `expected one of the HTTP APIs under httpApis ${oneOf(apis)}, found "${d.origin.httpApi}"`);
    const ttlCheck = (path: (string | number)[], t: { minTTL: number; defaultTTL: number; maxTTL: number }) => {
      // CloudFront refuses a default TTL outside [min, max] (DownloadDistValuesCacheBehavior.html).
      if (t.defaultTTL < t.minTTL || t.defaultTTL > t.maxTTL) issue([...path, "defaultTTL"], `expected a default TTL from minTTL (${t.minTTL}) to maxTTL (${t.maxTTL}), found ${t.defaultTTL}`);
    };
    for (const code of Object.keys(d.errorCaching)) {
      if (!(CACHED_ERROR_CODES as readonly number[]).includes(Number(code))) issue(["distributions", i, "errorCaching", code], `expected one of the status codes CloudFront caches (${CACHED_ERROR_CODES.join(", ")}), found "${code}"`);
    }
    ttlCheck(["distributions", i, "defaultBehavior"], d.defaultBehavior);
    d.behaviors.forEach((b, j) => ttlCheck(["distributions", i, "behaviors", j], b));
  });
}
