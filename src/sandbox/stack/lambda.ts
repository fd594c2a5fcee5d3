/**
 * The `lambdas:` section of a stack file: the account's concurrency limit and the functions, each
 * with memory, timeout, reserved concurrency, an optional EFS access point mount, and the model of
 * a request's work (file operations on EFS, CPU at one vCPU, database time; or the WordPress model).
 */
import { z } from "zod";
import { name } from "./common.js";
import { duration } from "./duration.js";
import { oneOf, strict } from "../../experiment/schema-kit.js";
import { wordpressWorkloadSchema, type WordpressWorkloadSpec } from "./wordpress.js";

/** Lambda's documented limits (gettingstarted-limits.html): 128–10,240 MB, at most 900 s, 1,000 concurrent executions per Region by default. */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10_240 } as const;
export const LAMBDA_MAX_TIMEOUT_MS = 900_000;
export const DEFAULT_ACCOUNT_CONCURRENCY = 1_000;

const count = z.number().int().min(0);

export const fileOpsWorkloadSchema = z
  .object({
    opens: count.default(0),
    stats: count.default(0),
    reads: count.default(0),
    readBytes: z.number().int().min(0).default(8_192),
    writes: count.default(0),
    writeBytes: z.number().int().min(0).default(8_192),
    /** CPU time at one full vCPU (1,769 MB); less memory gets proportionally less CPU. */
    cpu: duration.default(0),
    database: duration.default(0),
    // Never given: it makes this option fail outright (not just on an unknown key) when the
    // author meant `{ wordpress: ... }`, so that the union reports the WordPress option's problems.
    wordpress: z.undefined().optional(),
  })
  .strict();

/** A request's work: the file-operation counts above, or `{ wordpress: {...} }` (the PHP/WordPress model). */
const workloadSchema = oneOf(
  [fileOpsWorkloadSchema, strict({ wordpress: wordpressWorkloadSchema })],
  "a workload: file operations `{ opens, stats, reads, ... }` or `{ wordpress: { ... } }`",
  // The key `wordpress` says which is meant.
  (input) => (input !== null && typeof input === "object" && "wordpress" in input ? 1 : 0),
);

export const lambdaFunctionSchema = z
  .object({
    name,
    memoryMB: z.number().int().min(LAMBDA_MEMORY_MB.min).max(LAMBDA_MEMORY_MB.max).default(128),
    timeout: duration.default(3_000).refine((ms) => ms >= 1_000 && ms <= LAMBDA_MAX_TIMEOUT_MS, { message: "expected a timeout from 1 s to 900 s (PT15M)" }),
    reservedConcurrency: z.number().int().min(0).optional(),
    /** Runtime and function initialization of a cold start, before any EFS mount. */
    init: duration.default(250),
    /**
     * How long an idle execution environment is kept for reuse. AWS does not document it; the
     * default (10 minutes) is an assumption within what public measurements report.
     */
    idleTimeout: duration.default(600_000),
    /** Lambda Insights enabled (its extension layer): publishes LambdaInsights init_duration on cold starts. */
    insights: z.boolean().default(false),
    efs: z
      .object({
        fileSystem: name,
        accessPoint: name,
        mountPath: z.string().regex(/^\/mnt\/[a-zA-Z0-9-_.]+$/, { message: 'expected a LocalMountPath under /mnt/, such as "/mnt/root"' }),
      })
      .strict()
      .optional(),
    workload: workloadSchema.default({ opens: 0, stats: 0, reads: 0, readBytes: 8_192, writes: 0, writeBytes: 8_192, cpu: 0, database: 0 }),
  })
  .strict()
  .superRefine((f, ctx) => {
    // WordPress lives on the EFS mount (its document root): without one there is nothing to require.
    if (wordpressOf(f.workload) && !f.efs) ctx.addIssue({ code: "custom", path: ["workload", "wordpress"], message: "expected the function to mount EFS (efs: { fileSystem, accessPoint, mountPath }): WordPress's files live there" });
  });

export const lambdasSchema = z
  .object({
    accountConcurrency: z.number().int().min(1).default(DEFAULT_ACCOUNT_CONCURRENCY),
    functions: z.array(lambdaFunctionSchema).min(1),
  })
  .strict();

export type LambdasConfig = z.infer<typeof lambdasSchema>;
export type LambdaFunctionSpec = z.infer<typeof lambdaFunctionSchema>;
export type FileOpsWorkloadSpec = z.infer<typeof fileOpsWorkloadSchema>;
export type LambdaWorkloadSpec = z.infer<typeof workloadSchema>;

/** The WordPress model's settings, when the function's workload is `{ wordpress: {...} }`. */
export function wordpressOf(workload: LambdaWorkloadSpec): WordpressWorkloadSpec | undefined {
  return "opens" in workload ? undefined : workload.wordpress;
}
