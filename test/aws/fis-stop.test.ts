/** The emergency stop against the embedded sandbox: gameday's tagged experiments stop, others run on. */
import { afterEach, describe, expect, it } from "vitest";
import { CreateExperimentTemplateCommand, GetExperimentCommand, StartExperimentCommand } from "@aws-sdk/client-fis";
import { rig, stackYaml, type Rig } from "../faults/rig.js";
import { deleteTaggedTemplates, stopTaggedExperiments } from "../../src/aws/fis-stop.js";
import { ListExperimentTemplatesCommand } from "@aws-sdk/client-fis";

let r: Rig | undefined;
afterEach(() => r?.close());

async function status(id: string): Promise<string | undefined> {
  const fis = await r!.services.aws.fis();
  return (await fis.send(new GetExperimentCommand({ id }))).experiment?.state?.status;
}

/** An experiment someone else started in the account: no gameday:run tag. */
async function someoneElses(): Promise<string> {
  const fis = await r!.services.aws.fis();
  const template = await fis.send(
    new CreateExperimentTemplateCommand({
      clientToken: "theirs",
      description: "their own drain",
      roleArn: "arn:aws:iam::123456789012:role/theirs",
      stopConditions: [{ source: "none" }],
      targets: { c: { resourceType: "aws:ecs:cluster", resourceArns: ["arn:aws:ecs:us-east-1:123456789012:cluster/prod"], selectionMode: "ALL" } },
      actions: { d: { actionId: "aws:ecs:drain-container-instances", parameters: { drainagePercentage: "10", duration: "PT30M" }, targets: { Clusters: "c" } } },
    }),
  );
  const started = await fis.send(new StartExperimentCommand({ clientToken: "theirs-start", experimentTemplateId: template.experimentTemplate!.id! }));
  return started.experiment!.id!;
}

/**
 * A FIS that lists one of gameday's experiments as running, refuses StopExperiment as real FIS
 * does for an experiment no longer going (ValidationException), and then reports it in `now`.
 */
function refusingFis(now: string | Error) {
  const calls: string[] = [];
  const client = {
    send: async (command: object) => {
      const name = command.constructor.name;
      calls.push(name);
      if (name === "ListExperimentsCommand") return { experiments: [{ id: "EXP1", state: { status: "running" }, tags: { "gameday:run": "r1", "gameday:step": "drain" } }] };
      if (name === "StopExperimentCommand") throw Object.assign(new Error("Experiment EXP1 is not in a state that can be stopped."), { name: "ValidationException" });
      if (name === "GetExperimentCommand") {
        if (now instanceof Error) throw now;
        return { experiment: { id: "EXP1", state: { status: now } } };
      }
      throw new Error(`unexpected ${name}`);
    },
  };
  return { fis: client as unknown as Parameters<typeof stopTaggedExperiments>[0], calls };
}

describe("stopTaggedExperiments when FIS refuses the stop", () => {
  it("reports an experiment found stopping or stopped as stopped (a timed-out stop of ours went through, or another stop came first)", async () => {
    for (const now of ["stopping", "stopped"]) {
      const { fis, calls } = refusingFis(now);
      expect(await stopTaggedExperiments(fis)).toEqual([{ id: "EXP1", runId: "r1", step: "drain", was: "running", ok: true }]);
      expect(calls).toEqual(["ListExperimentsCommand", "StopExperimentCommand", "GetExperimentCommand"]);
    }
  });

  it("leaves out an experiment that ended on its own, and reports the refusal when it is still going or FIS cannot say", async () => {
    for (const now of ["completed", "failed", "cancelled"]) expect(await stopTaggedExperiments(refusingFis(now).fis)).toEqual([]);
    for (const now of ["running", new Error("throttled")]) {
      expect(await stopTaggedExperiments(refusingFis(now).fis)).toEqual([
        { id: "EXP1", runId: "r1", step: "drain", was: "running", ok: false, error: "Experiment EXP1 is not in a state that can be stopped." },
      ]);
    }
  });
});

describe("stopTaggedExperiments", () => {
  it("stops the running experiments tagged gameday:run and leaves everyone else's running", async () => {
    r = await rig(stackYaml());
    const ours = await r.start("drain", { cluster: "prod" }, { percentage: 20, duration: "PT30M" });
    const theirs = await someoneElses();
    await r.h.advance(5_000);
    expect(await status(ours.fault.experimentId!)).toBe("running");
    expect(await status(theirs)).toBe("running");

    const stopped = await stopTaggedExperiments(await r.services.aws.fis());
    expect(stopped).toEqual([{ id: ours.fault.experimentId, runId: "rig", step: ours.fault.step, was: "running", ok: true }]);
    expect(["stopping", "stopped"]).toContain(await status(ours.fault.experimentId!));
    expect(await status(theirs)).toBe("running");
    // Nothing left to stop the second time.
    expect(await stopTaggedExperiments(await r.services.aws.fis())).toEqual([]);
  });

  it("with a run id, only that run's", async () => {
    r = await rig(stackYaml());
    const ours = await r.start("drain", { cluster: "prod" }, { percentage: 20, duration: "PT30M" });
    expect(await stopTaggedExperiments(await r.services.aws.fis(), { runId: "another-run" })).toEqual([]);
    expect(await status(ours.fault.experimentId!)).toBe("running");
    expect((await stopTaggedExperiments(await r.services.aws.fis(), { runId: "rig" })).map((s) => s.id)).toEqual([ours.fault.experimentId]);
  });

  it("orphans: stops and deletes only what runs the caller does not keep, leaving untagged templates alone", async () => {
    r = await rig(stackYaml());
    const ours = await r.start("drain", { cluster: "prod" }, { percentage: 20, duration: "PT30M" });
    const theirs = await someoneElses();
    const fis = await r.services.aws.fis();
    expect(await stopTaggedExperiments(fis, { keep: (id) => id === "rig" })).toEqual([]);
    expect(await deleteTaggedTemplates(fis, (id) => id === "rig")).toEqual([]);

    expect((await stopTaggedExperiments(fis, { keep: () => false })).map((s) => s.id)).toEqual([ours.fault.experimentId]);
    await r.h.advance(5_000);
    expect(await deleteTaggedTemplates(fis, () => false)).toEqual([{ id: ours.fault.templateId, runId: "rig", ok: true }]);
    const left = (await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates ?? [];
    expect(left.map((t) => t.tags?.["gameday:run"])).toEqual([undefined]);
    expect(await status(theirs)).toBe("running");
  });
});
