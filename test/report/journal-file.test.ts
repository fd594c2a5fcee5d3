import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJournal, readJournal } from "../../src/report/journal-file.js";
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
    const text = JSON.stringify({ start: "2020-11-25T13:16:32.000Z", status: "completed", deviated: false, steady_states: { before: null, after: null, during: [] }, experiment: {}, gameday: { runId: "r", seed: "42", target: { kind: "sandbox" }, probes: [], faults: [], rollbackResults: [], warnings: [] } }, null, 2);
    const [error, ...more] = errorsOf(text);
    expect(more).toEqual([]);
    expect(error).toMatch(/^runs\/j\.json:\d+:\d+: gameday\.seed: expected a number \(as in the journal chaos run writes\), found string "42"$/);
  });

  it("names a journal without its steady states instead of failing inside the report (a TypeError)", () => {
    const text = JSON.stringify({ start: "2020-11-25T13:16:32.000Z", status: "completed", deviated: false, experiment: {}, gameday: { runId: "r", seed: 42, target: { kind: "sandbox" }, probes: [], faults: [], rollbackResults: [], warnings: [] } }, null, 2);
    expect(errorsOf(text)).toEqual([expect.stringMatching(/^runs\/j\.json(:\d+:\d+)?: steady_states: expected an object \(as in the journal chaos run writes\), found nothing$/)]);
    const before = JSON.stringify({ start: "2020-11-25T13:16:32.000Z", status: "completed", deviated: false, steady_states: { before: { steady_state_met: "yes", probes: [] }, after: null }, experiment: {}, gameday: { runId: "r", seed: 42, target: { kind: "sandbox" }, probes: [], faults: [], rollbackResults: [], warnings: [] } }, null, 2);
    expect(errorsOf(before)).toEqual([expect.stringMatching(/^runs\/j\.json:\d+:\d+: steady_states\.before\.steady_state_met: expected a boolean .*found string "yes"$/)]);
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

  it("says in one line that a game day's record.json is not a journal, and where its report is", () => {
    const record = JSON.stringify({ id: "g", runbook: { file: "r.yaml", title: "R" }, target: "sandbox", steps: [], preChecks: [], checkpoints: [], notes: [] }, null, 2);
    expect(errorsOf(record)).toEqual(["runs/j.json: (document): expected a journal written by chaos run, found a game-day record (record.json): chaos gameday writes its report beside it, as report.html and record.md"]);
  });

  it("says in one line that JSON of another kind (a package.json) is not a journal, not a field error per missing field", () => {
    const pkg = JSON.stringify({ name: "gameday", version: "0.1.0", type: "module", license: "Apache-2.0", bin: {}, scripts: {}, dependencies: {} }, null, 2);
    expect(errorsOf(pkg)).toEqual(["runs/j.json: (document): expected a gameday run journal (chaos run writes journal.json), found a JSON document without gameday: (its top-level keys: name, version, type, license, bin, ...)"]);
    expect(errorsOf("{}")).toEqual(["runs/j.json: (document): expected a gameday run journal (chaos run writes journal.json), found an empty JSON object"]);
    expect(errorsOf("[1, 2]")).toEqual(["runs/j.json: (document): expected a gameday run journal (chaos run writes journal.json), found a JSON list, not an object"]);
    const ctk = JSON.stringify({ "chaoslib-version": "1.42.0", start: "2020-11-25T13:16:32.000Z", status: "completed", deviated: false, experiment: {}, steady_states: {}, run: [] });
    expect(errorsOf(ctk)).toEqual(["runs/j.json: (document): expected a gameday run journal (chaos run writes journal.json), found a Chaos Toolkit journal without the gameday: section chaos run adds to it"]);
  });

  it("checks a document with a gameday: section field by field: it is a journal, broken", () => {
    const text = JSON.stringify({ gameday: { runId: "r" } }, null, 2);
    const found = errorsOf(text);
    expect(found).toContainEqual(expect.stringMatching(/^runs\/j\.json(:\d+:\d+)?: start: expected a string \(as in the journal chaos run writes\), found nothing$/));
    expect(found).toContainEqual(expect.stringMatching(/^runs\/j\.json:\d+:\d+: gameday\.seed: expected a number .*found nothing$/));
  });

  it("says 'an object', not 'a object'", () => {
    const text = JSON.stringify({ start: "2020-11-25T13:16:32.000Z", status: "completed", deviated: false, steady_states: { before: null, after: null, during: [] }, experiment: 3, gameday: { runId: "r", seed: 42, target: { kind: "sandbox" }, probes: [], faults: [], rollbackResults: [], warnings: [] } });
    expect(errorsOf(text).join("\n")).toMatch(/experiment: expected an object \(as in the journal chaos run writes\)/);
  });

  it("reads a run's directory as the journal.json in it; a game day's directory or an empty one is named for what it is", () => {
    const dir = mkdtempSync(join(tmpdir(), "gameday-journal-dir-"));
    const run = join(dir, "run");
    mkdirSync(run);
    writeFileSync(join(run, "journal.json"), "# not a journal\n");
    // The journal inside is what is read (and named): its own problem is reported.
    expect(() => readJournal("run", run)).toThrow(InvalidInputError);
    try {
      readJournal("run", run);
    } catch (err) {
      expect((err as InvalidInputError).errors.map(formatInputError)).toEqual(['run/journal.json: (document): expected a JSON journal written by chaos run, found text that is not JSON: "# not a journal"']);
    }
    const game = join(dir, "game");
    mkdirSync(game);
    writeFileSync(join(game, "record.json"), "{}");
    for (const [name, found] of [
      ["game", "a game day's directory: its report is report.html there, written by chaos gameday"],
      [".", "a directory without a journal.json"],
    ] as const) {
      try {
        readJournal(name, name === "game" ? game : dir);
        expect.unreachable();
      } catch (err) {
        expect((err as InvalidInputError).errors.map(formatInputError)).toEqual([`${name}: (file): expected a journal file, or a run's directory holding one, found ${found}`]);
      }
    }
  });

  it("says in words that a file or directory does not exist, naming the path, not an errno (ENOENT)", () => {
    const dir = mkdtempSync(join(tmpdir(), "gameday-journal-"));
    for (const name of ["gone", "gone/journal.json"]) {
      try {
        readJournal(name, join(dir, name));
        expect.unreachable();
      } catch (err) {
        expect((err as InvalidInputError).errors.map(formatInputError)).toEqual([`${name}: (file): expected a journal file that can be read, found no such file or directory: ${join(dir, name)}`]);
      }
    }
  });
});
