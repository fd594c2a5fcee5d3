/**
 * The run dies between asking FIS for a template and learning its id (here: the answer is lost).
 * The intent written before the call lets recovery find the template by its tags and delete it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CreateExperimentTemplateCommand, ListExperimentTemplatesCommand, type FisClient } from "@aws-sdk/client-fis";
import { rig, stackYaml, type Rig } from "./rig.js";
import { startFault } from "../../src/faults/fis-runner.js";
import { loadFault } from "../../src/faults/index.js";
import type { RunServices } from "../../src/engine/ports.js";

let r: Rig | undefined;
afterEach(() => r?.close());

async function templatesOf(fis: FisClient, step: string): Promise<string[]> {
  const out = await fis.send(new ListExperimentTemplatesCommand({}));
  return (out.experimentTemplates ?? []).filter((t) => t.tags?.["gameday:step"] === step).map((t) => t.id!);
}

describe("a template created but never recorded", () => {
  it("is in the ledger before CreateExperimentTemplate, and recovery deletes it by its tags", async () => {
    r = await rig(stackYaml());
    const real = await r.services.aws.fis();
    // FIS creates the template; the process never hears back (killed, or the connection dropped).
    const lossy = {
      send: async (command: unknown, options?: unknown) => {
        const out = await real.send(command as never, options as never);
        if (command instanceof CreateExperimentTemplateCommand) throw new Error("socket hang up");
        return out;
      },
    };
    const services = { ...r.services, aws: { ...r.services.aws, fis: async () => lossy } } as unknown as RunServices;
    const module = (await loadFault("task-kill"))!;
    const params = module.params.parse({});
    const target = module.target.parse({ cluster: "prod" });
    const fragment = module.compile({ params, target, configuration: {}, region: "us-east-1", accountId: "123456789012" });
    await expect(
      startFault({ runId: "rig", stepName: "kill-one", module, params, target, fragment, services, run: r.run, ledger: r.ledger, signal: new AbortController().signal, accountId: "123456789012", configuration: {} }),
    ).rejects.toThrow("socket hang up");

    const [created] = await templatesOf(real, "kill-one");
    expect(created).toBeDefined();
    const pending = r.ledger.pending();
    expect(pending.map((p) => p.undo.type)).toEqual(["fis-delete-tagged-templates"]);
    expect(pending[0]!.undo).toMatchObject({ runId: "rig", step: "kill-one", clientToken: expect.any(String) });

    const undone = await r.undoPending();
    expect(undone).toEqual([{ description: pending[0]!.description, ok: true, detail: `deleted experiment template ${created} (found by its tags)` }]);
    expect(await templatesOf(real, "kill-one")).toEqual([]);
  });

  it("once the id is known, the tag search is superseded by the delete by id", async () => {
    r = await rig(stackYaml());
    await r.start("task-kill", { cluster: "prod" });
    const entries = r.ledger.entries();
    const byTag = entries.find((e) => e.op === "intent" && e.undo.type === "fis-delete-tagged-templates");
    expect(byTag).toBeDefined();
    expect(entries.some((e) => e.op === "undone" && e.id === (byTag as { id: string }).id && e.note?.startsWith("superseded"))).toBe(true);
    expect(r.ledger.pending().map((p) => p.undo.type)).not.toContain("fis-delete-tagged-templates");
    // Written before the template id intent.
    const order = entries.filter((e) => e.op === "intent").map((e) => (e as { undo: { type: string } }).undo.type);
    expect(order.indexOf("fis-delete-tagged-templates")).toBeLessThan(order.indexOf("fis-delete-template"));
  });
});
