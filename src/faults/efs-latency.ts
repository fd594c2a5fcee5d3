/**
 * efs-latency: EFS slows down for its clients. FIS has no EFS action (aws-semantics.md 2.1), so
 * the fault acts on the NFS path of the clients named in the target.
 *
 * Target:
 *   fileSystem  the file system, by id (fs-0123456789abcdef0) or Name tag; resolved read-only to
 *               its mount targets' IPs (EFS DescribeFileSystems, DescribeMountTargets)
 *   function    Lambda clients: the function (name or ARN) that mounts it (Lambda GetFunction,
 *               EFS DescribeAccessPoints check that it does)
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
 */
import { z } from "zod";
import { GetFunctionCommand } from "../aws/sdk/lambda.js";
import { GAMEDAY_NFS_LATENCY } from "../fis/catalog.js";
import { defineFault, type CompileInput, type FisFragment, type Resolution, type ResolveInput } from "./types.js";
import { actionStatus, FIS_MAX_MS, isoDuration, isoToMs } from "./common.js";
import { functionArn } from "./lambda-invocation.js";
import { accessPointFileSystem, efsReadPermissions, fileSystemField, findFileSystem, fisGetActionPermission, fisOffers } from "./efs-common.js";

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
    function: z.string().min(1).describe("Lambda clients: the function (name or ARN) that mounts the file system").meta({ fis: { resourceType: "aws:lambda:function", field: "resourceArns" } }),
  })
  .strict();

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

/** What resolve learned and compile needs. */
interface Resolved {
  fileSystemId: string;
  ips: string[];
  nfsLatencyOffered: boolean;
}

const ACTION_NAME = "latency";

export function noLambdaNfsAction(t: Target, p: Params): string {
  return (
    `no FIS action reaches NFS from Lambda (FIS has no EFS action, and its Lambda actions act on whole invocations; this FIS answered ResourceNotFoundException for ${GAMEDAY_NFS_LATENCY}, gameday's sandbox-only action). ` +
    `The closest real alternative is the lambda-delay fault (aws:lambda:invocation-add-delay): \`fault: lambda-delay, target: { function: ${t.function} }, with: { startupDelayMilliseconds: <${p.delayMilliseconds} ms x the NFS operations one request makes> }\`, which delays whole invocations rather than each file operation`
  );
}

async function resolve({ params: p, target: t, aws, signal }: ResolveInput<Params, Target>): Promise<Resolution> {
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
  const candidates = config?.FunctionArn && mounts ? [{ arn: config.FunctionArn, id: t.function }] : [];
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

function compile({ params: p, target: t, region, accountId, resolved }: CompileInput<Params, Target>): FisFragment {
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
  description: "Slow EFS down for its clients: NFS latency on a Lambda function's file operations (the sandbox's FIS; on AWS no FIS action reaches NFS from Lambda, and the plan names lambda-delay instead)",
  params,
  target,
  resolve,
  compile,
  permissions: {
    // gameday's own action exists only in the sandbox, which models no IAM; on AWS the run stops before FIS.
    fis: () => [],
    runner: ({ target: t, region, accountId }) => [
      ...efsReadPermissions(t.fileSystem, region, accountId),
      { why: "check that the function mounts the file system", actions: ["lambda:GetFunction"], resources: [functionArn(t.function, region, accountId)] },
      { why: "find the file system of the function's access point", actions: ["elasticfilesystem:DescribeAccessPoints"], resources: [`arn:aws:elasticfilesystem:${region}:${accountId}:access-point/*`] },
      fisGetActionPermission(region, accountId),
    ],
  },
  expectedDurationMs: (p) => isoToMs(p.duration),
  async verify(ctx) {
    const status = await actionStatus(ctx, ctx.fault.experimentId!, ACTION_NAME, ctx.signal);
    const landed = status.status === "running" || status.status === "completed";
    return { landed, detail: landed ? `FIS reports the NFS latency action ${status.status}; its effect shows in AWS/Lambda Duration` : `FIS action ${status.status}: ${status.reason ?? "no reason"}` };
  },
});
