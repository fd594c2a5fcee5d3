/**
 * The game day's record: who, when, each step's verdict and journal, the pre-checks, the
 * checkpoints' answers and the notes typed during the run, and whether it was aborted. Written as
 * JSON (for tools) and Markdown (for the people who read it afterwards), after every change, so a
 * killed game day still leaves what it had.
 */
import { writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";

/** `chaos run`'s exit codes, as verdicts. */
export const VERDICTS: Readonly<Record<number, string>> = {
  0: "held",
  1: "deviated",
  2: "invalid input",
  3: "stopped by a stop condition",
  4: "target or toolkit error",
  130: "interrupted (rollbacks ran)",
};

export function verdictOf(code: number | null, signal: string | null): string {
  if (code === null) return `killed by ${signal ?? "a signal"} (run \`chaos recover\`)`;
  return VERDICTS[code] ?? `exit code ${code}`;
}

export interface PreCheckRecord {
  name: string;
  ok: boolean;
  detail: string;
}

export interface StepRecord {
  name: string;
  experiment: string;
  startedAt: string;
  endedAt?: string;
  exitCode?: number | null;
  verdict?: string;
  timebox?: string;
  /** The step ran past its timebox and was stopped (its rollbacks ran). */
  timeboxExceeded?: boolean;
  /** Absent when the step wrote none (it did not start). */
  journal?: string;
}

export interface CheckpointRecord {
  after: string;
  question: string;
  at: string;
  /** continue, abort, or auto (an unattended run). */
  answer: "continue" | "abort" | "auto";
  /** The rest of the facilitator's answer line (`no, too many alarms`): why they aborted or went on. */
  reason?: string;
}

export interface NoteRecord {
  at: string;
  text: string;
}

export type GamedayStatus = "running" | "completed" | "deviated" | "error" | "aborted";

/** The outcome as one line: the status, and for a day that ran every step but not all held, which did not. */
export function outcomeOf(r: GamedayRecord): string {
  if (r.status === "aborted") return `aborted: ${r.abortReason ?? ""}`;
  if (r.status !== "deviated" && r.status !== "error") return r.status;
  const notHeld = r.steps.filter((s) => s.exitCode !== 0).map((s) => `${s.name} ${s.verdict ?? "(no verdict)"}`);
  return `${r.status}: every step ran; not held: ${notHeld.join("; ")}`;
}

export interface GamedayRecord {
  id: string;
  runbook: { file: string; title: string };
  target: string;
  roles: { facilitator: string; observers: string[] };
  mode: "interactive" | "auto";
  startedAt: string;
  endedAt?: string;
  /**
   * running; completed (every step ran and held); deviated (every step ran, the worst of them
   * deviated, was stopped by a stop condition or ran past its timebox: exit 1); error (every step
   * ran, the worst hit a target or toolkit error: exit 4); aborted (see abortReason).
   */
  status: GamedayStatus;
  /** Why it was aborted: a failed pre-check, a step that could not start, was killed or left its rollbacks unfinished, the facilitator, or a signal. */
  abortReason?: string;
  preChecks: PreCheckRecord[];
  steps: StepRecord[];
  /** The runbook's steps that never started because the day was aborted first (absent when none). */
  notRun?: NotRunRecord[];
  checkpoints: CheckpointRecord[];
  notes: NoteRecord[];
}

export interface NotRunRecord {
  /** Its place in the runbook, from 1. */
  step: number;
  name: string;
  experiment: string;
}

/** Why the steps in `notRun` never ran: where the day was aborted, and its reason. */
export function notRunReason(r: GamedayRecord): string {
  const last = r.steps.at(-1);
  const where = last === undefined ? "before its first step" : `at step ${r.steps.length} (${last.name})`;
  return `the day was aborted ${where}: ${r.abortReason ?? "no reason was recorded"}`;
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function writeRecord(dir: string, record: GamedayRecord): { json: string; markdown: string } {
  const json = join(dir, "record.json");
  const markdown = join(dir, "record.md");
  writeAtomically(json, `${JSON.stringify(record, null, 2)}\n`);
  writeAtomically(markdown, recordMarkdown(record));
  return { json, markdown };
}

/**
 * What people typed (notes, answers' reasons) and what commands printed, as Markdown text: raw HTML
 * in it would be HTML to most Markdown viewers (a note quoting `<script>` or a log's `<html>`), and
 * a line break would end the list item. Markdown's own emphasis is left alone: a note may use it.
 */
function inline(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, " ");
}

/** Pipes would also break a Markdown table cell. */
function cell(text: string): string {
  return inline(text).replace(/\|/g, "\\|");
}

export function recordMarkdown(r: GamedayRecord): string {
  const lines = [
    `# Game day: ${r.runbook.title}`,
    "",
    `- Runbook: ${r.runbook.file}`,
    `- Target: ${r.target}`,
    `- Facilitator: ${r.roles.facilitator}`,
    `- Observers: ${r.roles.observers.join(", ") || "none"}`,
    `- Started: ${r.startedAt}`,
    `- Ended: ${r.endedAt ?? "(still running)"}`,
    `- Mode: ${r.mode}`,
    `- Outcome: ${r.status === "running" || r.status === "completed" ? r.status : outcomeOf(r).replace(/^(\w+):/, "**$1**:")}`,
    "",
  ];
  if (r.preChecks.length > 0) {
    lines.push("## Pre-checks", "", "| check | result |", "| --- | --- |");
    for (const p of r.preChecks) lines.push(`| ${cell(p.name)} | ${p.ok ? "passed" : "**failed**"}: ${cell(p.detail)} |`);
    lines.push("");
  }
  lines.push("## Steps", "", "| step | experiment | started | ended | verdict | timebox | journal |", "| --- | --- | --- | --- | --- | --- | --- |");
  for (const s of r.steps) {
    const timebox = s.timebox === undefined ? "" : `${s.timebox}${s.timeboxExceeded ? " **exceeded**" : ""}`;
    lines.push(`| ${cell(s.name)} | ${cell(s.experiment)} | ${s.startedAt} | ${s.endedAt ?? ""} | ${cell(s.verdict ?? "running")} | ${timebox} | ${s.journal === undefined ? "none" : cell(s.journal)} |`);
  }
  lines.push("");
  if (r.notRun !== undefined && r.notRun.length > 0) {
    lines.push("## Steps not run", "", `These steps never ran because ${inline(notRunReason(r))}`, "");
    for (const s of r.notRun) lines.push(`- ${s.step}. ${s.name} (${s.experiment}): **not run**`);
    lines.push("");
  }
  if (r.checkpoints.length > 0) {
    lines.push("## Checkpoints", "");
    for (const c of r.checkpoints) lines.push(`- ${c.at} after ${inline(c.after)}: ${inline(c.question)} **${c.answer}**${c.reason !== undefined ? `: ${inline(c.reason)}` : ""}`);
    lines.push("");
  }
  lines.push("## Notes", "");
  if (r.notes.length === 0) lines.push("(none)");
  for (const n of r.notes) lines.push(`- ${n.at}: ${inline(n.text)}`);
  lines.push("");
  return lines.join("\n");
}
