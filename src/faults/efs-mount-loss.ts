/**
 * efs-mount-loss: the clients lose their mount targets (NFS, TCP 2049). FIS has no EFS action
 * (aws-semantics.md 2.1), so the fault cuts the clients' NFS path:
 *
 * - ECS tasks (`target: { fileSystem, cluster, service, select }`): FIS
 *   aws:ecs:task-network-blackhole-port, port 2049, tcp, egress, on the chosen tasks
 *   (useEcsFaultInjectionEndpoints=true on Fargate, where FIS requires it). On ECS on EC2 the
 *   agent mounts a task's EFS volume on the host, outside the task's network namespace (reference
 *   2.1 asks to verify which one carries NFS), so the plan says the blackhole reaches only NFS the
 *   task's own namespace carries.
 * - Lambda (`target: { fileSystem, function }`): FIS aws:network:disrupt-connectivity with
 *   scope prefix-list on the function's subnets, with a customer-managed prefix list of the mount
 *   targets' IPs (`with: { prefixListIdentifier }`). It swaps in a network ACL, and a network ACL
 *   does not filter traffic between addresses of one subnet: when a mount target sits in one of the
 *   function's subnets (the usual layout, and the sandbox's), FIS cannot cut it, and the plan says
 *   so (exit 4 on run) with the closest real alternative, lambda-error (aws:lambda:invocation-error).
 *   It also cuts every other resource in those subnets off from those IPs.
 *
 * Parameters: duration (default PT5M), prefixListIdentifier (Lambda only). Reverted by stopping the
 * FIS experiment. The sandbox's mount targets then fail cold starts with
 * EFSMountConnectivityException and warm environments' I/O with EFSIOException.
 */
import { z } from "zod";
import { GetFunctionCommand } from "../aws/sdk/lambda.js";
import { defineFault, type CompileInput, type FisFragment, type Resolution, type ResolveInput } from "./types.js";
import { actionStatus, FIS_MAX_MS, isoDuration, isoToMs, selectedCount } from "./common.js";
import { functionArn } from "./lambda-invocation.js";
import { disruptConnectivityPermissions } from "../iam/fis-actions.js";
import { accessPointFileSystem, ecsClientFields, ecsTaskActionPermissions, efsReadPermissions, fileSystemField, findFileSystem, NFS_PORT, oneClientKind, runningServiceTasks, taskTarget } from "./efs-common.js";

const BLACKHOLE = "aws:ecs:task-network-blackhole-port";
const DISRUPT = "aws:network:disrupt-connectivity";

const params = z
  .object({
    duration: isoDuration({ minMs: 60_000, maxMs: FIS_MAX_MS, expected: "a duration from PT1M to PT12H" }).default("PT5M").describe("How long the mount targets are unreachable").meta({ fis: [{ action: BLACKHOLE, parameter: "duration" }] }),
    prefixListIdentifier: z
      .string()
      .regex(/^pl-[0-9a-f]+$/, { message: "expected a prefix list id such as pl-0123456789abcdef0" })
      .optional()
      .describe("Lambda clients: a customer-managed prefix list holding the mount targets' IPs (/32 each); aws:network:disrupt-connectivity's prefixListIdentifier once the plan finds a network ACL can cut the path"),
  })
  .strict();

const target = z
  .object({
    fileSystem: fileSystemField,
    function: z.string().min(1).optional().describe("Lambda clients: the function (name or ARN) that mounts the file system; resolved to its subnets, aws:network:disrupt-connectivity's target"),
    ...ecsClientFields,
  })
  .strict()
  .superRefine(oneClientKind);

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

interface Resolved {
  fileSystemId: string;
  ips: string[];
  /** ECS: every candidate task runs on Fargate. */
  fargate?: boolean;
  /** Lambda: the function's subnets. */
  subnets?: string[];
  /** Lambda: why FIS cannot cut the path here (the plan shows it; no template). */
  unavailable?: string;
}

const ACTION_NAME = "mountLoss";
const LAMBDA_ALTERNATIVE = "The closest real alternative is the lambda-error fault (aws:lambda:invocation-error), which fails invocations the way a lost mount fails them (without the cold-start EFSMountConnectivityException)";

async function resolveLambda({ params: p, target: t, aws, signal }: ResolveInput<Params, Target>): Promise<Resolution> {
  const fs = await findFileSystem(aws, t.fileSystem, signal);
  const lookedFor = `Lambda function ${t.function} mounting EFS ${t.fileSystem}`;
  if (!fs) return { lookedFor: `${lookedFor} (EFS knows no file system ${t.fileSystem})`, candidates: [], hits: 1, picks: false };
  const lambda = await aws.lambda();
  const config = await lambda
    .send(new GetFunctionCommand({ FunctionName: t.function }), { abortSignal: signal as never })
    .then((out) => out.Configuration)
    .catch((err: { name?: string }) => {
      if (err.name === "ResourceNotFoundException") return undefined;
      throw err;
    });
  let mounts = false;
  for (const c of config?.FileSystemConfigs ?? []) if (c.Arn && (await accessPointFileSystem(aws, c.Arn, signal)) === fs.id) mounts = true;
  const subnets = config?.VpcConfig?.SubnetIds ?? [];
  const shared = fs.mountTargets.filter((m) => subnets.includes(m.subnetId));
  let unavailable: string | undefined;
  if (subnets.length === 0) unavailable = `Lambda reports no VpcConfig subnets for ${t.function}, so there is no subnet for aws:network:disrupt-connectivity to act on. ${LAMBDA_ALTERNATIVE}`;
  else if (shared.length > 0) {
    unavailable =
      `aws:network:disrupt-connectivity cannot cut ${t.function} off from ${fs.id}: its mount target${shared.length > 1 ? "s" : ""} ${shared.map((m) => `${m.ip} (${m.subnetId})`).join(", ")} sit${shared.length > 1 ? "" : "s"} in the function's own subnets, ` +
      `and the network ACL FIS swaps in does not filter traffic within a subnet. ${LAMBDA_ALTERNATIVE}`;
  } else if (!p.prefixListIdentifier) {
    unavailable = `aws:network:disrupt-connectivity needs a customer-managed prefix list of the mount targets' IPs (${fs.ips.map((ip) => `${ip}/32`).join(", ")}): create one and give its id as with.prefixListIdentifier`;
  }
  const resolved: Resolved = { fileSystemId: fs.id, ips: fs.ips, subnets, ...(unavailable ? { unavailable } : {}) };
  return {
    lookedFor: `${lookedFor} (${fs.id}, mount targets ${fs.mountTargets.map((m) => `${m.ip} in ${m.subnetId}`).join(", ")}; function subnets ${subnets.join(", ") || "none"})`,
    candidates: config?.FunctionArn && mounts ? [{ arn: config.FunctionArn, id: t.function! }] : [],
    hits: 1,
    picks: false,
    compileWith: { ...resolved },
    ...(unavailable ? { unavailable } : {}),
  };
}

async function resolveTasks({ target: t, aws, signal }: ResolveInput<Params, Target>): Promise<Resolution> {
  const fs = await findFileSystem(aws, t.fileSystem, signal);
  const lookedFor = `running tasks of service ${t.service} in cluster ${t.cluster}`;
  if (!fs) return { lookedFor: `${lookedFor} (EFS knows no file system ${t.fileSystem})`, candidates: [], hits: 1, picks: true };
  const tasks = await runningServiceTasks(aws, t.cluster!, t.service!, signal);
  const resolved: Resolved = { fileSystemId: fs.id, ips: fs.ips, fargate: tasks.length > 0 && tasks.every((x) => x.launchType === "FARGATE") };
  return {
    lookedFor: `${lookedFor}, clients of EFS ${fs.id} (mount targets ${fs.ips.join(", ")})`,
    candidates: tasks.map(({ arn, id }) => ({ arn, id })),
    hits: selectedCount(t.select, tasks.length),
    picks: true,
    maxArns: 5,
    compileWith: { ...resolved },
  };
}

function compile({ params: p, target: t, region, accountId, chosen, resolved }: CompileInput<Params, Target>): FisFragment {
  const r = resolved as Resolved | undefined;
  const fsName = r?.fileSystemId ?? t.fileSystem;
  if (t.function !== undefined) {
    const what = `cut ${t.function} off from EFS ${fsName} (NFS ${NFS_PORT}) for ${p.duration}`;
    if (r?.unavailable) return { description: `efs-mount-loss ${what}: ${r.unavailable}`, targets: {}, actions: {} };
    if (!r?.subnets?.length || !p.prefixListIdentifier) return { description: `efs-mount-loss ${what}: no FIS template until the function's subnets and a prefix list of the mount targets are known (chaos plan says which)`, targets: {}, actions: {} };
    return {
      description: `efs-mount-loss ${what}: network ACLs on the function's subnets deny the prefix list ${p.prefixListIdentifier} (every resource in those subnets loses those IPs)`,
      targets: { subnets: { resourceType: "aws:ec2:subnet", resourceArns: r.subnets.map((s) => `arn:aws:ec2:${region}:${accountId}:subnet/${s}`), selectionMode: "ALL" } },
      actions: { [ACTION_NAME]: { actionId: DISRUPT, parameters: { duration: p.duration, scope: "prefix-list", prefixListIdentifier: p.prefixListIdentifier }, targets: { Subnets: "subnets" } } },
    };
  }
  const ec2Note = r?.fargate === false ? "; on ECS on EC2 the agent mounts EFS volumes on the host, outside the task's network namespace, so this reaches only NFS the task's own namespace carries" : "";
  return {
    description: `efs-mount-loss: drop egress TCP ${NFS_PORT} (NFS to EFS ${fsName}) of ${chosen ? chosen.map((c) => c.id).join(", ") : `${t.select} task(s)`} of service ${t.service} for ${p.duration}${ec2Note}`,
    targets: { tasks: taskTarget(t, chosen) },
    actions: {
      [ACTION_NAME]: {
        actionId: BLACKHOLE,
        parameters: { duration: p.duration, port: String(NFS_PORT), protocol: "tcp", trafficType: "egress", ...(r?.fargate ? { useEcsFaultInjectionEndpoints: "true" } : {}) },
        targets: { Tasks: "tasks" },
      },
    },
  };
}

export default defineFault<Params, Target>({
  name: "efs-mount-loss",
  description: "Cut an EFS file system's clients off from its mount targets (NFS, TCP 2049): ECS tasks through aws:ecs:task-network-blackhole-port; Lambda through aws:network:disrupt-connectivity with a prefix list, where a network ACL can cut it",
  params,
  target,
  resolve: (input) => (input.target.function !== undefined ? resolveLambda(input) : resolveTasks(input)),
  compile,
  permissions: {
    // Lambda: FIS acts only with a prefix list (and only where a network ACL can cut the path).
    fis: ({ params: p, target: t, region, accountId }) =>
      t.function !== undefined
        ? p.prefixListIdentifier
          ? disruptConnectivityPermissions({ region, accountId, subnetArns: [`arn:aws:ec2:${region}:${accountId}:subnet/*`] })
          : []
        : ecsTaskActionPermissions(region, accountId, t.cluster ?? "*"),
    runner: ({ target: t, region, accountId }) => [
      ...efsReadPermissions(t.fileSystem, region, accountId),
      ...(t.function !== undefined
        ? [
            { why: "read the function's subnets and file system", actions: ["lambda:GetFunction"], resources: [functionArn(t.function, region, accountId)] },
            { why: "find the file system of the function's access point", actions: ["elasticfilesystem:DescribeAccessPoints"], resources: [`arn:aws:elasticfilesystem:${region}:${accountId}:access-point/*`] },
          ]
        : [{ why: "find the service's running tasks", actions: ["ecs:ListTasks", "ecs:DescribeTasks"], resources: ["*"], conditions: { ArnEquals: { "ecs:cluster": `arn:aws:ecs:${region}:${accountId}:cluster/${t.cluster}` } } }]),
    ],
  },
  expectedDurationMs: (p) => isoToMs(p.duration),
  async verify(ctx) {
    const status = await actionStatus(ctx, ctx.fault.experimentId!, ACTION_NAME, ctx.signal);
    const landed = status.status === "running" || status.status === "completed";
    return { landed, detail: landed ? `FIS reports the mount-loss action ${status.status}` : `FIS action ${status.status}: ${status.reason ?? "no reason"}` };
  },
});
