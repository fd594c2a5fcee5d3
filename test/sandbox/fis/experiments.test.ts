import { describe, expect, it } from "vitest";
import {
  ListExperimentResolvedTargetsCommand,
  ServiceQuotaExceededException,
  StopExperimentCommand,
  ValidationException,
  type Experiment,
} from "@aws-sdk/client-fis";
import { durationParameter } from "../../../src/fis/duration.js";
import {
  ALARM,
  SPOT_ACTION,
  createTemplate,
  fisHarness,
  getExperiment,
  recordingAction,
  rejection,
  spotInstance,
  spotTemplate,
  startExperiment,
  untilEnded,
  type Harness,
} from "./harness.js";

const interrupt = (duration: string, extra: Record<string, unknown> = {}) => ({
  actionId: SPOT_ACTION,
  parameters: { durationBeforeInterruption: duration },
  targets: { SpotInstances: "spot" },
  ...extra,
});
const wait = (duration: string, extra: Record<string, unknown> = {}) => ({ actionId: "aws:fis:wait", parameters: { duration }, ...extra });

const t = (d: Date | undefined) => d!.getTime();
/** Action start and end, in seconds after the experiment's start. */
function timeline(e: Experiment): Record<string, [number | undefined, number | undefined]> {
  const t0 = t(e.startTime);
  return Object.fromEntries(
    Object.entries(e.actions!).map(([name, a]) => [name, [a.startTime && (t(a.startTime) - t0) / 1000, a.endTime && (t(a.endTime) - t0) / 1000]]),
  );
}
/** FisClient 3.523.0's types predate `state.error`; the deserializer passes it through. */
const stateError = (e: Experiment) => (e.state as { error?: Record<string, string> }).error;
const statuses = (e: Experiment) => Object.fromEntries(Object.entries(e.actions!).map(([n, a]) => [n, a.state!.status]));

/** Registers an action that fails `afterMs` into its run (with `code`, if given). */
function addBreaker(h: Harness, afterMs: number, code?: "InvalidTarget") {
  h.registry.addAction(recordingAction("aws:test:break", h.log, { failAfterMs: afterMs, ...(code ? { failCode: code } : {}) }));
}

async function run(h: Harness, actions: Record<string, any>, extra: Record<string, unknown> = {}) {
  const templateId = await createTemplate(h, spotTemplate({ actions, ...extra }));
  return startExperiment(h, { experimentTemplateId: templateId });
}

describe("experiment lifecycle", () => {
  it("StartExperiment answers initiating with every action pending, then the run completes", async () => {
    const h = await fisHarness();
    const started = await run(h, { interrupt: interrupt("PT2M") });
    expect(started.id).toMatch(/^EXP[0-9A-Za-z]{14}$/);
    expect(started.state).toEqual({ status: "initiating", reason: "Experiment is initiating." });
    expect(started.actions!.interrupt!.state).toEqual({ status: "pending", reason: "Initial state" });
    expect(t(started.creationTime)).toBe(h.clock.now());
    const ended = await untilEnded(h, started.id!);
    expect(ended.state).toEqual({ status: "completed", reason: "Experiment completed." });
    expect(ended.actions!.interrupt!.state).toEqual({ status: "completed", reason: "Action was completed." });
    expect(ended.experimentOptions).toEqual({ accountTargeting: "single-account", emptyTargetResolutionMode: "fail", actionsMode: "run-all" });
  });

  it("runs actions after their startAfter predecessors, with exact virtual timings", async () => {
    const h = await fisHarness();
    const started = await run(h, {
      interrupt: interrupt("PT2M"),
      settle: wait("PT3M", { startAfter: ["interrupt"] }),
      again: interrupt("PT2M", { startAfter: ["settle"] }),
    });
    const ended = await untilEnded(h, started.id!);
    expect(ended.state!.status).toBe("completed");
    expect(timeline(ended)).toEqual({ interrupt: [0, 120], settle: [120, 300], again: [300, 420] });
    expect((t(ended.endTime) - t(ended.startTime)) / 1000).toBe(420);
    expect(h.log.starts.map((s) => [s.action, (s.at - t(ended.startTime)) / 1000])).toEqual([
      ["interrupt", 0],
      ["again", 300],
    ]);
  });

  it("starts every action without startAfter at once, and a join waits for all its predecessors", async () => {
    const h = await fisHarness();
    const started = await run(h, {
      interrupt: interrupt("PT2M"),
      pause: wait("PT5M"),
      after: wait("PT1M", { startAfter: ["interrupt", "pause"] }),
    });
    const ended = await untilEnded(h, started.id!);
    expect(timeline(ended)).toEqual({ interrupt: [0, 120], pause: [0, 300], after: [300, 360] });
  });

  it("handles actions that complete inside their own start()", async () => {
    const h = await fisHarness();
    h.registry.addAction(recordingAction("aws:test:instant", h.log, { runMs: 0 }));
    const started = await run(h, {
      first: { actionId: "aws:test:instant" },
      second: { actionId: "aws:test:instant", startAfter: ["first"] },
    });
    const ended = await untilEnded(h, started.id!);
    expect(ended.state!.status).toBe("completed");
    expect(timeline(ended)).toEqual({ first: [0, 0], second: [0, 0] });
  });

  it("resolves targets once, at start, and keeps them for the whole run", async () => {
    const instances = [spotInstance("i-1", { chaos: "ok" })];
    const h = await fisHarness({ instances });
    const started = await run(h, { settle: wait("PT1M"), interrupt: interrupt("PT2M", { startAfter: ["settle"] }) });
    await h.clock.sleep(30_000);
    instances.push(spotInstance("i-2", { chaos: "ok" }));
    await untilEnded(h, started.id!);
    expect(h.log.starts[0]!.targets.SpotInstances).toEqual(["arn:aws:ec2:us-east-1:123456789012:instance/i-1"]);
  });

  it("records experiment and action state changes in the kernel trace", async () => {
    const h = await fisHarness();
    const started = await run(h, { interrupt: interrupt("PT2M") });
    await untilEnded(h, started.id!);
    const mine = h.kernel.trace.entries.filter((e) => e.source === "fis" && e.detail?.experimentId === started.id);
    expect(mine.filter((e) => e.kind === "experiment-state").map((e) => e.detail!.status)).toEqual(["pending", "initiating", "running", "completed"]);
    expect(mine.filter((e) => e.kind === "action-state").map((e) => e.detail!.status)).toEqual(["initiating", "running", "completed"]);
    expect(mine.find((e) => e.kind === "target-resolved")!.detail!.arns).toEqual(["arn:aws:ec2:us-east-1:123456789012:instance/i-1"]);
  });

  it("accepts and records CloudWatch alarm stop conditions, and says a FIS without CloudWatch does not evaluate them", async () => {
    const h = await fisHarness();
    const started = await run(h, { interrupt: interrupt("PT5M") }, { stopConditions: [{ source: "aws:cloudwatch:alarm", value: ALARM }] });
    await h.clock.sleep(60_000);
    const running = await getExperiment(h, started.id!);
    expect(running.stopConditions).toEqual([{ source: "aws:cloudwatch:alarm", value: ALARM }]);
    expect(running.state!.status).toBe("running");
    expect(running.state!.reason).toMatch(/stop conditions are recorded but not evaluated: this FIS has no CloudWatch alarms to watch/);
  });
});

describe("skip-all target preview", () => {
  it("resolves the targets but runs no action", async () => {
    const h = await fisHarness({ instances: [spotInstance("i-1", { chaos: "ok" }), spotInstance("i-2", { chaos: "ok" })] });
    const templateId = await createTemplate(h, spotTemplate({ actions: { interrupt: interrupt("PT2M"), settle: wait("PT3M", { startAfter: ["interrupt"] }) } }));
    const started = await startExperiment(h, { experimentTemplateId: templateId }, { actionsMode: "skip-all" });
    const ended = await untilEnded(h, started.id!);
    expect(ended.state!.status).toBe("completed");
    expect(ended.experimentOptions!).toMatchObject({ actionsMode: "skip-all" });
    expect(statuses(ended)).toEqual({ interrupt: "skipped", settle: "skipped" });
    expect(h.log.starts).toEqual([]);
    expect(t(ended.endTime)).toBe(t(ended.startTime));
    const resolved = await h.fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: started.id! }));
    expect(resolved.resolvedTargets!.map((r) => r.targetInformation!.arn)).toEqual([
      "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
      "arn:aws:ec2:us-east-1:123456789012:instance/i-2",
    ]);
  });

  it("rejects an actionsMode other than run-all or skip-all", async () => {
    const h = await fisHarness();
    const templateId = await createTemplate(h, spotTemplate());
    const err = await rejection(startExperiment(h, { experimentTemplateId: templateId }, { actionsMode: "dry-run" }));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toBe(
      "1 validation error detected: Value 'dry-run' at 'experimentOptions.actionsMode' failed to satisfy constraint: Member must satisfy enum value set: [run-all, skip-all]",
    );
  });
});

describe("StopExperiment", () => {
  it("stops running actions (calling their stop()) and cancels pending ones: stopping, then stopped", async () => {
    const h = await fisHarness();
    const started = await run(h, { interrupt: interrupt("PT15M"), settle: wait("PT3M", { startAfter: ["interrupt"] }) });
    await h.clock.sleep(60_000);
    const stopping = (await h.fis.send(new StopExperimentCommand({ id: started.id! }))).experiment!;
    expect(stopping.state).toEqual({ status: "stopping", reason: "Experiment is stopping." });
    expect(statuses(stopping)).toEqual({ interrupt: "stopping", settle: "cancelled" });
    const ended = await untilEnded(h, started.id!);
    expect(ended.state).toEqual({ status: "stopped", reason: "Experiment stopped." });
    expect(statuses(ended)).toEqual({ interrupt: "stopped", settle: "cancelled" });
    expect(h.log.stops).toEqual([{ at: t(started.startTime) + 60_000, action: "interrupt" }]);
    expect((t(ended.endTime) - t(ended.startTime)) / 1000).toBe(60);
    // The stopped action's timer was cancelled: it never completes later.
    await h.clock.sleep(20 * 60_000);
    expect((await getExperiment(h, started.id!)).actions!.interrupt!.state!.status).toBe("stopped");
  });

  it("refuses to stop an experiment that has already ended", async () => {
    const h = await fisHarness();
    const started = await run(h, { interrupt: interrupt("PT2M") });
    await untilEnded(h, started.id!);
    const err = await rejection(h.fis.send(new StopExperimentCommand({ id: started.id! })));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toBe(`Experiment ${started.id} is completed; only an experiment that is still active can be stopped.`);
  });
});

describe("failure propagation", () => {
  it("a failing action fails the experiment, stops the running actions and cancels the pending ones", async () => {
    const h = await fisHarness();
    addBreaker(h, 60_000, "InvalidTarget");
    const started = await run(h, {
      interrupt: interrupt("PT15M"),
      breaker: { actionId: "aws:test:break" },
      later: wait("PT1M", { startAfter: ["breaker"] }),
    });
    const ended = await untilEnded(h, started.id!);
    expect(ended.state).toEqual({
      status: "failed",
      reason: 'Action "breaker" (aws:test:break) failed: breaker broke',
      error: { accountId: "123456789012", code: "InvalidTarget", location: "breaker" },
    });
    expect(statuses(ended)).toEqual({ interrupt: "stopped", breaker: "failed", later: "cancelled" });
    expect(ended.actions!.breaker!.state!.reason).toBe("breaker broke");
    expect(h.log.stops).toEqual([{ at: t(started.startTime) + 60_000, action: "interrupt" }]);
    expect(timeline(ended)).toEqual({ interrupt: [0, 60], breaker: [0, 60], later: [undefined, undefined] });
  });

  it("reports DependentServiceFailure when the action gives no error code", async () => {
    const h = await fisHarness();
    addBreaker(h, 1_000);
    const ended = await untilEnded(h, (await run(h, { breaker: { actionId: "aws:test:break" } })).id!);
    expect(stateError(ended)).toMatchObject({ code: "DependentServiceFailure", location: "breaker" });
  });

  it("an action whose start() throws fails the experiment with InternalFailure", async () => {
    const h = await fisHarness();
    h.registry.addAction({
      actionId: "aws:test:throws",
      description: "throws on start",
      parameters: {},
      start() {
        throw new Error("no such instance");
      },
    });
    const ended = await untilEnded(h, (await run(h, { boom: { actionId: "aws:test:throws" } })).id!);
    expect(ended.state!.status).toBe("failed");
    expect(stateError(ended)).toMatchObject({ code: "InternalFailure", location: "boom" });
    expect(ended.actions!.boom!.state).toEqual({ status: "failed", reason: "the action could not start: no such instance" });
  });

  it("a target that resolves to nothing fails the experiment before any action runs", async () => {
    const h = await fisHarness({ instances: [spotInstance("i-1", { chaos: "no" })] });
    const ended = await untilEnded(h, (await run(h, { settle: wait("PT1M"), interrupt: interrupt("PT2M", { startAfter: ["settle"] }) })).id!);
    expect(ended.state).toEqual({
      status: "failed",
      reason: 'Target resolution failed: target "spot" of action "interrupt" resolved to no resources.',
      error: { accountId: "123456789012", code: "InvalidTarget", location: "spot" },
    });
    expect(statuses(ended)).toEqual({ settle: "cancelled", interrupt: "cancelled" });
    expect(h.log.starts).toEqual([]);
  });

  it("with emptyTargetResolutionMode skip, the action on the empty target is skipped and the rest runs", async () => {
    const h = await fisHarness({ instances: [spotInstance("i-1", { chaos: "no" })] });
    const started = await run(
      h,
      { interrupt: interrupt("PT2M"), settle: wait("PT1M", { startAfter: ["interrupt"] }) },
      { experimentOptions: { emptyTargetResolutionMode: "skip" } },
    );
    const ended = await untilEnded(h, started.id!);
    expect(ended.state!.status).toBe("completed");
    expect(statuses(ended)).toEqual({ interrupt: "skipped", settle: "completed" });
    expect(timeline(ended)).toEqual({ interrupt: [undefined, undefined], settle: [0, 60] });
  });

  it("more resolved resources than the action's target quota fail the run with QuotaExceededFailure", async () => {
    const h = await fisHarness({ instances: [1, 2, 3].map((i) => spotInstance(`i-${i}`, { chaos: "ok" })) });
    h.registry.addAction(
      recordingAction("aws:test:capped", h.log, {
        target: { key: "SpotInstances", resourceType: "aws:ec2:spot-instance", maxResources: 2 },
        parameters: { duration: durationParameter({ min: "PT1M", max: "PT1H", required: false, description: "d" }) },
      }),
    );
    const ended = await untilEnded(h, (await run(h, { capped: { actionId: "aws:test:capped", targets: { SpotInstances: "spot" } } })).id!);
    expect(stateError(ended)).toMatchObject({ code: "QuotaExceededFailure", location: "capped" });
    expect(ended.state!.reason).toBe('Action "capped" (aws:test:capped) would target 3 resources for SpotInstances; the quota is 2.');
    expect(h.log.starts).toEqual([]);
  });
});

describe("active experiment quota", () => {
  it("allows 5 active experiments; the 6th is refused until one has stopped", async () => {
    const h = await fisHarness();
    const templateId = await createTemplate(h, spotTemplate({ actions: { interrupt: interrupt("PT15M") } }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await startExperiment(h, { experimentTemplateId: templateId })).id!);
    const err = await rejection(startExperiment(h, { experimentTemplateId: templateId }));
    expect(err).toBeInstanceOf(ServiceQuotaExceededException);
    expect(err.message).toBe("5 experiments are already active; the quota is 5 active experiments per account and Region.");
    await h.fis.send(new StopExperimentCommand({ id: ids[0]! }));
    await untilEnded(h, ids[0]!);
    const sixth = await startExperiment(h, { experimentTemplateId: templateId });
    expect(sixth.state!.status).toBe("initiating");
  });
});
