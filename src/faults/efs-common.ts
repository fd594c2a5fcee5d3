/**
 * What the EFS faults share: naming a file system (its id or its Name tag), finding it and its
 * mount targets read-only through EFS's Describe calls, whether a Lambda function mounts it, and
 * the ARNs and permissions those reads need. FIS has no EFS resource type or action
 * (aws-semantics.md 2.1, 6): EFS faults reach the file system through its clients' network path.
 */
import { z } from "zod";
import { DescribeAccessPointsCommand, DescribeFileSystemsCommand, DescribeMountTargetsCommand, type FileSystemDescription } from "../aws/sdk/efs.js";
import { DescribeTasksCommand, ListTasksCommand } from "../aws/sdk/ecs.js";
import { GetFunctionCommand, type FunctionConfiguration } from "../aws/sdk/lambda.js";
import { selectionMode } from "./common.js";
import type { RunServicesAws } from "./types.js";
import type { Permission } from "../iam/permission.js";

/** The file system a step names; each fault says where it ends up in FIS (its own `.meta`). */
export const fileSystemField = z.string().min(1).describe("The EFS file system: its id (fs-0123456789abcdef0) or its Name tag, resolved read-only to its mount targets");

/** NFS: what EFS mount targets listen on (TCP 2049). */
export const NFS_PORT = 2049;

export interface FoundFileSystem {
  id: string;
  name: string | undefined;
  throughputMode: string | undefined;
  provisionedMiBps: number | undefined;
  /** Mount-target IP addresses, one per AZ, in the order EFS lists them. */
  ips: string[];
  mountTargets: { id: string; ip: string; az: string | undefined; subnetId: string }[];
}

const isId = (ref: string) => /^fs-[0-9a-f]{8,40}$/.test(ref) || ref.startsWith("arn:");

type Sent = { abortSignal?: never };
const opts = (signal: AbortSignal | undefined): Sent => ({ abortSignal: signal as never });

/** The file system by id or Name tag, with its mount targets; undefined when EFS knows none. */
export async function findFileSystem(aws: RunServicesAws, ref: string, signal?: AbortSignal): Promise<FoundFileSystem | undefined> {
  const efs = await aws.efs();
  let described: FileSystemDescription | undefined;
  if (isId(ref)) {
    described = await efs
      .send(new DescribeFileSystemsCommand({ FileSystemId: ref }), opts(signal))
      .then((out) => out.FileSystems?.[0])
      .catch((err: { name?: string }) => {
        if (err.name === "FileSystemNotFound") return undefined;
        throw err;
      });
  } else {
    const named: FileSystemDescription[] = [];
    let marker: string | undefined;
    do {
      const page = await efs.send(new DescribeFileSystemsCommand(marker ? { Marker: marker } : {}), opts(signal));
      named.push(...(page.FileSystems ?? []).filter((f) => f.Name === ref));
      marker = page.NextMarker;
    } while (marker);
    if (named.length > 1) throw new Error(`${named.length} EFS file systems are named ${ref} (${named.map((f) => f.FileSystemId).join(", ")}); name one by its id`);
    described = named[0];
  }
  if (!described?.FileSystemId) return undefined;
  const mts = await efs.send(new DescribeMountTargetsCommand({ FileSystemId: described.FileSystemId }), opts(signal));
  const mountTargets = (mts.MountTargets ?? []).filter((t) => t.IpAddress).map((t) => ({ id: t.MountTargetId ?? "", ip: t.IpAddress!, az: t.AvailabilityZoneName, subnetId: t.SubnetId ?? "" }));
  return {
    id: described.FileSystemId,
    name: described.Name,
    throughputMode: described.ThroughputMode,
    provisionedMiBps: described.ProvisionedThroughputInMibps,
    ips: mountTargets.map((t) => t.ip),
    mountTargets,
  };
}

/** The file system an access point belongs to (Lambda's FileSystemConfigs name access points). */
export async function accessPointFileSystem(aws: RunServicesAws, accessPointArn: string, signal?: AbortSignal): Promise<string | undefined> {
  const efs = await aws.efs();
  const id = accessPointArn.slice(accessPointArn.lastIndexOf("/") + 1);
  return efs
    .send(new DescribeAccessPointsCommand({ AccessPointId: id }), opts(signal))
    .then((out) => out.AccessPoints?.[0]?.FileSystemId)
    .catch((err: { name?: string }) => {
      if (err.name === "AccessPointNotFound") return undefined;
      throw err;
    });
}

export function fileSystemArn(ref: string, region: string, accountId: string): string {
  if (ref.startsWith("arn:")) return ref;
  return `arn:aws:elasticfilesystem:${region}:${accountId}:file-system/${isId(ref) ? ref : "*"}`;
}

/** The runner's reads of the file system (by id: that one; by name: every one, since DescribeFileSystems lists them). */
export function efsReadPermissions(ref: string, region: string, accountId: string): Permission[] {
  return [
    { why: "find the file system and its mount targets", actions: ["elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeMountTargets"], resources: [fileSystemArn(ref, region, accountId)] },
  ];
}

export { fisGetActionPermission } from "./fis-offers.js";

/** A service's running tasks, as FIS's aws:ecs:task candidates, with where they run. */
export interface ServiceTask {
  arn: string;
  id: string;
  launchType: string | undefined;
  containerInstanceArn: string | undefined;
}

export async function runningServiceTasks(aws: RunServicesAws, cluster: string, service: string, signal?: AbortSignal): Promise<ServiceTask[]> {
  const ecs = await aws.ecs();
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: "RUNNING", ...(nextToken ? { nextToken } : {}) }), opts(signal));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const out: ServiceTask[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const d = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }), opts(signal));
    for (const t of d.tasks ?? []) if (t.taskArn && t.lastStatus === "RUNNING") out.push({ arn: t.taskArn, id: t.taskArn.slice(t.taskArn.lastIndexOf("/") + 1), launchType: t.launchType, containerInstanceArn: t.containerInstanceArn });
  }
  return out;
}

/** The target of an EFS fault on an ECS service's tasks. */
export const ecsClientFields = {
  cluster: z.string().min(1).optional().describe("ECS clients: the cluster of the service whose tasks use the file system").meta({ fis: { resourceType: "aws:ecs:task", field: "parameters.cluster" } }),
  service: z.string().min(1).optional().describe("ECS clients: the service whose tasks use the file system").meta({ fis: { resourceType: "aws:ecs:task", field: "parameters.service" } }),
  select: selectionMode.describe("ECS clients: ALL, COUNT(n) or PERCENT(n) of the service's running tasks (FIS acts on at most 5 per action)").meta({ fis: { resourceType: "aws:ecs:task", field: "selectionMode" } }),
};

/** Exactly one kind of client: a Lambda function, or an ECS service's tasks. */
export function oneClientKind(t: { function?: string | undefined; cluster?: string | undefined; service?: string | undefined }, ctx: z.RefinementCtx): void {
  const lambda = t.function !== undefined;
  const ecs = t.cluster !== undefined || t.service !== undefined;
  const issue = (path: string, expected: string, found: string) => ctx.addIssue({ code: "custom", path: [path], message: expected, params: { expected, found } });
  if (lambda && ecs) issue("cluster", "the clients: either function (Lambda) or cluster and service (ECS tasks), not both", `function ${JSON.stringify(t.function)} and cluster or service too`);
  else if (!lambda && !ecs) issue("function", "the clients: function (Lambda) or cluster and service (ECS tasks)", "neither");
  else if (ecs && (t.cluster === undefined || t.service === undefined)) issue(t.cluster === undefined ? "cluster" : "service", `both cluster and service for ECS clients`, "nothing");
}

/** The chosen tasks as a FIS aws:ecs:task target. */
export function taskTarget(t: { cluster?: string | undefined; service?: string | undefined; select: string }, chosen: readonly { arn: string }[] | undefined) {
  return chosen
    ? { resourceType: "aws:ecs:task", resourceArns: chosen.map((c) => c.arn), selectionMode: "ALL" }
    : { resourceType: "aws:ecs:task", parameters: { cluster: t.cluster ?? "", service: t.service ?? "" }, selectionMode: t.select };
}

/** FIS's ECS task network actions need the ECS agent's fault injection endpoints on Fargate (ecs-task-actions.html). */
export function ecsTaskActionPermissions(region: string, accountId: string, cluster: string): Permission[] {
  return [
    { why: "FIS reads the target tasks", actions: ["ecs:DescribeTasks"], resources: [`arn:aws:ecs:${region}:${accountId}:task/${cluster}/*`] },
    { why: "FIS runs the network fault through the task's SSM agent", actions: ["ssm:SendCommand", "ssm:ListCommands", "ssm:CancelCommand"], resources: ["*"] },
  ];
}

/** AWSFIS-Run-Network-Latency-Sources: FIS's SSM document that delays a host's egress traffic to given sources. */
export function latencyDocumentArn(region: string): string {
  return `arn:aws:ssm:${region}::document/AWSFIS-Run-Network-Latency-Sources`;
}

/** aws:ssm:send-command on EC2 instances (FIS actions reference: ssm:SendCommand, ListCommands, CancelCommand). */
export function sendCommandPermissions(region: string, accountId: string): Permission[] {
  return [
    { why: "FIS runs the SSM document on the hosts", actions: ["ssm:SendCommand"], resources: [`arn:aws:ec2:${region}:${accountId}:instance/*`, latencyDocumentArn(region)] },
    { why: "FIS follows and cancels the SSM command", actions: ["ssm:ListCommands", "ssm:CancelCommand"], resources: ["*"] },
  ];
}

/**
 * A Lambda client of the file system, read-only: the file system (undefined when EFS knows none,
 * and then nothing more is asked), the function's configuration (undefined when Lambda knows none)
 * and whether one of its EFS access points belongs to the file system.
 */
export async function lambdaClientOf(
  aws: RunServicesAws,
  fileSystem: string,
  functionName: string,
  signal?: AbortSignal,
): Promise<{ fs: FoundFileSystem | undefined; config?: FunctionConfiguration | undefined; mounts: boolean }> {
  const fs = await findFileSystem(aws, fileSystem, signal);
  if (!fs) return { fs, mounts: false };
  const lambda = await aws.lambda();
  const config = await lambda
    .send(new GetFunctionCommand({ FunctionName: functionName }), opts(signal))
    .then((out) => out.Configuration)
    .catch((err: { name?: string }) => {
      if (err.name === "ResourceNotFoundException") return undefined;
      throw err;
    });
  let mounts = false;
  for (const c of config?.FileSystemConfigs ?? []) if (c.Arn && (await accessPointFileSystem(aws, c.Arn, signal)) === fs.id) mounts = true;
  return { fs, config, mounts };
}
