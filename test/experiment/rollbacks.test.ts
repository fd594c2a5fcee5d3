import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../src/experiment/loader.js";
import { errorAt, errorsOf } from "./helpers.js";

const method = "method:\n  - fault: task-kill\n    name: kill\n    target: { cluster: prod, select: ALL }\n  - probe: draining\n    name: watch\n  - pause: PT1S\n    name: wait\n";
const action = "  - type: action\n    name: restore\n    provider: { type: process, path: ./bin/restore }\n";

describe("rollbacks accept only what the rollback runner can run", () => {
  it("refuses a fault step, saying that gameday reverts faults itself", () => {
    const errors = errorsOf(`title: t\n${method}rollbacks:\n  - fault: drain\n    target: { cluster: prod }\n`);
    expect(errors).toHaveLength(1);
    const error = errorAt(errors, "rollbacks[0].fault");
    expect(error.position).toEqual({ line: 11, column: 12 });
    expect(error.expected).toContain("`type: action` with an http or process provider");
    expect(error.expected).toContain("gameday reverts every fault itself");
    expect(error.found).toBe('a `fault:` step ("drain")');
  });

  it("refuses a probe step, pointing at the steady-state check after the rollbacks", () => {
    const error = errorAt(errorsOf(`title: t\n${method}rollbacks:\n${action}  - probe: service-recovery\n    with: { cluster: prod }\n`), "rollbacks[1].probe");
    expect(error.position).toEqual({ line: 14, column: 12 });
    expect(error.expected).toContain("the steady-state hypothesis is checked again after the rollbacks");
    expect(error.found).toBe('a `probe:` step ("service-recovery")');
  });

  it("refuses a ref to a fault or probe step, and accepts a ref to an action or pause", () => {
    const errors = errorsOf(`title: t\n${method}  - type: action\n    name: poke\n    provider: { type: http, url: "http://127.0.0.1:1/" }\nrollbacks:\n  - ref: kill\n  - ref: watch\n  - ref: poke\n  - ref: wait\n`);
    expect(errors.map((e) => [e.path, e.position?.line])).toEqual([
      ["rollbacks[0].ref", 14],
      ["rollbacks[1].ref", 15],
    ]);
    expect(errors[0]).toMatchObject({ expected: "the name of an action or a pause: rollbacks run Chaos Toolkit activities and pauses only", found: "`kill`, a `fault:` step" });
    expect(errors[1]?.found).toBe("`watch`, a `probe:` step");
  });

  it("accepts actions, Chaos Toolkit probes and pauses", () => {
    const text = `title: t\n${method}rollbacks:\n${action}  - type: probe\n    name: check\n    provider: { type: http, url: "http://127.0.0.1:1/" }\n  - pause: PT5S\n`;
    const { experiment } = parseExperiment(text, "exp.yaml", { env: {} });
    expect(experiment.rollbacks.map((s) => s.kind)).toEqual(["activity", "activity", "pause"]);
  });

  it("still says what a step that is none of the forms should be", () => {
    const error = errorAt(errorsOf(`title: t\n${method}rollbacks:\n  - action: restore\n`), "rollbacks[0]");
    expect(error.expected).toMatch(/^a rollback: a Chaos Toolkit activity/);
    expect(error.found).toBe("a map with `action`");
  });
});
