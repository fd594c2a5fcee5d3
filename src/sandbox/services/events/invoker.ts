/**
 * Invokes rule targets like Lambda does: the built-in reference drain handler in-process with an
 * ECS client on the sandbox's in-process transport, or a user's module (a Lambda-style
 * `handler(event, context)`) whose own AWS SDK clients reach the sandbox over HTTP through serve
 * mode (AWS_ENDPOINT_URL). Each invocation is recorded: event id, duration, result or error.
 *
 * Time: the built-in handler makes no real I/O, so it runs on the virtual clock and its timeout is
 * virtual. A user's module does real I/O, so the virtual clock is held while it runs (its sockets
 * would otherwise let virtual time run ahead), with a real-time guard equal to its timeout, after
 * which the invocation is recorded as timed out and the clock released.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { AwsEvent, Kernel } from "../../kernel.js";
import type { Timers } from "../../timers.js";
import { letPromisesRun } from "../../timers.js";
import { RealClock } from "../../../time/clock.js";
import { BUILTIN_SPOT_DRAIN, type HandlerTargetSpec } from "../../stack/events.js";
import { drainOnSpotWarning } from "../../../handlers/spot-drain.js";

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

export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown> | unknown;

export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

export interface InvokerDeps {
  kernel: Kernel;
  timers: Timers;
  /** The in-process ECS client for the built-in handler. */
  ecs: ECSClient;
  /** Starts serve mode (once) and returns its URL, for modules' own SDK clients. */
  endpoint(): Promise<string>;
  /** Called with every finished invocation. */
  onInvocation(invocation: Invocation): void;
}

/** Loads a module handler; paths resolve against `baseDir`. */
export async function loadModuleHandler(path: string, baseDir: string): Promise<LambdaHandler> {
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`handler ${path}: cannot load ${file}: ${(err as Error).message}`);
  }
  const fn = mod.handler ?? mod.default;
  if (typeof fn !== "function") {
    throw new Error(`handler ${path}: expected the module to export a function "handler(event, context)", found ${fn === undefined ? "no such export" : typeof fn}`);
  }
  return fn as LambdaHandler;
}

export class Invoker {
  private readonly wall = new RealClock();

  constructor(private readonly deps: InvokerDeps) {}

  /** Returns the delivery function for a rule target. Module targets are loaded now, so mistakes surface at startup. */
  async prepare(rule: string, target: HandlerTargetSpec, baseDir: string): Promise<(event: AwsEvent) => void> {
    const name = target.handler === BUILTIN_SPOT_DRAIN ? "spot-drain" : target.handler;
    if (target.handler === BUILTIN_SPOT_DRAIN) {
      const clusters = (target.environment.CLUSTERS ?? target.environment.CLUSTER_NAME ?? "").split(",").map((c) => c.trim()).filter(Boolean);
      const log = (message: string) => this.deps.kernel.record(`handler:${name}`, "log", message);
      return (event) => this.runBuiltin(rule, name, target, event, () => drainOnSpotWarning(event, { ecs: this.deps.ecs, clusters, log }));
    }
    if (target.handler.startsWith("builtin:")) throw new Error(`rule ${rule}: expected "${BUILTIN_SPOT_DRAIN}" or a module path, found "${target.handler}"`);
    await this.deps.endpoint();
    const fn = await loadModuleHandler(target.handler, baseDir);
    return (event) => this.runModule(rule, name, target, event, fn);
  }

  private context(name: string, deadline: () => number): LambdaContext {
    const { kernel } = this.deps;
    const functionName = name.replace(/[^A-Za-z0-9_-]/g, "_").slice(-64);
    return {
      functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: kernel.arn("lambda", `function:${functionName}`),
      memoryLimitInMB: "128",
      awsRequestId: kernel.uuid(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: "sandbox",
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline()),
    };
  }

  private runBuiltin(rule: string, name: string, target: HandlerTargetSpec, event: AwsEvent, run: () => Promise<unknown>): void {
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

  private runModule(rule: string, name: string, target: HandlerTargetSpec, event: AwsEvent, fn: LambdaHandler): void {
    const { kernel } = this.deps;
    const startedAt = kernel.now();
    const release = kernel.clock.hold();
    const began = this.wall.now();
    let settled = false;
    const finish = (outcome: Invocation["outcome"], value?: unknown): void => {
      if (settled) return;
      settled = true;
      cancelGuard();
      this.record({ rule, handler: name, event, startedAt, durationMs: Math.round(this.wall.now() - began), outcome, value });
      release();
    };
    const cancelGuard = this.wall.setTimer(target.timeout, () => finish("timeout"));
    // Lambda gives each function its own environment; here they share the process, so set it per call.
    for (const [k, v] of Object.entries(target.environment)) process.env[k] = v;
    const context = this.context(name, () => target.timeout - (this.wall.now() - began));
    Promise.resolve()
      .then(() => fn(structuredClone(event), context))
      .then(
        (result) => finish("ok", result),
        (err: unknown) => finish("error", err),
      );
  }

  private record(r: { rule: string; handler: string; event: AwsEvent; startedAt: number; durationMs: number; outcome: Invocation["outcome"]; value?: unknown }): void {
    const invocation: Invocation = {
      rule: r.rule,
      handler: r.handler,
      eventId: r.event.id,
      detailType: r.event["detail-type"],
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      outcome: r.outcome,
    };
    if (r.outcome === "ok") invocation.result = r.value;
    if (r.outcome === "error") invocation.error = r.value instanceof Error ? `${r.value.name}: ${r.value.message}` : String(r.value);
    if (r.outcome === "timeout") invocation.error = `Task timed out after ${(r.durationMs / 1000).toFixed(2)} seconds`;
    this.deps.kernel.record(`handler:${r.handler}`, "invocation", `${r.rule}: ${r.handler} ${r.outcome} for ${r.event["detail-type"]} ${r.event.id}${invocation.error ? `: ${invocation.error}` : ""}`, {
      rule: r.rule,
      eventId: r.event.id,
      outcome: r.outcome,
      durationMs: r.durationMs,
    });
    this.deps.onInvocation(invocation);
  }
}
