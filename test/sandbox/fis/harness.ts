/**
 * A FIS sandbox for tests: a VirtualClock kernel, a registry with test-only fake resource types
 * and recording actions, the FisService behind a Dispatcher, and the real FisClient (built by
 * src/aws/clients.ts) talking to it in-process.
 */
import {
  CreateExperimentTemplateCommand,
  GetExperimentCommand,
  StartExperimentCommand,
  type CreateExperimentTemplateCommandInput,
  type Experiment,
  type FisClient,
  type StartExperimentCommandInput,
} from "@aws-sdk/client-fis";
import { AwsClients } from "../../../src/aws/clients.js";
import { SeededRandom } from "../../../src/random/random.js";
import { Kernel } from "../../../src/sandbox/kernel.js";
import { Dispatcher } from "../../../src/sandbox/protocol/dispatcher.js";
import { durationMs, durationParameter } from "../../../src/fis/duration.js";
import {
  FisRegistry,
  type FisActionType,
  type FisErrorCode,
  type FisParameterSpec,
  type FisResource,
  type FisResourceType,
} from "../../../src/sandbox/services/fis/registry.js";
import { FisService } from "../../../src/sandbox/services/fis/service.js";
import { VirtualClock } from "../../../src/time/clock.js";

export const ROLE = "arn:aws:iam::123456789012:role/fis-experiment-role";
export const ALARM = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx-slo";

export interface FakeResource {
  arn: string;
  tags?: Record<string, string>;
  describe?: Record<string, unknown>;
  /** Target parameters this resource matches (cluster, service, ...). */
  params?: Record<string, string>;
}

export function fakeResourceType(
  resourceType: string,
  resources: FakeResource[],
  options: { acceptsArns?: boolean; acceptsTags?: boolean; parameters?: { name: string; required: boolean }[] } = {},
): FisResourceType & { candidateCalls: Record<string, string>[]; resources: FakeResource[] } {
  const candidateCalls: Record<string, string>[] = [];
  return {
    resourceType,
    description: `test-only ${resourceType}`,
    acceptsArns: options.acceptsArns ?? true,
    acceptsTags: options.acceptsTags ?? true,
    parameters: (options.parameters ?? []).map((p) => ({ ...p, description: `test parameter ${p.name}` })),
    resources,
    candidateCalls,
    candidates(parameters) {
      candidateCalls.push(parameters);
      return resources
        .filter((r) => Object.entries(parameters).every(([k, v]) => r.params?.[k] === v))
        .map((r): FisResource => ({ arn: r.arn, info: { arn: r.arn }, describe: r.describe ?? {}, tags: r.tags ?? {} }));
    },
  };
}

export interface ActionStart {
  at: number;
  action: string;
  experimentId: string;
  parameters: Record<string, string>;
  targets: Record<string, string[]>;
}

export interface ActionLog {
  starts: ActionStart[];
  stops: { at: number; action: string }[];
}

export interface RecordingOptions {
  target?: { key: string; resourceType: string; maxResources?: number };
  parameters?: Record<string, FisParameterSpec>;
  /** How long the action runs: a fixed time, or read from a duration parameter. 0 completes inside start(). */
  runMs?: number;
  durationParameter?: string;
  /** Fails instead of completing, after this long. */
  failAfterMs?: number;
  failCode?: FisErrorCode;
}

/** A test action that records when it started, on what, and when it was stopped. */
export function recordingAction(actionId: string, log: ActionLog, options: RecordingOptions = {}): FisActionType {
  const action: FisActionType = {
    actionId,
    description: `test-only ${actionId}`,
    parameters: options.parameters ?? {},
    start(ctx, done, fail) {
      const targets = Object.fromEntries(Object.entries(ctx.targets).map(([k, rs]) => [k, rs.map((r) => r.arn)]));
      log.starts.push({ at: ctx.kernel.now(), action: ctx.actionName, experimentId: ctx.experimentId, parameters: ctx.parameters, targets });
      let cancel = () => {};
      if (options.failAfterMs !== undefined) {
        cancel = ctx.kernel.clock.setTimer(options.failAfterMs, () => fail(`${ctx.actionName} broke`, options.failCode));
      } else {
        const fromParam = options.durationParameter ? durationMs(ctx.parameters[options.durationParameter] ?? "") : undefined;
        const ms = fromParam ?? options.runMs ?? 60_000;
        if (ms === 0) done();
        else cancel = ctx.kernel.clock.setTimer(ms, done);
      }
      return {
        stop() {
          log.stops.push({ at: ctx.kernel.now(), action: ctx.actionName });
          cancel();
        },
      };
    },
  };
  if (options.target) action.target = options.target;
  return action;
}

export function spotInstance(id: string, tags: Record<string, string>, state = "running", az = "us-east-1a"): FakeResource {
  return {
    arn: `arn:aws:ec2:us-east-1:123456789012:instance/${id}`,
    tags,
    describe: {
      InstanceId: id,
      State: { Name: state },
      Placement: { AvailabilityZone: az },
      NetworkInterfaces: [{ SubnetId: `subnet-${az}` }, { SubnetId: "subnet-shared" }],
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    },
  };
}

export const SPOT_ACTION = "aws:ec2:send-spot-instance-interruptions";

export interface Harness {
  clock: VirtualClock;
  kernel: Kernel;
  registry: FisRegistry;
  service: FisService;
  fis: FisClient;
  log: ActionLog;
}

/**
 * A sandbox with a fake aws:ec2:spot-instance type (the given instances) and a recording
 * spot-interruption action that runs for its durationBeforeInterruption.
 */
export async function fisHarness(options: { seed?: number; instances?: FakeResource[] } = {}): Promise<Harness> {
  const clock = new VirtualClock();
  const kernel = new Kernel({ clock, random: new SeededRandom(options.seed ?? 42) });
  const registry = new FisRegistry();
  const log: ActionLog = { starts: [], stops: [] };
  registry.addResourceType(fakeResourceType("aws:ec2:spot-instance", options.instances ?? [spotInstance("i-1", { chaos: "ok" })]));
  registry.addAction(
    recordingAction(SPOT_ACTION, log, {
      target: { key: "SpotInstances", resourceType: "aws:ec2:spot-instance" },
      parameters: {
        durationBeforeInterruption: durationParameter({ min: "PT2M", max: "PT15M", required: true, description: "time before the interruption" }),
      },
      durationParameter: "durationBeforeInterruption",
    }),
  );
  const service = new FisService(kernel, registry);
  const dispatcher = new Dispatcher();
  dispatcher.addRestService(service.rest);
  const clients = new AwsClients({ kind: "local", region: "us-east-1", dispatch: dispatcher.dispatch }, { clock, random: new SeededRandom(7) });
  return { clock, kernel, registry, service, fis: await clients.fis(), log };
}

/** A valid template: interrupt every spot instance tagged chaos=ok, with a 2-minute notice. */
export function spotTemplate(overrides: Partial<CreateExperimentTemplateCommandInput> = {}): CreateExperimentTemplateCommandInput {
  return {
    description: "interrupt tagged spot instances",
    roleArn: ROLE,
    stopConditions: [{ source: "none" }],
    targets: { spot: { resourceType: "aws:ec2:spot-instance", resourceTags: { chaos: "ok" }, selectionMode: "ALL" } },
    actions: {
      interrupt: { actionId: SPOT_ACTION, parameters: { durationBeforeInterruption: "PT2M" }, targets: { SpotInstances: "spot" } },
    },
    ...overrides,
  };
}

export async function createTemplate(h: Harness, input: CreateExperimentTemplateCommandInput): Promise<string> {
  const out = await h.fis.send(new CreateExperimentTemplateCommand(input));
  return out.experimentTemplate!.id!;
}

/**
 * StartExperiment, optionally with `experimentOptions` (actionsMode). FisClient 3.523.0 predates
 * that member and drops it while serializing, so a build-step middleware puts it into the body
 * the way newer clients send it.
 */
export async function startExperiment(
  h: Harness,
  input: StartExperimentCommandInput,
  experimentOptions?: { actionsMode: string },
): Promise<Experiment> {
  const command = new StartExperimentCommand(input);
  if (experimentOptions) {
    command.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body?: string };
        request.body = JSON.stringify({ ...JSON.parse(request.body ?? "{}"), experimentOptions });
        return next(args);
      },
      { step: "build", name: "addExperimentOptions" },
    );
  }
  return (await h.fis.send(command)).experiment!;
}

const TERMINAL = new Set(["completed", "stopped", "failed", "cancelled"]);

/** Polls GetExperiment in virtual time until the experiment has ended. */
export async function untilEnded(h: Harness, id: string, pollMs = 5_000): Promise<Experiment> {
  for (let i = 0; i < 100_000; i++) {
    const e = (await h.fis.send(new GetExperimentCommand({ id }))).experiment!;
    if (TERMINAL.has(e.state!.status!)) return e;
    await h.clock.sleep(pollMs);
  }
  throw new Error(`experiment ${id} did not end`);
}

export async function getExperiment(h: Harness, id: string): Promise<Experiment> {
  return (await h.fis.send(new GetExperimentCommand({ id }))).experiment!;
}

/** The rejection a call ends in (the test fails if it succeeds). */
export async function rejection(p: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { name: string };
  }
  throw new Error("expected the call to be rejected, but it succeeded");
}
