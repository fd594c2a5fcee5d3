/**
 * The `efs:` section of a stack file: file systems with their performance and throughput modes,
 * size (which sets the bursting baseline), starting burst credits and access points. Mount targets
 * come from the stack's subnets, one per AZ (EFS allows one per AZ).
 */
import { z } from "zod";
import { name } from "./common.js";

const accessPointSchema = z
  .object({
    name,
    path: z.string().regex(/^\/[^\0]*$/, { message: 'expected an absolute path such as "/roots/wp"' }),
    uid: z.number().int().min(0).default(1000),
    gid: z.number().int().min(0).default(1000),
  })
  .strict();

export const fileSystemSchema = z
  .object({
    name,
    /** The file system id, so experiments and probes can name it; a random one (from the run's seed) when absent. */
    id: z.string().regex(/^fs-[0-9a-f]{8,40}$/, { message: 'expected a file system id such as "fs-0123456789abcdef0"' }).optional(),
    performanceMode: z.enum(["generalPurpose", "maxIO"]).default("generalPurpose"),
    throughputMode: z.enum(["bursting", "elastic", "provisioned"]).default("bursting"),
    provisionedThroughputMiBps: z.number().min(1).max(10_240).optional(),
    sizeGiB: z.number().positive(),
    oneZone: z.boolean().default(false),
    /** Burst credits at start in GiB; a new file system has 2.1 TiB (2150.4 GiB). */
    burstCreditsGiB: z.number().min(0).optional(),
    accessPoints: z.array(accessPointSchema).default([]),
  })
  .strict()
  .superRefine((fs, ctx) => {
    if (fs.throughputMode === "provisioned" && fs.provisionedThroughputMiBps === undefined) {
      ctx.addIssue({ code: "custom", path: ["provisionedThroughputMiBps"], message: "expected provisionedThroughputMiBps for throughputMode provisioned, found none" });
    }
    if (fs.throughputMode !== "provisioned" && fs.provisionedThroughputMiBps !== undefined) {
      ctx.addIssue({ code: "custom", path: ["provisionedThroughputMiBps"], message: `expected no provisionedThroughputMiBps for throughputMode ${fs.throughputMode}, found ${fs.provisionedThroughputMiBps}` });
    }
    if (fs.throughputMode !== "bursting" && fs.burstCreditsGiB !== undefined) {
      ctx.addIssue({ code: "custom", path: ["burstCreditsGiB"], message: `expected burstCreditsGiB only for throughputMode bursting, found it with ${fs.throughputMode}` });
    }
  });

export const efsSchema = z.object({ fileSystems: z.array(fileSystemSchema).min(1) }).strict();

export type EfsConfig = z.infer<typeof efsSchema>;
