import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadExperiment } from "../../src/experiment/loader.js";
import { InvalidInputError } from "../../src/experiment/model.js";
import { experimentStack, withoutExperimentStack } from "../../src/experiment/sandbox-stack.js";

const BODY = ["title: t", "description: d", "method:", "  - fault: task-kill", "    target: { cluster: prod, service: web }", ""].join("\n");

function writeExperiment(extensions: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "gameday-stack-"));
  mkdirSync(join(dir, "stacks"));
  writeFileSync(join(dir, "stacks", "mine.yaml"), "region: us-east-1\n");
  mkdirSync(join(dir, "experiments"));
  const file = join(dir, "experiments", "e.yaml");
  writeFileSync(file, BODY + extensions);
  return { dir, file };
}

describe("the sandbox stack an experiment names in its gameday extension", () => {
  it("resolves the path against the experiment's directory, not the working directory", async () => {
    const { dir, file } = writeExperiment("extensions:\n  - name: other\n  - name: gameday\n    stack: ../stacks/mine.yaml\n");
    expect(experimentStack(await loadExperiment(file))).toEqual({ named: "../stacks/mine.yaml", file: join(dir, "stacks", "mine.yaml") });
  });

  it("is absent without the extension, or when the gameday entry names no stack", async () => {
    expect(experimentStack(await loadExperiment(writeExperiment("").file))).toBeUndefined();
    expect(experimentStack(await loadExperiment(writeExperiment("extensions:\n  - name: gameday\n").file))).toBeUndefined();
  });

  it("refuses a stack file that does not exist, naming the file, line, column and field", async () => {
    const { file } = writeExperiment("extensions:\n  - name: gameday\n    stack: ../stacks/missing.yaml\n");
    const loaded = await loadExperiment(file);
    const err = (() => {
      try {
        experimentStack(loaded);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:8:12: extensions\\[0\\]\\.stack: expected a stack file, relative to the experiment file, found \\.\\./stacks/missing\\.yaml \\(no such file`));
  });

  it("refuses a stack that is not a path", async () => {
    const { file } = writeExperiment("extensions:\n  - name: gameday\n    stack: 3\n");
    expect(() => experimentStack({ file, raw: { extensions: [{ name: "gameday", stack: 3 }] }, positionOf: () => undefined })).toThrow(/extensions\[0\]\.stack: expected a stack file, relative to the experiment file, found 3/);
  });

  it("is stripped from files written elsewhere (explore's replays), keeping other extensions and other gameday keys", () => {
    const raw = { title: "t", extensions: [{ name: "other", x: 1 }, { name: "gameday", stack: "../s.yaml" }] };
    expect(withoutExperimentStack(raw)).toEqual({ title: "t", extensions: [{ name: "other", x: 1 }] });
    expect(withoutExperimentStack({ extensions: [{ name: "gameday", stack: "s", note: "n" }] })).toEqual({ extensions: [{ name: "gameday", note: "n" }] });
    expect(withoutExperimentStack({ title: "t", extensions: [{ name: "gameday", stack: "s" }] })).toEqual({ title: "t" });
  });
});
