/**
 * efs-health: an EFS file system as CloudWatch shows it (AWS/EFS by FileSystemId), so it runs alike
 * on AWS, a served sandbox and the embedded one: burst credits now and their low point, the
 * permitted throughput, how close I/O came to the mode's IOPS limit, client connections, and the
 * operations and bytes from the minute before the probe's first reading (whole minutes). EFS publishes no latency:
 * judge that where clients report it (AWS/Lambda Duration, http-slo).
 */
import { z } from "zod";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { EFS_METRICS_PERMISSIONS, readEfs } from "../src/aws/efs-metrics.js";

const MINUTE = 60_000;

const params = z
  .object({
    fileSystemId: z.string().regex(/^fs-[0-9a-f]{8,40}$/, { message: 'expected a file system id such as "fs-0123456789abcdef0"' }).describe("The EFS file system (FileSystemId)"),
  })
  .strict();

type Params = z.infer<typeof params>;

export default defineProbe<Params>({
  name: "efs-health",
  description: "Burst credits, permitted throughput, IOPS headroom, connections and I/O of an EFS file system, from AWS/EFS",
  params,
  permissions: () => EFS_METRICS_PERMISSIONS,
  defaultTolerance: { maxPercentIOLimit: "<= 90" },
  output: {
    fields: {
      burstCreditBalance: { unit: "bytes", nullable: true, description: "Burst credits now (BurstCreditBalance, newest minute; bursting file systems only)" },
      minBurstCreditBalance: { unit: "bytes", nullable: true, description: "The lowest burst credit balance since the first reading" },
      permittedThroughput: { unit: "number", nullable: true, min: 0, description: "Bytes per second the file system may drive now (PermittedThroughput)" },
      maxPercentIOLimit: { unit: "number", min: 0, max: 100, description: "The closest I/O came to the General Purpose IOPS limit, in percent (PercentIOLimit, Maximum)" },
      clientConnections: { unit: "count", description: "NFS client connections in the newest minute (ClientConnections)" },
      operations: { unit: "count", description: "File operations since the first reading (TotalIOBytes SampleCount)" },
      totalIOBytes: { unit: "bytes", description: "Bytes of all operations since the first reading (TotalIOBytes)" },
      meteredIOBytes: { unit: "bytes", description: "Metered bytes since the first reading, reads at a third (MeteredIOBytes)" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    // From the minute before the first reading: EFS publishes a minute when it ends, so a one-shot
    // reading (a steady-state check) still sees the newest whole minute.
    const since = (ctx.state.efsSince ??= Math.floor(ctx.clock.now() / MINUTE) * MINUTE - MINUTE) as number;
    const reading = await readEfs(await ctx.aws.cloudwatch(), ctx.params.fileSystemId, since, ctx.clock.now(), ctx.signal);
    return { value: { ...reading } };
  },
});
