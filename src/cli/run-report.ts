/**
 * `chaos run --report html,md,junit`: the reports of one run, next to its journal. The report
 * module is loaded only when a report is asked for.
 */
import { basename, dirname } from "node:path";
import type { ReportFormat } from "../report/index.js";

/** Checked before the run starts: a typo must not cost a whole run. */
export async function parseReportFlag(values: readonly string[]): Promise<ReportFormat[]> {
  const { reportFormats } = await import("./report-command.js");
  return reportFormats(values, "--report");
}

/** Writes the reports beside the journal: report.html in a run directory, <stem>.report.html beside a --journal-path of another name. */
export async function writeRunReports(journalPath: string, formats: readonly ReportFormat[]): Promise<string[]> {
  const { readJournal, writeReports } = await import("../report/index.js");
  const name = basename(journalPath);
  const stem = name === "journal.json" ? undefined : name.replace(/\.json$/i, "");
  return writeReports([readJournal(journalPath)], formats, { dir: dirname(journalPath), ...(stem !== undefined ? { stem } : {}) });
}
