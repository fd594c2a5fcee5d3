/**
 * Reads a journal written by `chaos run` for a report. The check is deliberately shallow (the keys a
 * report reads, with their types): journals of older gameday versions, without the readings over
 * time, still report, only without charts. A file that is not a gameday journal is an input error
 * naming the file, the field, what was expected and what was found.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { JournalDoc } from "../engine/journal.js";
import { formatPath, InvalidInputError, type InputError } from "../experiment/model.js";
import { readSource } from "../experiment/source.js";
import { fsProblem } from "./fs-problem.js";

export interface ReportJournal {
  /** The path as the user gave it, for messages and links. */
  file: string;
  doc: JournalDoc;
}

const probeRecord = z.looseObject({
  step: z.string(),
  probe: z.string(),
  mode: z.string(),
  verdict: z.enum(["passed", "failed", "not-run", "error"]),
  readings: z.number(),
  failed: z.number(),
});

const faultRecord = z.looseObject({ step: z.string(), fault: z.string(), startedAt: z.string() });

/** A steady-state check as a report reads it: null (or absent) when it was not run. */
const steadyState = z
  .looseObject({ steady_state_met: z.boolean(), probes: z.array(z.looseObject({ activity: z.looseObject({}) })) })
  .nullable()
  .optional();

const journalShape = z.looseObject({
  start: z.string(),
  steady_states: z.looseObject({ before: steadyState, after: steadyState }),
  status: z.string(),
  deviated: z.boolean(),
  experiment: z.looseObject({ title: z.string().optional() }),
  gameday: z.looseObject({
    runId: z.string(),
    seed: z.number(),
    target: z.looseObject({ kind: z.string() }),
    probes: z.array(probeRecord),
    faults: z.array(faultRecord),
    rollbackResults: z.array(z.looseObject({ description: z.string(), ok: z.boolean(), at: z.string() })),
    warnings: z.array(z.string()),
    steadyStateAfterRollback: steadyState,
  }),
});

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) v = v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** `: "…"`, the text's first non-blank line, shortened: what the file is instead. */
function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "")?.trim();
  return line === undefined ? " (an empty file)" : `: "${line.length > 40 ? `${line.slice(0, 40)}…` : line}"`;
}

/** Parses and checks a journal; every problem is reported at once, located in the file. */
export function parseJournal(text: string, file: string): ReportJournal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A file that does not even begin as a JSON object is another kind of file (a README, an
    // experiment): one line says so, not the YAML parser's cascade of errors through it.
    const notJson = [{ file, path: "(document)", expected: "a JSON journal written by chaos run", found: `text that is not JSON${firstLine(text)}` }];
    if (!text.trimStart().startsWith("{")) throw new InvalidInputError(notJson);
    // The YAML parser reads JSON with positions: it says where the syntax first broke.
    const source = readSource(text, file, "json");
    throw new InvalidInputError(source.errors.length > 0 ? source.errors.slice(0, 1) : notJson);
  }
  const checked = journalShape.safeParse(value);
  if (checked.success) return { file, doc: value as JournalDoc };
  // Another of gameday's own files: one line saying which, not its fields against a journal's.
  const other = gamedayFileKind(value);
  if (other !== undefined) throw new InvalidInputError([{ file, path: "(document)", expected: "a journal written by chaos run", found: other }]);
  // Any other JSON (a package.json): one line saying so. Every journal chaos run writes has its
  // `gameday:` section; one with it is a journal, broken, and gets its fields checked one by one.
  const notJournal = notAJournal(value);
  if (notJournal !== undefined) throw new InvalidInputError([{ file, path: "(document)", expected: "a gameday run journal (chaos run writes journal.json)", found: notJournal }]);
  const source = readSource(text, file, "json");
  const errors: InputError[] = checked.error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    const position = source.positionOf(path) ?? source.positionOf(path.slice(0, -1));
    return {
      file,
      ...(position ? { position } : {}),
      path: path.length === 0 ? "(document)" : formatPath(path),
      expected: `${issue.code === "invalid_type" ? `${/^[aeiou]/.test(String(issue.expected)) ? "an" : "a"} ${issue.expected}` : issue.message} (as in the journal chaos run writes)`,
      found: describe(at(value, path)),
    };
  });
  throw new InvalidInputError(errors);
}

/**
 * Reads a journal; a run's directory (.gameday/runs/<run>/) stands for the journal.json in it.
 */
export function readJournal(file: string, path = file): ReportJournal {
  if (isDirectory(path)) {
    const inside = join(path, "journal.json");
    if (existsSync(inside)) return readJournal(join(file, "journal.json"), inside);
    const found = existsSync(join(path, "record.json")) ? "a game day's directory: its report is report.html there, written by chaos gameday" : "a directory without a journal.json";
    throw new InvalidInputError([{ file, path: "(file)", expected: "a journal file, or a run's directory holding one", found }]);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InvalidInputError([{ file, path: "(file)", expected: "a journal file that can be read", found: fsProblem(err, path) ?? String(err) }]);
  }
  return parseJournal(text, file);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** What a JSON document gameday writes, other than a journal, is, in words; undefined for anything else. */
function gamedayFileKind(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const keys = new Set(Object.keys(value));
  if (keys.has("runbook") && keys.has("steps") && keys.has("preChecks")) return "a game-day record (record.json): chaos gameday writes its report beside it, as report.html and record.md";
  return undefined;
}

/** What a JSON document without a journal's `gameday:` section is, in words; undefined for one with it. */
function notAJournal(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return `a JSON ${value === null ? "null" : typeof value}, not an object`;
  if (Array.isArray(value)) return "a JSON list, not an object";
  const keys = Object.keys(value);
  if (keys.includes("gameday")) return undefined;
  if (keys.includes("experiment") && keys.includes("status")) return "a Chaos Toolkit journal without the gameday: section chaos run adds to it";
  const shown = keys.slice(0, 5).join(", ") + (keys.length > 5 ? ", ..." : "");
  return keys.length === 0 ? "an empty JSON object" : `a JSON document without gameday: (its top-level keys: ${shown})`;
}
