/**
 * Undo of efs-throughput-starvation: the file system goes back to the provisioned rate it had (an
 * increase, which EFS allows at any time), unless it already has it. Idempotent, as `chaos
 * recover` may run it twice. A refusal (EFS's 24-hour limit, if someone changed the mode in
 * between) is reported with EFS's own message and the time it names.
 */
import { DescribeFileSystemsCommand, UpdateFileSystemCommand } from "../aws/sdk/efs.js";
import type { AwsClients } from "../aws/clients.js";

export async function restoreThroughput(aws: AwsClients, fileSystemId: string, throughputMode: string, provisionedMiBps: number | undefined): Promise<{ ok: boolean; detail: string }> {
  const efs = await aws.efs();
  const now = await efs.send(new DescribeFileSystemsCommand({ FileSystemId: fileSystemId })).then(
    (out) => out.FileSystems?.[0],
    (err: { name?: string }) => {
      if (err.name === "FileSystemNotFound") return undefined;
      throw err;
    },
  );
  if (!now) return { ok: true, detail: `file system ${fileSystemId} is gone: nothing to restore` };
  const rate = (mode: string | undefined, mibps: number | undefined) => (mode === "provisioned" ? `provisioned ${mibps} MiB/s` : (mode ?? "?"));
  if (now.ThroughputMode === throughputMode && (throughputMode !== "provisioned" || now.ProvisionedThroughputInMibps === provisionedMiBps)) {
    return { ok: true, detail: `file system ${fileSystemId} already has ${rate(throughputMode, provisionedMiBps)} throughput` };
  }
  try {
    await efs.send(new UpdateFileSystemCommand({ FileSystemId: fileSystemId, ThroughputMode: throughputMode as never, ...(throughputMode === "provisioned" ? { ProvisionedThroughputInMibps: provisionedMiBps } : {}) }));
  } catch (err) {
    if ((err as { name?: string }).name === "TooManyRequests") {
      return { ok: false, detail: `EFS refused to put ${fileSystemId} back to ${rate(throughputMode, provisionedMiBps)}: ${(err as Error).message}` };
    }
    throw err;
  }
  return { ok: true, detail: `file system ${fileSystemId} has ${rate(throughputMode, provisionedMiBps)} throughput again (it had ${rate(now.ThroughputMode, now.ProvisionedThroughputInMibps)})` };
}
