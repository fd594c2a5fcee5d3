/**
 * What a sandboxed Lambda function does with a request: a model, not code. A workload runs on the
 * sandbox's clock through its context (sleep for CPU or a database call, `fs` for one operation on
 * the function's EFS mount), so that EFS latency, credits and faults shape its duration. The
 * built-in `fileOpsWorkload` is configured in the stack file; the WordPress model (wordpress.ts,
 * `workload: { wordpress: {...} }`) is another LambdaWorkload.
 */
import type { EfsOperation } from "../efs/performance.js";
import type { FileOpsWorkloadSpec } from "../../stack/lambda.js";

export interface LambdaContext {
  readonly functionName: string;
  readonly requestId: string;
  readonly event: unknown;
  readonly memoryMB: number;
  /** True on the first invocation of a new execution environment. */
  readonly coldStart: boolean;
  /** Survives across invocations of one execution environment (opcache, connections). */
  readonly environment: Map<string, unknown>;
  /** The sandbox's time, in epoch milliseconds. */
  now(): number;
  /** Waits `ms` of the sandbox's time; rejects once the invocation has timed out. */
  sleep(ms: number): Promise<void>;
  /** CPU work measured at one full vCPU: takes longer below 1,769 MB, as Lambda allots CPU by memory. */
  cpu(msAtOneVcpu: number): Promise<void>;
  /** One NFS operation on the function's EFS mount; throws when the function has no mount or NFS fails. */
  fs(op: EfsOperation, bytes?: number): Promise<void>;
}

export type LambdaWorkload = (ctx: LambdaContext) => Promise<unknown>;

/** The stack file's model: opens, stats, reads, writes on EFS, one after another (PHP is sequential), then CPU and database time. */
export function fileOpsWorkload(spec: FileOpsWorkloadSpec): LambdaWorkload {
  return async (ctx) => {
    for (let i = 0; i < spec.opens; i++) await ctx.fs("open");
    for (let i = 0; i < spec.stats; i++) await ctx.fs("stat");
    for (let i = 0; i < spec.reads; i++) await ctx.fs("read", spec.readBytes);
    for (let i = 0; i < spec.writes; i++) await ctx.fs("write", spec.writeBytes);
    if (spec.cpu > 0) await ctx.cpu(spec.cpu);
    if (spec.database > 0) await ctx.sleep(spec.database);
    return { statusCode: 200 };
  };
}
