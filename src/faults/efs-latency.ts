/**
 * efs-latency: EFS slows down for its clients. FIS has no EFS action (aws-semantics.md 2.1), so
 * the fault acts on the NFS path of the clients named in the target.
 *
 * Target:
 *   fileSystem  the file system, by id (fs-0123456789abcdef0) or Name tag; resolved read-only to
 *               its mount targets' IPs (EFS DescribeFileSystems, DescribeMountTargets)
 *   function    Lambda clients: the function (name or ARN) that mounts it (Lambda GetFunction,
 *               EFS DescribeAccessPoints check that it does)
 *   or cluster, service, select (default COUNT(1)): ECS clients, the service's running tasks
 * Parameters (`with:`):
 *   delayMilliseconds   added to every NFS operation (default 50; 0 to 60,000)
 *   jitterMilliseconds  up to this much more, at random (default 10; 0 to 60,000)
 *   duration            how long, ISO 8601 (default PT5M; PT1S to PT12H)
 *
 * Lambda clients: no FIS action reaches NFS from Lambda. The fault asks the target's FIS for
 * gameday's sandbox-only action gameday:efs:nfs-latency (FIS GetAction); the sandbox's FIS offers
 * it and applies the delay to each NFS operation of the function's execution environments (mounts
 * included), which is what EFS latency does to a PHP request that opens and stats hundreds of
 * files. Real FIS answers ResourceNotFoundException: then `chaos plan` says so and names the
 * closest real alternative, lambda-delay (aws:lambda:invocation-add-delay), and `chaos run` stops
 * with exit 4 before anything changes. Reverted by stopping the FIS experiment.
 *
 * ECS clients: on Fargate, FIS aws:ecs:task-network-latency on the chosen tasks with `sources` =
 * the mount targets' IPs and useEcsFaultInjectionEndpoints=true (FIS requires it there). On ECS on
 * EC2 the agent mounts a task's EFS volume on the host, outside the task's network namespace, so
 * the latency goes on the hosts of the chosen tasks: aws:ssm:send-command with FIS's document
 * AWSFIS-Run-Network-Latency-Sources (every task on those hosts then sees it). The sandbox's tasks
 * do no NFS I/O yet: its FIS keeps the books of both actions.
 */
import { z } from "zod";
import { GetFunctionCommand } from "../aws/sdk/lambda.js";
import { GAMEDAY_NFS_LATENCY } from "../fis/catalog.js";
import { defineFault, type CompileInput, type FisFragment, type Resolution, type ResolveInput } from "./types.js";
import { actionStatus, FIS_MAX_MS, isoDuration, isoToMs } from "./common.js";
import { functionArn } from "./lambda-invocation.js";
import {
  accessPointFileSystem,
  ecsClientFields,
  ecsTaskActionPermissions,
  efsReadPermissions,
  fileSystemField,
  findFileSystem,
  fisGetActionPermission,
  fisOffers,
  latencyDocumentArn,
  oneClientKind,
  runningServiceTasks,
  sendCommandPermissions,
  taskTarget,
} from "./efs-common.js";
import { ec2Ids } from "./cluster-instances.js";
import { selectedCount } from "./common.js";

const params = z
  .object({
    delayMilliseconds: z.number().int().min(0).max(60_000).default(50).describe("Delay added to each NFS operation, in ms").meta({ fis: { action: GAMEDAY_NFS_LATENCY, parameter: "delayMilliseconds" } }),
    jitterMilliseconds: z.number().int().min(0).max(60_000).default(10).describe("Up to this much more per operation, at random, in ms").meta({ fis: { action: GAMEDAY_NFS_LATENCY, parameter: "jitterMilliseconds" } }),
    duration: isoDuration({ minMs: 1_000, maxMs: FIS_MAX_MS, expected: "a duration up to PT12H" }).default("PT5M").describe("How long NFS is slow").meta({ fis: { action: GAMEDAY_NFS_LATENCY, parameter: "duration" } }),
  })
  .strict();

const target = z
  .object({
    fileSystem: fileSystemField.meta({ fis: { action: GAMEDAY_NFS_LATENCY, parameter: "fileSystemId" } }),
    function: z.string().min(1).optional().describe("Lambda clients: the function (name or ARN) that mounts the file system").meta({ fis: { resourceType: "aws:lambda:function", field: "resourceArns" } }),
    ...ecsClientFields,
  })
  .strict()
  .superRefine(oneClientKind);

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

/** What resolve learned and compile needs. */
interface Resolved {
  fileSystemId: string;
  ips: string[];
  /** Lambda: whether the target's FIS offers gameday's NFS latency action. */
  nfsLatencyOffered?: boolean;
  /** ECS: every candidate task runs on Fargate. */
  fargate?: boolean;
  /** ECS on EC2: the EC2 instance each candidate task runs on. */
  hostOf?: Record<string, string>;
}

const ACTION_NAME = "latency";

export function noLambdaNfsAction(t: Target, p: Params): string {
  return (
    `no FIS action reaches NFS from Lambda (FIS has no EFS action, and its Lambda actions act on whole invocations; this FIS answered ResourceNotFoundException for ${GAMEDAY_NFS_LATENCY}, gameday's sandbox-only action). ` +
    `The closest real alternative is the lambda-delay fault (aws:lambda:invocation-add-delay): \`fault: lambda-delay, target: { function: ${t.function} }, with: { startupDelayMilliseconds: <${p.delayMilliseconds} ms x the NFS operations one request makes> }\`, which delays whole invocations rather than each file operation`
  );
}

async function resolveTasks({ target: t, aws, signal }: ResolveInput<Params, Target>): Promise<Resolution> {
  const fs = await findFileSystem(aws, t.fileSystem, signal);
  const lookedFor = `running tasks of service ${t.service} in cluster ${t.cluster}`;
  if (!fs) return { lookedFor: `${lookedFor} (EFS knows no file system ${t.fileSystem})`, candidates: [], hits: 1, picks: true };
  const tasks = await runningServiceTasks(aws, t.cluster!, t.service!, signal);
  const fargate = tasks.length > 0 && tasks.every((x) => x.launchType === "FARGATE");
  const resolved: Resolved = { fileSystemId: fs.id, ips: fs.ips, fargate };
  if (!fargate) {
    const instances = [...new Set(tasks.flatMap((x) => (x.containerInstanceArn ? [x.containerInstanceArn] : [])))];
    const ids = instances.length > 0 ? await ec2Ids(await aws.ecs(), t.cluster!, instances, signal) : new Map<string, string>();
    resolved.hostOf = Object.fromEntries(tasks.flatMap((x) => (x.containerInstanceArn && ids.get(x.containerInstanceArn) ? [[x.arn, ids.get(x.containerInstanceArn)!]] : [])));
  }
  return {
    lookedFor: `${lookedFor}, clients of EFS ${fs.id} (mount targets ${fs.ips.join(", ")})`,
    candidates: tasks.map(({ arn, id }) => ({ arn, id })),
    hits: selectedCount(t.select, tasks.length),
    picks: true,
    maxArns: 5,
    compileWith: { ...resolved },
  };
}

async function resolve(input: ResolveInput<Params, Target>): Promise<Resolution> {
  return input.target.function === undefined ? resolveTasks(input) : resolveLambda(input);
}

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
  const candidates = config?.FunctionArn && mounts ? [{ arn: config.FunctionArn, id: t.function! }] : [];
  const offered = await fisOffers(aws, GAMEDAY_NFS_LATENCY, signal);
  const resolved: Resolved = { fileSystemId: fs.id, ips: fs.ips, nfsLatencyOffered: offered };
  return {
    lookedFor: `${lookedFor} (${fs.id}, mount targets ${fs.ips.join(", ")})`,
    candidates,
    hits: 1,
    picks: false,
    compileWith: { ...resolved },
    ...(offered ? {} : { unavailable: noLambdaNfsAction(t, p) }),
  };
}

/** ECS clients: the task action on Fargate, the SSM document on the hosts of EC2 tasks. */
function compileTasks({ params: p, target: t, region, accountId, chosen, resolved }: CompileInput<Params, Target>): FisFragment {
  const r = resolved as Resolved | undefined;
  const fsName = r?.fileSystemId ?? t.fileSystem;
  const who = chosen ? chosen.map((c) => c.id).join(", ") : `${t.select} task(s)`;
  const sources = r?.ips.join(",") ?? "";
  if (r && !r.fargate && r.hostOf) {
    const hosts = [...new Set((chosen ?? []).flatMap((c) => (r.hostOf![c.arn] ? [r.hostOf![c.arn]!] : [])))];
    const seconds = Math.round(isoToMs(p.duration) / 1000);
    return {
      description: `efs-latency ${p.delayMilliseconds} ms (jitter ${p.jitterMilliseconds} ms) on NFS to EFS ${fsName} from the hosts ${hosts.join(", ")} of ${who} of service ${t.service} for ${p.duration}: on ECS on EC2 the agent mounts EFS on the host, so every task on those hosts sees it`,
      targets: { hosts: { resourceType: "aws:ec2:instance", resourceArns: hosts.map((h) => `arn:aws:ec2:${region}:${accountId}:instance/${h}`), selectionMode: "ALL" } },
      actions: {
        [ACTION_NAME]: {
          actionId: "aws:ssm:send-command",
          parameters: {
            documentArn: latencyDocumentArn(region),
            documentParameters: JSON.stringify({ DelayMilliseconds: String(p.delayMilliseconds), JitterMilliseconds: String(p.jitterMilliseconds), Sources: sources, DurationSeconds: String(seconds), InstallDependencies: "True" }),
            duration: p.duration,
          },
          targets: { Instances: "hosts" },
        },
      },
    };
  }
  return {
    description: `efs-latency ${p.delayMilliseconds} ms (jitter ${p.jitterMilliseconds} ms) on the network path of ${who} of service ${t.service} to EFS ${fsName}'s mount targets for ${p.duration}`,
    targets: { tasks: taskTarget(t, chosen) },
    actions: {
      [ACTION_NAME]: {
        actionId: "aws:ecs:task-network-latency",
        parameters: {
          duration: p.duration,
          delayMilliseconds: String(p.delayMilliseconds),
          jitterMilliseconds: String(p.jitterMilliseconds),
          // Without resolution (validate, export) the IPs are unknown: FIS's default ALL would delay every flow, so say so.
          sources: sources || "MOUNT_TARGET_IPS_RESOLVED_AT_RUN_TIME",
          useEcsFaultInjectionEndpoints: r?.fargate === false ? "false" : "true",
        },
        targets: { Tasks: "tasks" },
      },
    },
  };
}

function compile(input: CompileInput<Params, Target>): FisFragment {
  if (input.target.function === undefined) return compileTasks(input);
  const { params: p, region, accountId, resolved } = input;
  const t = input.target as Target & { function: string };
  const r = resolved as Resolved | undefined;
  const what = `${p.delayMilliseconds} ms (jitter ${p.jitterMilliseconds} ms) on every NFS operation of ${t.function} to EFS ${r?.fileSystemId ?? t.fileSystem} for ${p.duration}`;
  if (r && !r.nfsLatencyOffered) return { description: `efs-latency ${what}: ${noLambdaNfsAction(t, p)}`, targets: {}, actions: {} };
  return {
    description: `efs-latency ${what} (${GAMEDAY_NFS_LATENCY}: gameday's sandbox-only FIS action)`,
    targets: { functions: { resourceType: "aws:lambda:function", resourceArns: [functionArn(t.function, region, accountId)], selectionMode: "ALL" } },
    actions: {
      [ACTION_NAME]: {
        actionId: GAMEDAY_NFS_LATENCY,
        parameters: { duration: p.duration, fileSystemId: r?.fileSystemId ?? t.fileSystem, delayMilliseconds: String(p.delayMilliseconds), jitterMilliseconds: String(p.jitterMilliseconds) },
        targets: { Functions: "functions" },
      },
    },
  };
}

export default defineFault<Params, Target>({
  name: "efs-latency",
  description:
    "Slow EFS down for its clients: a Lambda function's NFS operations (gameday:efs:nfs-latency, the sandbox's FIS only; on AWS no FIS action reaches NFS from Lambda, and the plan names lambda-delay instead), or an ECS service's tasks (aws:ecs:task-network-latency to the mount targets on Fargate, aws:ssm:send-command with AWSFIS-Run-Network-Latency-Sources on EC2 hosts)",
  params,
  target,
  resolve,
  compile,
  permissions: {
    // gameday's own action exists only in the sandbox, which models no IAM; on AWS the run stops before FIS.
    // ECS: Fargate tasks get the task action, EC2 tasks' hosts the SSM document; which one is known only at run time.
    fis: ({ target: t, region, accountId }) => (t.function === undefined ? [...ecsTaskActionPermissions(region, accountId, t.cluster ?? "*"), ...sendCommandPermissions(region, accountId)] : []),
    runner: ({ target: t, region, accountId }) => [
      ...efsReadPermissions(t.fileSystem, region, accountId),
      ...(t.function !== undefined
        ? [
            { why: "check that the function mounts the file system", actions: ["lambda:GetFunction"], resources: [functionArn(t.function, region, accountId)] },
            { why: "find the file system of the function's access point", actions: ["elasticfilesystem:DescribeAccessPoints"], resources: [`arn:aws:elasticfilesystem:${region}:${accountId}:access-point/*`] },
            fisGetActionPermission(region, accountId),
          ]
        : [{ why: "find the service's running tasks and their hosts", actions: ["ecs:ListTasks", "ecs:DescribeTasks", "ecs:DescribeContainerInstances"], resources: ["*"], conditions: { ArnEquals: { "ecs:cluster": `arn:aws:ecs:${region}:${accountId}:cluster/${t.cluster}` } } }]),
    ],
  },
  expectedDurationMs: (p) => isoToMs(p.duration),
  async verify(ctx) {
    const status = await actionStatus(ctx, ctx.fault.experimentId!, ACTION_NAME, ctx.signal);
    const landed = status.status === "running" || status.status === "completed";
    return { landed, detail: landed ? `FIS reports the NFS latency action ${status.status}; its effect shows in AWS/Lambda Duration` : `FIS action ${status.status}: ${status.reason ?? "no reason"}` };
  },
});
