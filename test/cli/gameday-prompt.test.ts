import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { noteText, TerminalFacilitator } from "../../src/cli/gameday-prompt.js";

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = "";
  output.setEncoding("utf8").on("data", (d: string) => (shown += d));
  const notes: string[] = [];
  const facilitator = new TerminalFacilitator(input, output, (t) => notes.push(t));
  return { input, facilitator, notes, shown: () => shown };
}

const turn = () => new Promise((r) => setImmediate(r));

describe("the facilitator at a terminal", () => {
  it("takes lines between checkpoints as notes, and n <text> as a note too", async () => {
    const t = terminal();
    t.input.write("first look: fine\nn second look\nnote: third\n");
    await turn();
    expect(t.notes).toEqual(["first look: fine", "second look", "third"]);
    t.facilitator.close();
  });

  it("at a checkpoint, a note asks again; y continues, n aborts", async () => {
    const t = terminal();
    const first = t.facilitator.checkpoint("go on?", new AbortController().signal);
    t.input.write("alarm fired late\ny\n");
    expect(await first).toBe("continue");
    expect(t.notes).toEqual(["alarm fired late"]);
    expect(t.shown().split("checkpoint: go on?").length - 1).toBe(2);
    const second = t.facilitator.checkpoint("again?", new AbortController().signal);
    t.input.write("n\n");
    expect(await second).toBe("abort");
    t.facilitator.close();
  });

  it("aborts at a checkpoint once the input has ended, instead of waiting for ever", async () => {
    const t = terminal();
    t.input.end();
    await turn();
    expect(await t.facilitator.checkpoint("go on?", new AbortController().signal)).toBe("abort");
    expect(t.shown()).toContain("no answer can come (the terminal's input has ended): aborting");
  });

  it("noteText strips the n and note prefixes only", () => {
    expect(noteText("n  the drain took 40s")).toBe("the drain took 40s");
    expect(noteText("nothing odd")).toBe("nothing odd");
  });
});
