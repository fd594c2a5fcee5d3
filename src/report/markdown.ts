/**
 * The Markdown report: GitHub-flavoured tables (a job summary, a pull-request comment, a wiki page).
 * One section per run; several runs get an overview table first.
 */
import { elapsed } from "./svg-chart.js";
import { judgedCheck, probeSuccessText, unfinishedNoTally, wallText, type RunReport } from "./run-report.js";

const MARK: Record<string, string> = { passed: "✅ passed", held: "✅ held", failed: "❌ failed", deviated: "❌ deviated", error: "⚠️ error", "not-run": "➖ not run" };

/** A table cell: no line breaks, and a pipe would end the cell. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
}

function mark(verdict: string): string {
  return MARK[verdict] ?? `⚠️ ${verdict}`;
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

function fence(text: string, lang = ""): string {
  const ticks = text.includes("```") ? "````" : "```";
  return `${ticks}${lang}\n${text}\n${ticks}`;
}

function runSection(run: RunReport, level: number): string {
  const h = "#".repeat(level);
  const out: string[] = [];
  out.push(`${h} ${run.title}: ${mark(run.verdict)}`);
  if (run.summary) out.push(run.summary);
  out.push(`Run \`${run.runId}\`, seed ${run.seed}, target ${run.target}, ${run.clock} clock${run.durationSeconds !== undefined ? `, ${run.durationSeconds.toFixed(1)} s` : ""}${run.wallClock ? `; wall clock ${wallText(run)}` : ""}${run.exitCode !== undefined ? `, exit code ${run.exitCode}` : ""}.`);
  if (run.replay) out.push(`Replay:\n\n${fence(run.replay, "sh")}`);
  for (const w of run.warnings) out.push(`> warning: ${w}`);
  out.push(`${h}# Probe verdicts`);
  // A run that stopped before any probe (refused, errored at the start) or that has none: say so, not an empty table.
  if (run.probes.length === 0) out.push(run.complete ? "No probe was read." : unfinishedNoTally(run));
  else out.push(table(["probe", "mode", "verdict", "readings", "failed", "detail"], run.probes.map((p) => [`${p.step} (${p.probe})`, p.mode, mark(p.verdict), String(p.readings), String(p.failed), `${p.at !== undefined ? `${elapsed(p.at)} ` : ""}${p.detail}`])));
  if (run.steadyStates.length > 0) {
    out.push(`${h}# Steady-state hypothesis`);
    out.push(table(["when", "met", "probes"], run.steadyStates.map((s) => [s.when, !judgedCheck(s) ? "➖ nothing to judge" : s.met ? "✅ met" : "❌ not met", s.probes.map((p) => `${p.name} ${p.met ? "met" : "missed"}`).join("; ")])));
  }
  if (run.faults.length > 0) {
    out.push(`${h}# Faults`);
    out.push(table(["fault", "kind", "from", "to", "landed", "detail"], run.faults.map((f) => [f.step, f.fault, elapsed(f.start), f.end !== undefined ? elapsed(f.end) : "", f.landed === undefined ? "" : f.landed ? "yes" : "no", f.detail])));
    for (const f of run.faults) if (f.template !== undefined) out.push(`<details><summary>FIS template of ${f.step}</summary>\n\n${fence(JSON.stringify(f.template, null, 2), "json")}\n\n</details>`);
  }
  if (run.rollbacks.length > 0) {
    out.push(`${h}# Rollbacks`);
    out.push(table(["at", "what", "ok", "detail"], run.rollbacks.map((r) => [elapsed(r.t), r.description, r.ok ? "yes" : "no", r.detail])));
  }
  return out.join("\n\n");
}

export function renderMarkdown(runs: RunReport[], title?: string): string {
  const out: string[] = [];
  if (runs.length === 1 && title === undefined) return `${runSection(runs[0]!, 1)}\n`;
  out.push(`# ${title ?? `${runs.length} runs`}`);
  out.push(
    table(
      ["experiment", "verdict", "probes passed", "seed", "replay"],
      runs.map((r) => {
        return [r.title, mark(r.verdict), probeSuccessText(r), String(r.seed), r.replay ? `\`${r.replay}\`` : ""];
      }),
    ),
  );
  for (const run of runs) out.push(runSection(run, 2));
  return `${out.join("\n\n")}\n`;
}
