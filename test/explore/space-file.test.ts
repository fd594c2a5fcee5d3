import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/experiment/model.js";
import { isSpaceDocument, readSpaceFile } from "../../src/explore/space-file.js";

function errorsOf(text: string): string[] {
  try {
    readSpaceFile("/w/spaces/s.yaml", text);
  } catch (err) {
    if (err instanceof InvalidInputError) return err.message.split("\n");
    throw err;
  }
  throw new Error("expected errors");
}

describe("space files", () => {
  it("resolve the experiment, the stack and the bounds against the file's directory", () => {
    const s = readSpaceFile("/w/spaces/s.yaml", "explore: ../exp/spot.yaml\nstack: ../stacks/tight.yaml\nfaults: [a, { fault: task-kill, target: { cluster: prod } }]\nmaxFaults: 2\nwindow: PT1M\noffsetStep: PT5S\nmaxDuration: PT4M\n");
    expect(s).toMatchObject({ experiment: "/w/exp/spot.yaml", stack: "/w/stacks/tight.yaml", faults: ["a", { fault: "task-kill", target: { cluster: "prod" } }], bounds: { maxFaults: 2, windowMs: 60_000, offsetStepMs: 5_000, maxDurationMs: 240_000 } });
    // A catalog name stays a name.
    expect(readSpaceFile("/w/s.yaml", "explore: spot-interrupt\n").experiment).toBe("spot-interrupt");
    expect(isSpaceDocument({ explore: "x" })).toBe(true);
    expect(isSpaceDocument({ title: "an experiment" })).toBe(false);
  });

  it("report every mistake at its line and column, with what was expected and what was found", () => {
    const errors = errorsOf("explore: spot-interrupt\nwindow: 3m\nmaxFaults: 0\nfaults:\n  - { fault: spot-interupt }\nbudget: PT1M\n");
    expect(errors).toEqual([
      expect.stringMatching(/^\/w\/spaces\/s\.yaml:2:9: window: expected a positive ISO 8601 duration such as PT3M, found "3m"$/),
      expect.stringMatching(/^\/w\/spaces\/s\.yaml:3:12: maxFaults: expected a whole number of at least 1, found 0$/),
      expect.stringMatching(/^\/w\/spaces\/s\.yaml:5:14: faults\[0\]\.fault: expected a catalog fault: spot-interrupt, .*found "spot-interupt"$/),
      expect.stringMatching(/^\/w\/spaces\/s\.yaml:6:1: \(document\): expected explore, stack, faults, .* found the key "budget"$/),
    ]);
  });

  it("read crashes of the log producers and the experiment's variables, and report mistakes in them at their line", () => {
    const s = readSpaceFile("/w/s.yaml", "explore: kinesis-throttle\ncrashes: { max: 2, target: { cluster: prod, service: web }, process: fluent-bit }\nvars: { duration: PT2M, percentage:int: 60 }\n");
    expect(s).toMatchObject({ crashes: { max: 2, target: { cluster: "prod", service: "web" }, process: "fluent-bit" }, vars: { duration: "PT2M", "percentage:int": "60" } });
    expect(readSpaceFile("/w/s.yaml", "explore: kinesis-throttle\n").vars).toEqual({});
    expect(errorsOf("explore: kinesis-throttle\ncrashes: { max: 11 }\nvars: { 9lives: x }\n")).toEqual([
      expect.stringMatching(/^\/w\/spaces\/s\.yaml:2:17: crashes\.max: expected a whole number of at most 10, found 11$/),
      expect.stringMatching(/^\/w\/spaces\/s\.yaml:3:\d+: vars\["9lives"\]: expected a variable name \(name or name:type, .*found "9lives"$/),
    ]);
  });
});
