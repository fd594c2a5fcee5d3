/**
 * Invokes rule targets like Lambda does: the built-in reference drain handler in-process with an
 * ECS client on the sandbox's in-process transport, or a user's module (a Lambda-style
 * `handler(event, context)`) in its own execution environment, a worker thread
 * (module-environments.ts), whose own AWS SDK clients reach the sandbox over HTTP through serve
 * mode (AWS_ENDPOINT_URL in that environment only). Each invocation is recorded: event id,
 * duration, result or error.
 *
 * Time: the built-in handler makes no real I/O, so it runs on the virtual clock and its timeout is
 * virtual. A user's module does real I/O, so the virtual clock is held while it runs (its sockets
 * would otherwise let virtual time run ahead: in virtual time it takes no time at all), with a
 * real-time guard equal to its timeout. At the guard the invocation is recorded as timed out, its
 * environment is terminated (as Lambda ends a timed-out environment) and the clock released.
 */
import { isAbsolute, resolve } from "node:path";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { AwsEvent, Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import { letPromisesRun } from "../../timers.js";
import { RealClock } from "../../../time/clock.js";
import { BUILTIN_LIFECYCLE_DRAIN, BUILTIN_SPOT_DRAIN, type HandlerTargetSpec } from "../../stack/events.js";
import { drainOnSpotWarning } from "../../../handlers/spot-drain.js";
import { drainOnLifecycleAction } from "../../../handlers/lifecycle-drain.js";
import { ModuleEnvironments, type ModuleOutcome } from "./module-environments.js";

export interface Invocation {
  rule: string;
  handler: string;
  eventId: string;
  detailType: string;
  /** Virtual time when the invocation started. */
  startedAt: number;
  /** Milliseconds the handler ran: virtual for the built-in handler, wall time for a module. */
  durationMs: number;
  outcome: "ok" | "error" | "timeout";
  result?: unknown;
  error?: string;
}

/** The context a module's handler receives, less getRemainingTimeInMillis, which its environment adds. */
export interface LambdaContextData {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
}

/** What an invocation record names of what was delivered: an EventBridge event, or an SNS message. */
interface Delivered {
  id: string;
  detailType: string;
}

export interface InvokerDeps {
  kernel: Kernel;
  timers: Timers;
  /** The in-process ECS client for the built-in handlers. */
  ecs: ECSClient;
  /** In-process Auto Scaling and SNS clients for the built-in lifecycle drain handler. */
  lifecycle?: { autoScaling: AutoScalingClient; sns: SNSClient };
  /** Starts serve mode (once) and returns what a module's environment needs to reach it: AWS_ENDPOINT_URL, region, credentials. */
  awsEnvironment(): Promise<Record<string, string>>;
  /** Called with every finished invocation. */
  onInvocation(invocation: Invocation): void;
}

export class Invoker {
  private readonly wall = new RealClock();
  private readonly environments: ModuleEnvironments[] = [];

  constructor(private readonly deps: InvokerDeps) {}

  /**
   * Returns the delivery function for a rule target. A module's first environment starts now, so
   * a missing file or export surfaces at startup (HandlerLoadError). `label` names the target as
   * the user did: `--handler drain.mjs`, or `rule slow: handler ./drain.mjs` by default.
   */
  async prepare(rule: string, target: HandlerTargetSpec, baseDir: string, label = `rule ${rule}: handler ${target.handler}`): Promise<(event: AwsEvent) => void> {
    const invoke = await this.prepareTarget(rule, target, baseDir, label);
    return (event) => invoke(event, { id: event.id, detailType: event["detail-type"] });
  }

  /** The delivery function for an SNS topic's subscriber: it receives the SNS-to-Lambda event. */
  async prepareSubscriber(topic: string, target: HandlerTargetSpec, baseDir: string, label: string): Promise<(event: Record<string, unknown>, meta: { id: string; subject: string }) => void> {
    const invoke = await this.prepareTarget(`topic ${topic}`, target, baseDir, label);
    return (event, meta) => invoke(event, { id: meta.id, detailType: `SNS ${topic}${meta.subject ? `: ${meta.subject}` : ""}` });
  }

  private async prepareTarget(rule: string, target: HandlerTargetSpec, baseDir: string, label: string): Promise<(payload: unknown, meta: Delivered) => void> {
    const name = target.handler === BUILTIN_SPOT_DRAIN ? "spot-drain" : target.handler === BUILTIN_LIFECYCLE_DRAIN ? "lifecycle-drain" : target.handler;
    const clusters = (target.environment.CLUSTERS ?? target.environment.CLUSTER_NAME ?? "").split(",").map((c) => c.trim()).filter(Boolean);
    const log = (message: string) => this.deps.kernel.record(`handler:${name}`, "log", message);
    if (target.handler === BUILTIN_SPOT_DRAIN) {
      return (payload, meta) => this.runBuiltin(rule, name, target, meta, () => drainOnSpotWarning(payload, { ecs: this.deps.ecs, clusters, log }));
    }
    if (target.handler === BUILTIN_LIFECYCLE_DRAIN) {
      const { lifecycle } = this.deps;
      if (!lifecycle) throw new Error(`${label}: the lifecycle drain handler needs Auto Scaling and SNS clients`);
      // Its wait before a re-publish is on the sandbox's clock; the SDK calls after it need the clock to let them run.
      const sleep = (ms: number) => new Promise<void>((resolve) => this.deps.timers.after(ms, resolve, true));
      return (payload, meta) => this.runBuiltin(rule, name, target, meta, () => drainOnLifecycleAction(payload, { ecs: this.deps.ecs, ...lifecycle, clusters, sleep, log }));
    }
    if (target.handler.startsWith("builtin:")) throw new Error(`${label}: expected "${BUILTIN_SPOT_DRAIN}", "${BUILTIN_LIFECYCLE_DRAIN}" or a module path, found "${target.handler}"`);
    const functionName = lambdaFunctionName(target.handler);
    const environments = new ModuleEnvironments({
      file: isAbsolute(target.handler) ? target.handler : resolve(baseDir, target.handler),
      label,
      env: { ...lambdaVariables(functionName, target), ...(await this.deps.awsEnvironment()), ...target.environment },
      wall: this.wall,
      log: (line) => this.deps.kernel.record(`handler:${name}`, "log", line),
    });
    this.environments.push(environments);
    await environments.start();
    return (payload, meta) => this.runModule(rule, name, functionName, target, payload, meta, environments);
  }

  /** Ends every module's environments. */
  async close(): Promise<void> {
    await Promise.all(this.environments.splice(0).map((e) => e.close()));
  }

  private context(functionName: string): LambdaContextData {
    const { kernel } = this.deps;
    return {
      functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: kernel.arn("lambda", `function:${functionName}`),
      memoryLimitInMB: "128",
      awsRequestId: kernel.uuid(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: "sandbox",
      callbackWaitsForEmptyEventLoop: true,
    };
  }

  private runBuiltin(rule: string, name: string, target: HandlerTargetSpec, event: Delivered, run: () => Promise<unknown>): void {
    const { kernel, timers } = this.deps;
    const startedAt = kernel.now();
    let settled = false;
    const finish = (outcome: Invocation["outcome"], value?: unknown): void => {
      if (settled) return;
      settled = true;
      cancelTimeout();
      this.record({ rule, handler: name, event, startedAt, durationMs: kernel.now() - startedAt, outcome, value });
    };
    const cancelTimeout = timers.after(target.timeout, () => finish("timeout"));
    run().then(
      (result) => finish("ok", result),
      (err: unknown) => finish("error", err),
    );
    letPromisesRun(kernel.clock);
  }

  private runModule(rule: string, name: string, functionName: string, target: HandlerTargetSpec, payload: unknown, event: Delivered, environments: ModuleEnvironments): void {
    const { kernel } = this.deps;
    const startedAt = kernel.now();
    const release = kernel.clock.hold();
    void environments.invoke(payload, { ...this.context(functionName) }, target.timeout).then((o: ModuleOutcome) => {
      this.record({ rule, handler: name, event, startedAt, durationMs: o.durationMs, outcome: o.outcome, value: o.outcome === "ok" ? o.result : o.error });
      release();
    });
  }

  private record(r: { rule: string; handler: string; event: Delivered; startedAt: number; durationMs: number; outcome: Invocation["outcome"]; value?: unknown }): void {
    const invocation: Invocation = {
      rule: r.rule,
      handler: r.handler,
      eventId: r.event.id,
      detailType: r.event.detailType,
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      outcome: r.outcome,
    };
    if (r.outcome === "ok") invocation.result = r.value;
    if (r.outcome === "error") invocation.error = r.value instanceof Error ? `${r.value.name}: ${r.value.message}` : String(r.value);
    if (r.outcome === "timeout") invocation.error = `Task timed out after ${(r.durationMs / 1000).toFixed(2)} seconds`;
    this.deps.kernel.record(`handler:${r.handler}`, "invocation", `${r.rule}: ${r.handler} ${r.outcome} for ${r.event.detailType} ${r.event.id}${invocation.error ? `: ${invocation.error}` : ""}`, {
      rule: r.rule,
      eventId: r.event.id,
      outcome: r.outcome,
      durationMs: r.durationMs,
    });
    this.deps.onInvocation(invocation);
  }
}

/** The Lambda function name a rule target's handler runs as (also what EventBridge's ListTargetsByRule names). */
export function lambdaFunctionName(handler: string): string {
  return handler === BUILTIN_SPOT_DRAIN ? "spot-drain" : handler.replace(/[^A-Za-z0-9_-]/g, "_").slice(-64);
}

/** The variables Lambda sets in every function's environment, and the host basics a Node program expects. */
function lambdaVariables(functionName: string, target: HandlerTargetSpec): Record<string, string> {
  const host: Record<string, string> = {};
  for (const k of ["PATH", "LANG", "TZ"]) {
    const v = process.env[k];
    if (v !== undefined) host[k] = v;
  }
  return {
    ...host,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(Math.ceil(target.timeout / 1000)),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
  };
}
