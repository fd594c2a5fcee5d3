/**
 * The fault step's end on its own, against the embedded sandbox: a fault's FIS experiment that is
 * still running after its expected duration (plus grace) is stopped by gameday, through the
 * faults' FIS helpers, and the journal says so; the steady state after would otherwise be read
 * with the fault still in place.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GetExperimentCommand } from "@aws-sdk/client-fis";
import { rig, stackYaml, type Rig } from "../faults/rig.js";
import { experiment, setup } from "./harness.js";
import { RunContext } from "../../src/engine/run-context.js";
import { FAULT_GRACE_MS, waitForFaults } from "../../src/engine/fault-step.js";
import type { PlannedFault } from "../../src/engine/plan.js";

let r: Rig | undefined;
afterEach(() => r?.close());

async function overdueDrain(expectedMs: number) {
  r = await rig(stackYaml());
  const started = await r.start("drain", { cluster: "prod" }, { percentage: 50, duration: "PT10M" });
  const s = await setup(experiment({}));
  const planned = { module: { ...started.module, expectedDurationMs: () => expectedMs }, params: started.fault.params, target: started.fault.target } as unknown as PlannedFault;
  const plan = { ...s.options.plan, faults: new Map([[started.fault.step, planned]]) };
  const ctx = new RunContext({ ...s.options, plan, services: r.services, ledger: r.ledger });
  ctx.faults.push(started.fault);
  ctx.openChaosWindow(started.fault.startedAt);
  return { ctx, started, s };
}

async function status(id: string): Promise<string | undefined> {
  const fis = await r!.services.aws.fis();
  return (await fis.send(new GetExperimentCommand({ id }))).experiment?.state?.status;
}

describe("the end of the faults", () => {
  it("stops a fault's FIS experiment that outlives its expected duration and grace, and warns", async () => {
    const { ctx, started } = await overdueDrain(60_000);
    const id = started.fault.experimentId!;
    await waitForFaults(ctx);
    // Waited for the expected minute and the grace, no longer (the drain itself asked for ten).
    expect(ctx.now() - started.fault.startedAt).toBe(60_000 + FAULT_GRACE_MS);
    expect(ctx.faults[0]!.status).toBe("running");
    expect(ctx.journal.doc.gameday.warnings).toEqual([`FIS experiment ${id} was still running after its expected duration; stopping it`]);
    expect(["stopping", "stopped"]).toContain(await status(id));
    expect(ctx.chaosWindow?.end).toBe(ctx.now());
  });

  it("leaves an experiment that ends in time alone", async () => {
    const { ctx, started } = await overdueDrain(10 * 60_000);
    await waitForFaults(ctx);
    expect(ctx.faults[0]!.status).toBe("completed");
    expect(ctx.journal.doc.gameday.warnings).toEqual([]);
    expect(await status(started.fault.experimentId!)).toBe("completed");
  });
});
