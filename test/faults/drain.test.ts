import { afterEach, describe, expect, it } from "vitest";
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand, UpdateContainerInstancesStateCommand } from "@aws-sdk/client-ecs";
import { rig, stackYaml, type Rig } from "./rig.js";
import type { LedgerEntry } from "../../src/engine/ledger.js";

let r: Rig;
afterEach(() => r?.close());

// Six instances: three on-demand, three spot; no drain handler, so only the faults drain.
const stack = () => stackYaml();

async function statuses(): Promise<Map<string, string>> {
  const ecs = r.h.ecs;
  const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster: "prod" }))).containerInstanceArns!;
  const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: arns }));
  return new Map(d.containerInstances!.map((c) => [c.ec2InstanceId!, c.status!]));
}

async function setStatus(instanceIds: string[], status: "ACTIVE" | "DRAINING") {
  const ecs = r.h.ecs;
  const arns = [];
  for (const id of instanceIds) arns.push((await ecs.send(new ListContainerInstancesCommand({ cluster: "prod", filter: `ec2InstanceId == ${id}` }))).containerInstanceArns![0]!);
  await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: "prod", containerInstances: arns, status }));
}

const draining = (m: Map<string, string>) => [...m].filter(([, s]) => s === "DRAINING").map(([id]) => id).sort();

function activateIntents(): Extract<LedgerEntry, { op: "intent" }>[] {
  return r.ledger.entries().filter((e): e is Extract<LedgerEntry, { op: "intent" }> => e.op === "intent" && e.undo.type === "ecs-activate-instances");
}

describe("drain: landing and undo count only what the drain moved", () => {
  it("lands on the instances it moved, not on one that was DRAINING before", async () => {
    r = await rig(stack());
    const [already] = [...(await statuses()).keys()];
    await setStatus([already!], "DRAINING");
    const started = await r.start("drain", { cluster: "prod" }, { percentage: 40, duration: "PT5M" });
    const moved = draining(await statuses()).filter((id) => id !== already);
    expect(moved).toHaveLength(2); // 40% of the 5 ACTIVE, rounded up as FIS does in the sandbox

    const v = await started.verify();
    expect(v.landed, v.detail).toBe(true);
    expect(v.detail).toMatch(/^2 of 5 container instance\(s\) ACTIVE -> DRAINING/);
    expect([...(v.evidence!.instanceIds as string[])].sort()).toEqual(moved);
    expect(v.detail).not.toContain(already);
  });

  it("narrows the ledger's undo to the moved instances once the drain has run", async () => {
    r = await rig(stack());
    await r.start("drain", { cluster: "prod" }, { percentage: 50, duration: "PT5M" });
    const intents = activateIntents();
    expect(intents).toHaveLength(2);
    const [guess, narrowed] = intents;
    // The guess (everything ACTIVE before the start) was written first, for a crash in between ...
    expect(guess!.undo).toMatchObject({ containerInstances: expect.arrayContaining([expect.any(String)]) });
    expect((guess!.undo as { containerInstances: string[] }).containerInstances).toHaveLength(6);
    // ... and is superseded by the instances the drain really moved.
    expect((narrowed!.undo as { containerInstances: string[] }).containerInstances).toHaveLength(3);
    expect(r.ledger.pending().map((p) => p.id)).not.toContain(guess!.id);
    expect(r.ledger.pending().map((p) => p.id)).toContain(narrowed!.id);
    // Rollback goes newest first: the experiment is stopped before its instances are reactivated.
    const order = r.ledger.pending().map((p) => p.undo.type);
    expect(order.indexOf("fis-stop-experiments")).toBeLessThan(order.indexOf("ecs-activate-instances"));
  });

  it("recovery reactivates only what the drain moved, not an instance drained by something else meanwhile", async () => {
    r = await rig(stack());
    await r.start("drain", { cluster: "prod" }, { percentage: 50, duration: "PT30M" });
    const moved = draining(await statuses());
    const other = [...(await statuses())].find(([, s]) => s === "ACTIVE")![0];
    // Someone else drains another instance (a drain handler, an operator) while the drain runs.
    await setStatus([other], "DRAINING");
    // As after a crash: the FIS experiment is still running, the undo comes from the ledger.
    const results = await r.undoPending((type) => type === "ecs-activate-instances");
    expect(results).toHaveLength(1);
    expect(results[0]!.detail).toMatch(/^returned 3 container instance\(s\) in prod to ACTIVE/);
    const after = await statuses();
    for (const id of moved) expect(after.get(id)).toBe("ACTIVE");
    expect(after.get(other)).toBe("DRAINING");
  });

  it("leaves an instance DRAINING when a spot interruption notice is out for it", async () => {
    r = await rig(stack());
    await r.start("drain", { cluster: "prod" }, { percentage: 100, duration: "PT30M" });
    const spot = r.h.sandbox.ec2.all().find((i) => i.lifecycle === "spot")!.id;
    const interrupt = await r.start("spot-interrupt", { cluster: "prod", instanceIds: [spot] }, { durationBeforeInterruption: "PT5M" });
    expect(interrupt.fault.targets.map((t) => t.arn)).toEqual([expect.stringContaining(spot)]);
    await r.h.advance(5_000);
    const results = await r.undoPending((type) => type === "ecs-activate-instances");
    expect(results[0]!.detail).toMatch(/^returned 5 container instance\(s\) in prod to ACTIVE/);
    expect(results[0]!.detail).toContain(`left DRAINING: ${spot} (spot interruption notice from FIS experiment ${interrupt.fault.experimentId})`);
    const after = await statuses();
    expect(after.get(spot)).toBe("DRAINING");
    expect(draining(after)).toEqual([spot]);
  });

  it("does not land when no instance was ACTIVE to drain", async () => {
    r = await rig(stack());
    await setStatus([...(await statuses()).keys()], "DRAINING");
    const started = await r.start("drain", { cluster: "prod" }, { percentage: 50, duration: "PT5M" });
    const v = await started.verify();
    expect(v.landed).toBe(false);
    expect(v.detail).toBe("no container instance of prod was ACTIVE to drain");
  });
});
