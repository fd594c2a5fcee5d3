/**
 * The sandbox's Lambda: the stack's functions, their concurrency (reserved, or the account's
 * unreserved pool; over it, 429 TooManyRequestsException), execution environments with cold starts
 * and reuse, the function timeout (the environment is discarded), EFS failures as Lambda's
 * documented exceptions, and AWS/Lambda. Invoke runs the function's workload on the sandbox's clock.
 */
import type { Kernel } from "../../kernel.js";
import type { MetricSink } from "../cloudwatch/sink.js";
import { wordpressOf, type FileOpsWorkloadSpec, type LambdaFunctionSpec, type LambdasConfig } from "../../stack/lambda.js";
import type { EfsService } from "../efs/index.js";
import { NfsError } from "../efs/file-system.js";
import { Environments, type ExecutionEnvironment } from "./environment.js";
import { efsIo, invalidParameterValue, resourceNotFound, tooManyRequests } from "./errors.js";
import { LambdaInsights } from "./insights.js";
import { LambdaMetrics } from "./metrics.js";
import { fileOpsWorkload, type LambdaContext, type LambdaWorkload } from "./workload.js";
import { wordpressWorkload } from "./wordpress.js";
import { effectOf, type InvocationFault } from "./faults.js";
import type { Random } from "../../../random/random.js";

/** "At 1,769 MB, a function has the equivalent of one vCPU" (configuration-memory.html). */
export const MB_PER_VCPU = 1_769;
/** "Lambda requires at least 100 unreserved concurrent executions" per account (lambda-concurrency.html). */
export const MIN_UNRESERVED = 100;

export interface SandboxFunction {
  spec: LambdaFunctionSpec;
  arn: string;
  workload: LambdaWorkload;
  environments: Environments;
  running: number;
  /** Reserved concurrency now: the stack's, then whatever PutFunctionConcurrency set (undefined: the unreserved pool). */
  reserved: number | undefined;
  accessPointArn: string | undefined;
  /** FIS Lambda actions in force. */
  faults: Set<InvocationFault>;
}

export interface InvokeResult {
  payload: unknown;
  /** "Unhandled" when the function failed (a timeout, an exception): X-Amz-Function-Error. */
  functionError?: "Unhandled";
}

class Timeout extends Error {}

export class LambdaService {
  readonly functions = new Map<string, SandboxFunction>();
  readonly metrics: LambdaMetrics;
  /** LambdaInsights init_duration, for functions with `insights: true`. */
  private readonly insights: LambdaInsights;
  /** The subnets the functions' network interfaces sit in (GetFunction's VpcConfig): the stack's first subnet of each AZ. */
  vpcSubnets: readonly string[] = [];
  private readonly accountConcurrency: number;
  private unreservedRunning = 0;
  private requests = 0;
  private readonly faultDraws: Random;

  constructor(
    private readonly kernel: Kernel,
    config: LambdasConfig,
    zones: readonly string[],
    efs: EfsService | undefined,
    sink: MetricSink,
  ) {
    this.accountConcurrency = config.accountConcurrency;
    this.metrics = new LambdaMetrics(sink, () => kernel.now());
    this.insights = new LambdaInsights(sink, () => kernel.now());
    this.faultDraws = kernel.random.fork("lambda-faults");
    for (const spec of config.functions) {
      const fs = spec.efs ? efs?.byName(spec.efs.fileSystem) : undefined;
      if (spec.efs && !fs) throw new Error(`function ${spec.name}: file system ${spec.efs.fileSystem} is not in the stack`);
      const zonesWithMount = fs ? zones.filter((az) => fs.mountTargets.some((t) => t.az === az)) : zones;
      this.functions.set(spec.name, {
        spec,
        arn: kernel.arn("lambda", `function:${spec.name}`),
        workload: this.workloadOf(spec),
        environments: new Environments(spec.name, zonesWithMount.length ? zonesWithMount : zones, fs ? { fileSystem: fs } : undefined, () => kernel.now(), spec.idleTimeout),
        running: 0,
        reserved: spec.reservedConcurrency,
        faults: new Set(),
        accessPointArn: fs?.accessPoints.find((a) => a.name === spec.efs!.accessPoint)?.arn,
      });
    }
  }

  /** The stack's model of the function's work: file operations, or WordPress on its EFS mount. */
  private workloadOf(spec: LambdaFunctionSpec): LambdaWorkload {
    const wordpress = wordpressOf(spec.workload);
    if (!wordpress) return fileOpsWorkload(spec.workload as FileOpsWorkloadSpec);
    if (!spec.efs) throw new Error(`function ${spec.name}: the wordpress workload needs an EFS mount (efs:)`);
    return wordpressWorkload(wordpress, this.kernel.random.fork(`lambda-wordpress:${spec.name}`), spec.efs.mountPath);
  }

  /** Replaces a function's workload model. */
  setWorkload(name: string, workload: LambdaWorkload): void {
    this.get(name).workload = workload;
  }

  /** A function by name, partial or full ARN, as Lambda's FunctionName accepts. */
  get(nameOrArn: string): SandboxFunction {
    const name = nameOrArn.startsWith("arn:") ? (nameOrArn.split(":")[6] ?? "") : nameOrArn;
    const fn = this.functions.get(name);
    if (!fn) throw resourceNotFound(`Function not found: ${this.kernel.arn("lambda", `function:${name}`)}`);
    return fn;
  }

  /** Synchronous invocation (RequestResponse): resolves when the function has finished, in the sandbox's time. */
  async invoke(nameOrArn: string, event: unknown): Promise<InvokeResult> {
    const fn = this.get(nameOrArn);
    const fromPool = this.acquire(fn);
    try {
      return await this.run(fn, event);
    } finally {
      fn.running--;
      if (fromPool) this.unreservedRunning--;
    }
  }

  /**
   * PutFunctionConcurrency (undefined: DeleteFunctionConcurrency). Lambda keeps at least 100 of
   * the account's concurrency unreserved (API_PutFunctionConcurrency.html), so raising a
   * reservation past that is refused. Invocations already running finish; new ones see the limit.
   */
  setReservedConcurrency(nameOrArn: string, value: number | undefined): void {
    const fn = this.get(nameOrArn);
    if (value !== undefined) {
      if (!Number.isInteger(value) || value < 0) throw invalidParameterValue(`ReservedConcurrentExecutions: expected an integer of 0 or more, found ${value}`);
      const unreservedAfter = this.unreservedLimit() + (fn.reserved ?? 0) - value;
      if (value > (fn.reserved ?? 0) && unreservedAfter < MIN_UNRESERVED) {
        throw invalidParameterValue(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`);
      }
    }
    fn.reserved = value;
  }

  /** Puts a FIS Lambda action in force on a function; returns what takes it away. */
  addFault(name: string, fault: InvocationFault): () => void {
    const fn = this.get(name);
    fn.faults.add(fault);
    return () => fn.faults.delete(fault);
  }

  /** Each minute: publish the ended minute and reclaim idle environments (their NFS connections close). */
  minute(): void {
    for (const fn of this.functions.values()) fn.environments.reclaim();
    this.metrics.publish();
    this.insights.publish();
  }

  /** Takes a unit of concurrency or throws 429; true when it came from the unreserved pool. */
  private acquire(fn: SandboxFunction): boolean {
    const reserved = fn.reserved;
    if (reserved !== undefined ? fn.running >= reserved : this.unreservedRunning >= this.unreservedLimit()) {
      this.metrics.throttled(fn.spec.name);
      throw reserved !== undefined
        ? tooManyRequests(`Rate Exceeded. (${fn.spec.name} is at its reserved concurrency of ${reserved})`, "ReservedFunctionConcurrentInvocationLimitExceeded")
        : tooManyRequests(`Rate Exceeded. (the account's unreserved concurrency of ${this.unreservedLimit()} is in use)`, "ConcurrentInvocationLimitExceeded");
    }
    fn.running++;
    if (reserved === undefined) this.unreservedRunning++;
    let total = 0;
    for (const f of this.functions.values()) total += f.running;
    this.metrics.concurrency(fn.spec.name, fn.running, total);
    return reserved === undefined;
  }

  /** The account limit less every function's reserved concurrency. */
  private unreservedLimit(): number {
    let reserved = 0;
    for (const f of this.functions.values()) reserved += f.reserved ?? 0;
    return this.accountConcurrency - reserved;
  }

  private async run(fn: SandboxFunction, event: unknown): Promise<InvokeResult> {
    const clock = this.kernel.clock;
    const warm = fn.environments.takeWarm();
    const coldAt = clock.now();
    const env: ExecutionEnvironment = warm ?? (await fn.environments.coldStart(fn.spec.init, (ms) => clock.sleep(ms)));
    if (!warm && fn.spec.insights) this.insights.coldStart(fn.spec.name, clock.now() - coldAt);
    const requestId = this.requestId();
    const abort = new AbortController();
    const sleep = (ms: number) => clock.sleep(ms, abort.signal);
    const envs = fn.environments;
    const mountFs = envs.mount?.fileSystem;
    const ctx: LambdaContext = {
      functionName: fn.spec.name,
      requestId,
      event,
      memoryMB: fn.spec.memoryMB,
      coldStart: env.invocations === 0,
      environment: env.state,
      now: () => clock.now(),
      sleep,
      cpu: (ms) => sleep(ms * Math.max(1, MB_PER_VCPU / fn.spec.memoryMB)),
      fs: async (op, bytes) => {
        if (!mountFs) throw new Error(`function ${fn.spec.name} mounts no file system`);
        await sleep(mountFs.operate(env.id, op, bytes ?? 0));
      },
    };
    env.invocations++;
    const start = clock.now();
    const timer = new AbortController();
    const injected = effectOf(fn.faults, () => this.faultDraws.next());
    const handler = async (): Promise<unknown> => {
      if (injected.delayMs > 0) await sleep(injected.delayMs);
      const result = injected.preventExecution ? undefined : await fn.workload(ctx);
      if (injected.error) throw Object.assign(new Error("Error injected by AWS FIS (aws:lambda:invocation-error)"), { name: "FisInjectedError" });
      return result;
    };
    const timedOut = clock.sleep(fn.spec.timeout, timer.signal).then(
      () => {
        throw new Timeout();
      },
      () => undefined,
    );
    try {
      const payload = await Promise.race([handler(), timedOut]);
      this.metrics.invoked(fn.spec.name, clock.now() - start, false);
      envs.release(env);
      return { payload: payload ?? null };
    } catch (err) {
      const duration = clock.now() - start;
      if (err instanceof Timeout) {
        abort.abort();
        envs.discard(env);
        this.metrics.invoked(fn.spec.name, duration, true);
        return { functionError: "Unhandled", payload: { errorMessage: `${this.kernel.iso()} ${requestId} Task timed out after ${(fn.spec.timeout / 1000).toFixed(2)} seconds` } };
      }
      if (err instanceof NfsError) {
        envs.discard(env);
        throw efsIo(`${fn.spec.name}: an NFS operation on ${mountFs?.id ?? "its file system"} failed: ${err.message}`);
      }
      envs.release(env);
      this.metrics.invoked(fn.spec.name, duration, true);
      const e = err instanceof Error ? err : new Error(String(err));
      return { functionError: "Unhandled", payload: { errorType: e.name, errorMessage: e.message } };
    } finally {
      timer.abort();
    }
  }

  private requestId(): string {
    this.requests++;
    return `00000000-0000-4000-a000-${this.requests.toString(16).padStart(12, "0")}`;
  }
}
