import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { noteText, readCheckpointLine, TerminalFacilitator } from "../../src/cli/gameday-prompt.js";

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
  it("takes every line between checkpoints as a note, without a leading note: or note", async () => {
    const t = terminal();
    t.input.write("first look: fine\nno alarms yet\nnote: third\nNote fourth\n");
    await turn();
    expect(t.notes).toEqual(["first look: fine", "no alarms yet", "third", "fourth"]);
    t.facilitator.close();
  });

  it("at a checkpoint, a note asks again; y continues, n aborts; the prompt says how to answer", async () => {
    const t = terminal();
    const first = t.facilitator.checkpoint("go on?", new AbortController().signal);
    t.input.write("alarm fired late\ny\n");
    expect(await first).toEqual({ answer: "continue" });
    expect(t.notes).toEqual(["alarm fired late"]);
    expect(t.shown().split("checkpoint: go on? [y]es to continue, [n]o <why> to abort, or type a note: ").length - 1).toBe(2);
    const second = t.facilitator.checkpoint("again?", new AbortController().signal);
    t.input.write("n\n");
    expect(await second).toEqual({ answer: "abort" });
    t.facilitator.close();
  });

  it("at a checkpoint, an answer whose first word is n or no aborts with the rest of the line as the reason", async () => {
    for (const [line, reason] of [
      ["n too many alarms", "too many alarms"],
      ["No: paging storm", "paging storm"],
      ["no, too many alarms", "too many alarms"],
      ["NO", undefined],
      ["n:", undefined],
      ["abort: dashboards down", "dashboards down"],
    ] as const) {
      const t = terminal();
      const answer = t.facilitator.checkpoint("go on?", new AbortController().signal);
      t.input.write(`${line}\n`);
      expect(await answer, line).toEqual(reason === undefined ? { answer: "abort" } : { answer: "abort", reason });
      expect(t.notes, line).toEqual([]);
      t.facilitator.close();
    }
  });

  it("at a checkpoint, a line that merely starts with the letters no is a note, and the question is asked again", async () => {
    const t = terminal();
    const answer = t.facilitator.checkpoint("go on?", new AbortController().signal);
    t.input.write("nothing odd\nnote: drain took 40s\nnope\nnoisy neighbour on node 3\nn/a\nyes, drain was clean\n");
    expect(await answer).toEqual({ answer: "continue", reason: "drain was clean" });
    expect(t.notes).toEqual(["nothing odd", "drain took 40s", "nope", "noisy neighbour on node 3", "n/a"]);
    t.facilitator.close();
  });

  it("reads y, yes and continue as continue (with a reason after them), a and c only on their own", () => {
    expect(readCheckpointLine("y")).toEqual({ answer: "continue" });
    expect(readCheckpointLine(" Yes: all green ")).toEqual({ answer: "continue", reason: "all green" });
    expect(readCheckpointLine("continue")).toEqual({ answer: "continue" });
    expect(readCheckpointLine("c")).toEqual({ answer: "continue" });
    expect(readCheckpointLine("a")).toEqual({ answer: "abort" });
    expect(readCheckpointLine("a lot of 5xx on web")).toEqual({ note: "a lot of 5xx on web" });
    expect(readCheckpointLine("yesterday's alarm fired again")).toEqual({ note: "yesterday's alarm fired again" });
    expect(readCheckpointLine("")).toEqual({ note: "" });
  });

  it("aborts at a checkpoint once the input has ended, instead of waiting for ever, and says why", async () => {
    const t = terminal();
    t.input.end();
    await turn();
    expect(await t.facilitator.checkpoint("go on?", new AbortController().signal)).toEqual({ answer: "abort", reason: "no answer can come (the terminal's input has ended)" });
    expect(t.shown()).toContain("no answer can come (the terminal's input has ended): aborting");
  });

  it("noteText strips the note prefix only", () => {
    expect(noteText("note  the drain took 40s")).toBe("the drain took 40s");
    expect(noteText("note:the drain took 40s")).toBe("the drain took 40s");
    expect(noteText("n the drain took 40s")).toBe("n the drain took 40s");
    expect(noteText("nothing odd")).toBe("nothing odd");
    expect(noteText("notebook left in room 2")).toBe("notebook left in room 2");
  });
});
