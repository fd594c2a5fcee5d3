/**
 * Shared set-up for sandbox tests: a sandbox from inline stack YAML on a virtual clock, and the
 * real SDK clients talking to it through the in-process handler.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { AwsClients } from "../../src/aws/clients.js";
import { SeededRandom } from "../../src/random/random.js";
import { Sandbox, type SandboxOptions } from "../../src/sandbox/sandbox.js";
import { parseStack } from "../../src/sandbox/stack/load.js";
import { VirtualClock } from "../../src/time/clock.js";
import { SandboxLogShipping } from "../../src/cli/sandbox-logs.js";
import type { LocalDispatch } from "../../src/aws/in-process-handler.js";

export interface Harness {
  sandbox: Sandbox;
  clock: VirtualClock;
  clients: AwsClients;
  ecs: ECSClient;
  /** Lets `ms` of virtual time pass. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function harness(yaml: string, options: { seed?: number; handlers?: string[]; source?: string; ready?: boolean; requestLog?: boolean } = {}): Promise<Harness> {
  const clock = new VirtualClock();
  const stack = parseStack(yaml, options.source ?? "test-stack.yaml");
  // The request log is on unless a test says otherwise: these tests read traffic.stats().
  const sandboxOptions: SandboxOptions = { stack, clock, random: new SeededRandom(options.seed ?? 7), requestLog: options.requestLog ?? true };
  if (options.handlers) sandboxOptions.handlers = options.handlers;
  // A stack whose tasks ship logs runs gameday's shipper in them, as `chaos run` composes it.
  let dispatch: LocalDispatch = () => ({ failure: "refused" });
  const logs = stack.logging.length > 0 ? await SandboxLogShipping.create((req) => dispatch(req), clock, new SeededRandom(options.seed ?? 7).fork("logs")) : undefined;
  if (logs) sandboxOptions.logProducers = logs;
  const sandbox = await Sandbox.create(sandboxOptions);
  dispatch = sandbox.dispatcher.dispatch;
  const clients = new AwsClients({ kind: "local", region: sandbox.kernel.region, dispatch: sandbox.dispatcher.dispatch }, { clock, random: new SeededRandom(99) });
  const ecs = await clients.ecs();
  sandbox.start();
  if (options.ready !== false) await sandbox.ready();
  return {
    sandbox,
    clock,
    clients,
    ecs,
    advance: (ms) => clock.sleep(ms),
    async close() {
      await clients.destroy();
      await sandbox.stop();
      logs?.close();
      clock.stop();
    },
  };
}

/** A small stack: one cluster, an ASG, a web service behind a target group. Override pieces with `parts`. */
export function stackYaml(parts: {
  cluster?: string;
  asg?: string;
  taskDefinitions?: string;
  targetGroups?: string;
  services?: string;
  load?: string;
  events?: string;
  instanceTypes?: string;
} = {}): string {
  return `
region: us-east-1
availabilityZones: [us-east-1a, us-east-1b, us-east-1c]
${parts.instanceTypes ?? ""}
clusters:
${parts.cluster ?? "  - name: prod"}
autoScalingGroups:
${parts.asg ?? "  - { name: asg, cluster: prod, instanceType: m5.large, onDemand: { count: 3 }, spot: { count: 3, tags: { chaos: ok } } }"}
taskDefinitions:
${
  parts.taskDefinitions ??
  `  - family: web
    cpu: 512
    memory: 1024
    startup: PT10S
    shutdown: PT2S
    app: { threads: 10, serviceTime: { p50: 20ms, p99: 100ms } }
  - { family: batch, cpu: 256, memory: 512, startup: PT5S }`
}
targetGroups:
${parts.targetGroups ?? "  - { name: web, deregistrationDelay: PT5S, healthCheck: { interval: PT10S, healthyThreshold: 2, unhealthyThreshold: 2 } }"}
services:
${parts.services ?? "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 3, targetGroup: web }"}
${parts.load ?? ""}
${parts.events ?? ""}
`;
}

export function taskIdsOn(sandbox: Sandbox, instanceId: string): string[] {
  const ci = sandbox.ecs.containerInstanceOf(instanceId);
  return ci ? [...ci.tasks].map((t) => t.id) : [];
}
