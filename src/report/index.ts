/**
 * Reports people read, from journals. The API other commands use (`chaos run --report`, `chaos
 * report`, game days and gates):
 *
 *   readJournal(file): ReportJournal                    read and check one journal (input errors name the file and field)
 *   renderReport(journals, format, { title? }): string  one report of one or several runs (several get an overview)
 *   writeReports(journals, formats, { dir, title? }): string[]
 *                                                       writes each format into `dir` (REPORT_FILES names) and returns the paths
 *   parseReportFormats(values): ReportFormat[]          "html,md" or repeated values; throws ReportFormatError on a bad name
 *
 * Formats: html (one self-contained file with the charts), md (GitHub-flavoured Markdown), junit
 * (Ant/Jenkins JUnit XML), json (the same model the others render, for tools).
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import { runReport, type RunReport } from "./run-report.js";
import type { ReportJournal } from "./journal-file.js";

export { readJournal, parseJournal, type ReportJournal } from "./journal-file.js";
export { runReport, probeSuccess, type RunReport, type Chart } from "./run-report.js";

export const REPORT_FORMATS = ["html", "md", "junit", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The file each format is written to, in the directory a report goes to. */
export const REPORT_FILES: Readonly<Record<ReportFormat, string>> = { html: "report.html", md: "report.md", junit: "junit.xml", json: "report.json" };

export class ReportFormatError extends Error {
  constructor(readonly found: string) {
    super(`expected a report format (${REPORT_FORMATS.join(", ")}), found ${JSON.stringify(found)}`);
    this.name = "ReportFormatError";
  }
}

/** Formats from repeated values and comma lists, in order, each once. */
export function parseReportFormats(values: readonly string[]): ReportFormat[] {
  const out: ReportFormat[] = [];
  for (const word of values.flatMap((v) => v.split(",")).map((w) => w.trim())) {
    const format = word === "markdown" ? "md" : word === "xml" ? "junit" : word;
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new ReportFormatError(word);
    if (!out.includes(format as ReportFormat)) out.push(format as ReportFormat);
  }
  return out;
}

export interface ReportOptions {
  /** The report's heading; by default the experiment's title, or "N runs". */
  title?: string;
  /** HTML (already escaped) placed under the HTML report's heading, before the runs: a game day's record. Other formats leave it out. */
  htmlPreface?: string;
}

export function renderRuns(runs: RunReport[], format: ReportFormat, options: ReportOptions = {}): string {
  switch (format) {
    case "html":
      return renderHtml(runs, options.title, options.htmlPreface);
    case "md":
      return renderMarkdown(runs, options.title);
    case "junit":
      return renderJunit(runs, hostname());
    case "json":
      return `${JSON.stringify({ ...(options.title ? { title: options.title } : {}), runs }, null, 2)}\n`;
  }
}

export function renderReport(journals: ReportJournal[], format: ReportFormat, options: ReportOptions = {}): string {
  return renderRuns(journals.map((j) => runReport(j)), format, options);
}

/** A report's file name: REPORT_FILES, or with a stem (`j.report.html`, `j.junit.xml`) beside a journal of another name. */
export function reportFileName(format: ReportFormat, stem?: string): string {
  return stem === undefined ? REPORT_FILES[format] : `${stem}.${REPORT_FILES[format]}`;
}

/**
 * Writes each format into `dir` (atomically: a reader never sees half a report) and returns the
 * paths; `stem` prefixes the file names (see reportFileName).
 */
export function writeReports(journals: ReportJournal[], formats: readonly ReportFormat[], options: ReportOptions & { dir: string; stem?: string }): string[] {
  const runs = journals.map((j) => runReport(j));
  return formats.map((format) => writeAtomically(join(options.dir, reportFileName(format, options.stem)), renderRuns(runs, format, options)));
}

/** Writes one report at `path` (its directory made if missing), atomically as writeReports does. */
export function writeReportFile(journals: ReportJournal[], format: ReportFormat, path: string, options: ReportOptions = {}): string {
  return writeAtomically(path, renderReport(journals, format, options));
}

function writeAtomically(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  return path;
}
