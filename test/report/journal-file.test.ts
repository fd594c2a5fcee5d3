import { describe, expect, it } from "vitest";
import { parseJournal } from "../../src/report/journal-file.js";
import { InvalidInputError, formatInputError } from "../../src/experiment/model.js";

function errorsOf(text: string): string[] {
  try {
    parseJournal(text, "runs/j.json");
  } catch (err) {
    if (err instanceof InvalidInputError) return err.errors.map(formatInputError);
    throw err;
  }
  return [];
}

describe("reading a journal for a report", () => {
  it("names the file, line and field of what a gameday journal lacks", () => {
    const text = JSON.stringify({ start: "2020-11-25T13:16:32.000Z", status: "completed", deviated: false, experiment: {}, gameday: { runId: "r", seed: "42", target: { kind: "sandbox" }, probes: [], faults: [], rollbackResults: [], warnings: [] } }, null, 2);
    const [error, ...more] = errorsOf(text);
    expect(more).toEqual([]);
    expect(error).toMatch(/^runs\/j\.json:\d+:\d+: gameday\.seed: expected a number \(as in the journal chaos run writes\), found string "42"$/);
  });

  it("says where JSON syntax breaks", () => {
    expect(errorsOf('{\n  "start": ,\n}')[0]).toMatch(/^runs\/j\.json:2:\d+: \(document\): expected valid JSON/);
  });

  it("says once where broken JSON first breaks, not every error the parser cascades into", () => {
    expect(errorsOf('{\n  "start": ,\n  "status": ,\n  "deviated": \n}')).toEqual([expect.stringMatching(/^runs\/j\.json:2:\d+: \(document\): expected valid JSON/)]);
  });

  it("says in one line that a file of another kind (a README) is not a journal, quoting how it begins", () => {
    const readme = "# gameday\n\nChaos experiments: for the AWS dependencies that never go down.\n- item: one\n- item: two\n";
    expect(errorsOf(readme)).toEqual(['runs/j.json: (document): expected a JSON journal written by chaos run, found text that is not JSON: "# gameday"']);
    expect(errorsOf("\n  \n")).toEqual(["runs/j.json: (document): expected a JSON journal written by chaos run, found text that is not JSON (an empty file)"]);
  });
});
