/**
 * A game day's reports: the step journals through src/report, beside record.json/record.md. The
 * HTML overview is always written (the record's readable page with the charts): it opens with
 * what record.md says, from the same record (who and when, the outcome, the pre-checks, the steps
 * and those that never ran, the checkpoints' answers, the notes), then the steps' runs. `--report`
 * adds other formats, as `chaos run --report` does. A step that left no readable journal (invalid
 * input, killed before it wrote one) is left out of the runs; the record part still lists it.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readJournal, writeReports, type ReportFormat, type ReportJournal } from "../report/index.js";
import { escapeXml as esc } from "../report/escape.js";
import { InvalidInputError } from "../experiment/model.js";
import { notRunReason, outcomeOf, type GamedayRecord } from "./gameday-record.js";

/** A verdict-style badge; `kind` picks the report's colour (held, failed, aborted, not-run). */
function badge(text: string, kind: "held" | "failed" | "aborted" | "not-run"): string {
  return `<span class="verdict v-${kind}">${esc(text)}</span>`;
}

/** A table of escaped text cells, except where a cell is given as { html }. */
function table(head: string[], rows: (string | { html: string })[][]): string {
  const cell = (c: string | { html: string }) => `<td>${typeof c === "string" ? esc(c) : c.html}</td>`;
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("")}</tbody></table>`;
}

function part(name: string, heading: string, body: string): string {
  return `<section class="gameday-part" data-part="${name}"><h3>${esc(heading)}</h3>${body}</section>`;
}

/** The record as HTML: what record.md shows, escaped, for the top of report.html. */
export function recordHtml(r: GamedayRecord): string {
  const out: string[] = [`<section class="gameday" data-status="${esc(r.status)}"><h2>Game day record</h2>`];
  const outcome = outcomeOf(r);
  out.push(
    table(
      ["runbook", "target", "facilitator", "observers", "started", "ended", "mode", "outcome"],
      [[r.runbook.file, r.target, r.roles.facilitator, r.roles.observers.join(", ") || "none", r.startedAt, r.endedAt ?? "(still running)", r.mode, { html: `<span class="outcome">${esc(outcome)}</span>` }]],
    ),
  );
  if (r.preChecks.length > 0) {
    out.push(part("pre-checks", "Pre-checks", table(["check", "result", "detail"], r.preChecks.map((p) => [p.name, { html: p.ok ? badge("passed", "held") : badge("failed", "failed") }, p.detail]))));
  }
  out.push(
    part(
      "steps",
      "Steps",
      r.steps.length === 0
        ? "<p>No step started.</p>"
        : table(
            ["step", "experiment", "started", "ended", "verdict", "timebox", "journal"],
            r.steps.map((s, i) => [
              `${i + 1}. ${s.name}`,
              s.experiment,
              s.startedAt,
              s.endedAt ?? "",
              s.verdict ?? "running",
              s.timebox === undefined ? "" : `${s.timebox}${s.timeboxExceeded ? " exceeded" : ""}`,
              s.journal ?? "none",
            ]),
          ),
    ),
  );
  if (r.notRun !== undefined && r.notRun.length > 0) {
    const why = notRunReason(r);
    out.push(
      part(
        "not-run",
        "Steps not run",
        `<p class="not-run-reason">These steps never ran because ${esc(why)}</p>${table(
          ["step", "experiment", "result"],
          r.notRun.map((s) => [`${s.step}. ${s.name}`, s.experiment, { html: badge("not run", "not-run") }]),
        )}`,
      ),
    );
  }
  if (r.checkpoints.length > 0) {
    out.push(
      part(
        "checkpoints",
        "Checkpoints",
        table(
          ["at", "after", "question", "answer", "reason"],
          r.checkpoints.map((c) => [c.at, c.after, c.question, { html: badge(c.answer, c.answer === "abort" ? "aborted" : "held") }, c.reason ?? ""]),
        ),
      ),
    );
  }
  out.push(part("notes", "Notes", r.notes.length === 0 ? "<p>(none)</p>" : table(["at", "note"], r.notes.map((n) => [n.at, n.text]))));
  out.push("</section>");
  return out.join("\n");
}

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
  return writeReports(stepJournals(record, cwd), gamedayReportFormats(requested), { dir, title: `Game day: ${record.runbook.title} (${record.status})`, htmlPreface: recordHtml(record) });
}
