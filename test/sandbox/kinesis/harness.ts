/**
 * A Kinesis sandbox for tests: a VirtualClock kernel, the KinesisService behind a Dispatcher
 * (with its interceptor), and the real KinesisClient built by src/aws/clients.ts talking to it
 * in-process. The client makes one attempt per call (no retries), so tests see raw behaviour.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { AwsClients } from "../../../src/aws/clients.js";
import { SeededRandom } from "../../../src/random/random.js";
import { Kernel } from "../../../src/sandbox/kernel.js";
import { Dispatcher } from "../../../src/sandbox/protocol/dispatcher.js";
import type { SandboxOutcome, SandboxResponse } from "../../../src/sandbox/protocol/types.js";
import type { FisActionContext, FisActionRun, FisRegistry, FisResource } from "../../../src/sandbox/services/fis/registry.js";
import { KinesisService, type KinesisConfig } from "../../../src/sandbox/services/kinesis/index.js";
import { VirtualClock } from "../../../src/time/clock.js";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const MiB = 1024 * 1024;

export interface Harness {
  clock: VirtualClock;
  kernel: Kernel;
  kinesis: KinesisService;
  dispatcher: Dispatcher;
  clients: AwsClients;
  /** The SDK client, signing as the default sandbox credentials, one attempt per call. */
  client: KinesisClient;
  /** A client signing with another access key id (to act as a configured IAM role). */
  clientAs(accessKeyId: string, extra?: { subnet?: string }): Promise<KinesisClient>;
  /** A raw awsJson1_1 call to the dispatcher, bypassing the SDK. */
  call(operation: string, body: Record<string, unknown>, headers?: Record<string, string>): SandboxOutcome;
  /** Moves virtual time forward. */
  advance(ms: number): Promise<void>;
}

export async function kinesisHarness(config: KinesisConfig = { streams: [] }, options: { seed?: number; requestTimeoutMs?: number } = {}): Promise<Harness> {
  const clock = new VirtualClock();
  const random = new SeededRandom(options.seed ?? 7);
  const kernel = new Kernel({ clock, random, region: REGION, accountId: ACCOUNT });
  const kinesis = new KinesisService(kernel, config);
  const dispatcher = new Dispatcher();
  dispatcher.addJsonService(kinesis.json);
  dispatcher.intercept(kinesis.interceptor);
  const clients = new AwsClients(
    { kind: "local", region: REGION, dispatch: dispatcher.dispatch },
    { clock, random: random.fork("clients"), retryPolicy: { baseMs: 100, capMs: 20_000, maxAttempts: 1 }, requestTimeoutMs: options.requestTimeoutMs ?? 5_000 },
  );
  const client = await clients.kinesis();
  return {
    clock,
    kernel,
    kinesis,
    dispatcher,
    clients,
    client,
    async clientAs(accessKeyId, extra = {}) {
      const c = new KinesisClient({ ...(await clients.baseConfig()), credentials: { accessKeyId, secretAccessKey: "test-secret" } });
      if (extra.subnet) {
        const subnet = extra.subnet;
        c.middlewareStack.add(
          (next) => async (args) => {
            (args.request as { headers: Record<string, string> }).headers["x-gameday-caller-subnet"] = subnet;
            return next(args);
          },
          { step: "build", name: "callerSubnet" },
        );
      }
      return c;
    },
    call(operation, body, headers = {}) {
      return dispatcher.dispatch({
        method: "POST",
        path: "/",
        query: {},
        headers: { "x-amz-target": `Kinesis_20131202.${operation}`, "content-type": "application/x-amz-json-1.1", ...headers },
        body: JSON.stringify(body),
      });
    },
    advance: (ms) => clock.sleep(ms),
  };
}

/** The response of a raw call, asserting it was answered (not a transport failure). */
export function answered(outcome: SandboxOutcome): SandboxResponse & { json: Record<string, any> } {
  if ("failure" in outcome) throw new Error(`expected a response, got a transport failure: ${outcome.failure}`);
  return { ...outcome, json: JSON.parse(outcome.body) as Record<string, any> };
}

/** Base64 of `n` bytes (what the SDK sends for a Uint8Array of that length). */
export function blob(n: number, fill = 0x61): string {
  return Buffer.alloc(n, fill).toString("base64");
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(data: Uint8Array | undefined): string {
  return new TextDecoder().decode(data);
}

/** The sandbox's error for a rejected SDK call. */
export async function rejection(p: Promise<unknown>): Promise<Error & { name: string; $metadata: { httpStatusCode?: number }; code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { name: string; $metadata: { httpStatusCode?: number }; code?: string };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** A fake FIS action context, as the FIS service hands one to an action. */
export function actionContext(kernel: Kernel, parameters: Record<string, string>, targets: Record<string, FisResource[]>, name = "fault"): FisActionContext {
  return { kernel, experimentId: "EXPtest0000000001", actionName: name, parameters, targets };
}

export function resource(arn: string): FisResource {
  return { arn, info: { arn }, describe: {}, tags: {} };
}

export interface StartedAction {
  run: FisActionRun;
  done: () => boolean;
  failure: () => { reason: string; code?: string } | undefined;
}

/** Starts an action from the registry with a fake context; records done and fail. */
export function startAction(registry: FisRegistry, kernel: Kernel, actionId: string, parameters: Record<string, string>, targets: Record<string, FisResource[]>): StartedAction {
  const action = registry.action(actionId);
  if (!action) throw new Error(`no action ${actionId} registered`);
  for (const [name, spec] of Object.entries(action.parameters)) {
    const value = parameters[name];
    if (value === undefined) {
      if (spec.required) throw new Error(`parameter ${name} is required`);
      continue;
    }
    const problem = spec.check?.(value);
    if (problem) throw new Error(`parameter ${name}: ${problem}`);
  }
  let finished = false;
  let failed: { reason: string; code?: string } | undefined;
  const run = action.start(
    actionContext(kernel, parameters, targets),
    () => (finished = true),
    (reason, code) => (failed = code ? { reason, code } : { reason }),
  );
  return { run, done: () => finished, failure: () => failed };
}
