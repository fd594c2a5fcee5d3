/**
 * efs-throughput-starvation: the file system gets too little throughput, as when burst credits run
 * out (aws-semantics.md 5). FIS has no EFS action, so this fault compiles to no FIS action: gameday
 * calls EFS UpdateFileSystem itself (direct-runner.ts) to set provisioned throughput to a low
 * `throughputMiBps`, after its undo (the old provisioned rate) is in the ledger. It lasts until the
 * run's rollbacks.
 *
 * EFS allows one throughput mode change or provisioned decrease per 24 hours (TooManyRequests);
 * an increase is allowed at any time. So the fault runs only on a file system that is already in
 * Provisioned mode above the starved rate: lowering it is the day's one decrease, and the undo
 * raises it back. On a Bursting or Elastic file system, switching to Provisioned would be the
 * day's one mode change and switching back would be refused for 24 hours: `chaos plan` says so
 * and `chaos run` refuses before any change (exit 4).
 *
 * Target: { fileSystem: id or Name tag }. Parameters: throughputMiBps (default 1, at least 1).
 */
import { z } from "zod";
import { UpdateFileSystemCommand, DescribeFileSystemsCommand } from "../aws/sdk/efs.js";
import { defineFault, startEffect, type Resolution, type ResolveInput } from "./types.js";
import { efsReadPermissions, fileSystemArn, fileSystemField, findFileSystem } from "./efs-common.js";

export const NO_FIS_ACTION = "FIS has no EFS throughput action: this fault compiles to no FIS action; gameday calls EFS UpdateFileSystem itself";

const params = z
  .object({
    throughputMiBps: z.number().min(1).max(3414).default(1).describe("The provisioned throughput to starve the file system to, in MiB/s (EFS's minimum is 1)"),
  })
  .strict();

const target = z.object({ fileSystem: fileSystemField }).strict();

type Params = z.infer<typeof params>;
type Target = z.infer<typeof target>;

/** Why the undo would be blocked, or the starved rate would change nothing; undefined when the fault can run. */
export function starvationProblem(mode: string | undefined, provisionedMiBps: number | undefined, p: Params, fs: string): string | undefined {
  if (mode !== "provisioned") {
    return (
      `EFS allows one throughput mode change per 24 hours: switching ${fs} from ${mode ?? "its"} mode to provisioned ${p.throughputMiBps} MiB/s is that change, ` +
      `so switching it back would be refused (TooManyRequests) for 24 hours and the file system would stay starved for a day. ` +
      `Run this fault on a file system in Provisioned mode (lowering its rate is undone by raising it, which EFS allows at any time), ` +
      `or reproduce exhausted burst credits another way (the sandbox's stack: burstCreditsGiB: 0)`
    );
  }
  if (provisionedMiBps !== undefined && provisionedMiBps <= p.throughputMiBps) {
    return `${fs} already provisions ${provisionedMiBps} MiB/s, no more than throughputMiBps ${p.throughputMiBps}: there is nothing to lower`;
  }
  return undefined;
}

async function resolve({ params: p, target: t, aws, signal, region, accountId }: ResolveInput<Params, Target>): Promise<Resolution> {
  const fs = await findFileSystem(aws, t.fileSystem, signal);
  if (!fs) return { lookedFor: `EFS file system ${t.fileSystem}`, candidates: [], hits: 1, picks: false };
  const mode = fs.throughputMode === "provisioned" ? `provisioned ${fs.provisionedMiBps} MiB/s` : (fs.throughputMode ?? "?");
  const problem = starvationProblem(fs.throughputMode, fs.provisionedMiBps, p, fs.id);
  return {
    lookedFor: `EFS file system ${t.fileSystem} (${fs.id}, ${mode})`,
    candidates: [{ arn: fileSystemArn(fs.id, region, accountId), id: fs.id }],
    hits: 1,
    picks: false,
    ...(problem ? { unavailable: problem } : {}),
  };
}

export default defineFault<Params, Target>({
  name: "efs-throughput-starvation",
  description: `Starve an EFS file system of throughput: provisioned at a low MiB/s until the run's rollbacks. ${NO_FIS_ACTION}`,
  params,
  target,
  resolve,
  compile({ params: p, target: t }) {
    return { description: `set EFS ${t.fileSystem} to provisioned ${p.throughputMiBps} MiB/s until the rollbacks (${NO_FIS_ACTION})`, targets: {}, actions: {} };
  },
  permissions: {
    // No FIS action, so nothing for the FIS role; gameday itself reads and updates the file system.
    fis: () => [],
    runner: ({ target: t, region, accountId }) => [
      ...efsReadPermissions(t.fileSystem, region, accountId),
      { why: "starve the file system and, in its undo, give its throughput back", actions: ["elasticfilesystem:UpdateFileSystem"], resources: [fileSystemArn(t.fileSystem, region, accountId)] },
    ],
  },
  expectedDurationMs: () => 0,
  async prepareUndo(ctx) {
    const fs = await findFileSystem(ctx.aws, ctx.target.fileSystem, ctx.signal);
    if (!fs) throw new Error(`EFS file system ${ctx.target.fileSystem} not found`);
    // Checked again here: the plan may be old, and an undo EFS would refuse must never be written.
    const problem = starvationProblem(fs.throughputMode, fs.provisionedMiBps, ctx.params, fs.id);
    if (problem) throw new Error(problem);
    return [
      {
        description: `put EFS ${fs.id} back to provisioned ${fs.provisionedMiBps} MiB/s`,
        undo: { type: "efs-restore-throughput", fileSystemId: fs.id, throughputMode: "provisioned", ...(fs.provisionedMiBps !== undefined ? { provisionedMiBps: fs.provisionedMiBps } : {}) },
      },
    ];
  },
  async inject(ctx) {
    const efs = await ctx.aws.efs();
    const fs = await findFileSystem(ctx.aws, ctx.target.fileSystem, ctx.signal);
    if (!fs) throw new Error(`EFS file system ${ctx.target.fileSystem} not found`);
    const out = await efs.send(new UpdateFileSystemCommand({ FileSystemId: fs.id, ThroughputMode: "provisioned", ProvisionedThroughputInMibps: ctx.params.throughputMiBps }), { abortSignal: ctx.signal as never });
    return {
      targets: [{ targetName: "fileSystem", resourceType: "aws:elasticfilesystem:file-system", arn: out.FileSystemArn ?? fs.id, info: { fileSystemId: fs.id } }],
      effect: { fileSystemId: fs.id, before: fs.provisionedMiBps, after: out.ProvisionedThroughputInMibps },
    };
  },
  // EFS answered the update; landed when DescribeFileSystems shows the starved rate.
  async verify(ctx) {
    const effect = startEffect(ctx.fault) as { fileSystemId?: string; before?: number; after?: number } | undefined;
    if (!effect?.fileSystemId) return { landed: false, detail: "UpdateFileSystem returned no file system" };
    const efs = await ctx.aws.efs();
    const out = await efs.send(new DescribeFileSystemsCommand({ FileSystemId: effect.fileSystemId }), { abortSignal: ctx.signal as never });
    const now = out.FileSystems?.[0];
    const landed = now?.ThroughputMode === "provisioned" && now.ProvisionedThroughputInMibps === ctx.params.throughputMiBps;
    return {
      landed,
      detail: landed
        ? `${effect.fileSystemId}: provisioned ${effect.before} -> ${ctx.params.throughputMiBps} MiB/s (EFS DescribeFileSystems); PermittedThroughput in AWS/EFS follows`
        : `${effect.fileSystemId} shows ${now?.ThroughputMode ?? "?"} ${now?.ProvisionedThroughputInMibps ?? ""} MiB/s, not provisioned ${ctx.params.throughputMiBps} MiB/s`,
      evidence: { fileSystemId: effect.fileSystemId, beforeMiBps: effect.before, afterMiBps: ctx.params.throughputMiBps },
    };
  },
});
