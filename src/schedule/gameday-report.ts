/**
 * A game day's reports: the step journals through src/report, beside record.json/record.md. The
 * HTML overview is always written (the record's readable page with the charts); `--report` adds
 * other formats, as `chaos run --report` does. A step that left no readable journal (invalid
 * input, killed before it wrote one) is left out of the reports; the record still lists it.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readJournal, writeReports, type ReportFormat, type ReportJournal } from "../report/index.js";
import { InvalidInputError } from "../experiment/model.js";
import type { GamedayRecord } from "./gameday-record.js";

/** The journals of the steps that wrote one, in step order. */
export function stepJournals(record: GamedayRecord, cwd: string): ReportJournal[] {
  const out: ReportJournal[] = [];
  for (const step of record.steps) {
    if (step.journal === undefined) continue;
    const path = resolve(cwd, step.journal);
    if (!existsSync(path)) continue;
    try {
      out.push(readJournal(step.journal, path));
    } catch (err) {
      // A journal cut short by a kill is not a report's input; any other error is a defect to show.
      if (!(err instanceof InvalidInputError)) throw err;
    }
  }
  return out;
}

/** The formats a game day writes: html always, then those asked for, each once. */
export function gamedayReportFormats(requested: readonly ReportFormat[]): ReportFormat[] {
  return ["html", ...requested.filter((f) => f !== "html")];
}

/** Writes the reports into the game day's directory and returns their paths. */
export function writeGamedayReports(dir: string, record: GamedayRecord, requested: readonly ReportFormat[], cwd: string): string[] {
  return writeReports(stepJournals(record, cwd), gamedayReportFormats(requested), { dir, title: `Game day: ${record.runbook.title} (${record.status})` });
}
