/**
 * `chaos report <journal...>`: HTML, Markdown, JUnit XML or JSON from journals. One journal's
 * report goes next to it: inside a run directory given as the argument, or beside the journal
 * file, a symbolic link (./journal.json) followed to the run directory it points into. Several
 * journals make one report (with an overview) in the working directory. --out-dir or --output
 * says where instead.
 */
import { realpathSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { parseReportFormats, readJournal, ReportFormatError, writeReportFile, writeReports, type ReportFormat } from "../report/index.js";
import { fsProblem } from "../report/fs-problem.js";
import { usage } from "./errors.js";

export interface ReportFlags {
  format?: string[];
  outDir?: string;
  output?: string;
  title?: string;
}

export function reportFormats(values: readonly string[] | undefined, flag: string): ReportFormat[] {
  try {
    return parseReportFormats(values ?? []);
  } catch (err) {
    if (err instanceof ReportFormatError) throw usage(`${flag}: ${err.message}`);
    throw err;
  }
}

export async function reportCommand(files: string[], flags: ReportFlags): Promise<number> {
  const cwd = process.cwd();
  const formats = reportFormats(flags.format ?? ["html"], "--format");
  if (formats.length === 0) throw usage("--format: expected at least one of html, md, junit, json");
  if (flags.output !== undefined && flags.outDir !== undefined) throw usage("--output and --out-dir: give one of them");
  if (flags.output !== undefined && formats.length !== 1) throw usage(`--output names one file, but ${formats.length} formats were asked for; use --out-dir`);
  // Every journal is read (and every problem reported) before anything is written.
  const journals = files.map((f) => readJournal(f, resolve(cwd, f)));
  const title = flags.title !== undefined ? { title: flags.title } : {};
  let paths: string[];
  if (flags.output !== undefined) {
    const path = resolve(cwd, flags.output);
    paths = writing("--output", path, () => [writeReportFile(journals, formats[0]!, path, title)]);
  } else {
    const dir = flags.outDir !== undefined ? resolve(cwd, flags.outDir) : files.length === 1 ? besideJournal(resolve(cwd, files[0]!)) : cwd;
    paths = writing(flags.outDir !== undefined ? "--out-dir" : "the report's directory", dir, () => writeReports(journals, formats, { dir, ...title }));
  }
  for (const p of paths) process.stdout.write(`report: ${relative(cwd, p) || p}\n`);
  return 0;
}

/**
 * Where one journal's reports go by default: inside a run directory given for its journal.json,
 * else in the directory of the journal file itself, links followed: ./journal.json links into
 * .gameday/runs/<run-id>/, and the report belongs with that run, not in the working directory.
 */
export function besideJournal(path: string): string {
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // Read a moment ago; if it went since, the path as given.
  }
  return isDirectory(real) ? real : dirname(real);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A place the reports cannot be written (no permission, a file where a directory must be) is the user's to fix: exit 2, named. */
function writing(what: string, path: string, write: () => string[]): string[] {
  try {
    return write();
  } catch (err) {
    const problem = fsProblem(err);
    if (problem === undefined) throw err;
    throw usage(`${what}: cannot write the report at ${path}: ${problem}`);
  }
}
