/**
 * The HTML report: one self-contained file (inline CSS, a few lines of inline JS, inline SVG; no
 * fonts, scripts or images from anywhere), readable offline and attachable to a CI run. One run
 * gets its page; several runs (a suite, a game day) get an overview table first, linking to each.
 */
import { escapeXml as esc } from "./escape.js";
import { elapsed, renderChart, renderLegend } from "./svg-chart.js";
import { judgedCheck, probeSuccessText, unfinishedNoTally, wallText, type RunReport } from "./run-report.js";

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;color:#1b1b1b;background:#fff}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
td code{word-break:break-all}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f6f6}pre{padding:8px;overflow:auto;max-height:360px}
.verdict{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;font-weight:600}
.v-held,.v-passed{background:#1a7f37}.v-deviated,.v-failed{background:#cf222e}.v-error,.v-aborted,.v-interrupted,.v-incomplete{background:#9a6700}.v-not-run{background:#6e7781}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart-box{border:1px solid #eee;padding:4px}
svg.chart{max-width:100%;height:auto}svg .grid{stroke:#eee}svg .axis{stroke:#888}svg .tick{font-size:10px;fill:#555}
svg .chaos-window{fill:#ffebe9;opacity:.7}svg .fault{fill:#ff8182;opacity:.3}svg .event{stroke-width:1.5;stroke-dasharray:4 3}svg .fault-start{stroke:#cf222e}svg .fault-end{stroke:#9a6700}svg .rollback{stroke:#8250df}
svg .line{stroke-width:1.5}svg g.series.hidden{display:none}
.legend{list-style:none;padding:0;margin:2px 0;display:flex;flex-wrap:wrap;gap:10px;font-size:12px}.legend li{cursor:pointer}.legend li.off{opacity:.35}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.key{font-size:12px;color:#555}.warn{color:#9a6700}`;

/** Clicking a legend entry hides or shows its series in that chart. */
const JS = `document.querySelectorAll(".legend li").forEach(function(li){li.addEventListener("click",function(){var box=li.closest(".chart-box");var name=li.getAttribute("data-series");li.classList.toggle("off");box.querySelectorAll("g.series").forEach(function(g){if(g.getAttribute("data-series")===name)g.classList.toggle("hidden")})})});`;

function badge(verdict: string): string {
  return `<span class="verdict v-${esc(verdict)}">${esc(verdict)}</span>`;
}

function anchor(run: RunReport, index: number): string {
  return `run-${index + 1}-${run.runId.replace(/[^\w-]/g, "-")}`;
}

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}

function runSection(run: RunReport, index: number): string {
  const out: string[] = [];
  out.push(`<section class="run" id="${anchor(run, index)}" data-run="${esc(run.runId)}">`);
  out.push(`<h2>${esc(run.title)} ${badge(run.verdict)}</h2>`);
  out.push(`<p>${esc(run.summary)}</p>`);
  out.push(
    table(
      ["run", "seed", "target", "clock", "started", "duration", "wall clock", "exit code"],
      [[esc(run.runId), `<span class="seed">${run.seed}</span>`, esc(run.target), esc(run.clock), esc(run.start), run.durationSeconds !== undefined ? `${run.durationSeconds.toFixed(1)} s` : "", esc(wallText(run)), run.exitCode !== undefined ? String(run.exitCode) : ""]],
    ),
  );
  if (run.replay) out.push(`<p>Replay: <code class="replay">${esc(run.replay)}</code></p>`);
  for (const w of run.warnings) out.push(`<p class="warn">warning: ${esc(w)}</p>`);

  out.push(`<h3>Probe verdicts by mode</h3>`);
  if (run.probes.length === 0) out.push(`<p>${esc(run.complete ? "No probe was read." : unfinishedNoTally(run))}</p>`);
  out.push(
    table(
      ["probe", "mode", "verdict", "readings", "failed", "detail"],
      run.probes.map((p) => [`${esc(p.step)} <span class="key">(${esc(p.probe)})</span>`, esc(p.mode), badge(p.verdict), String(p.readings), String(p.failed), `${p.at !== undefined ? `${elapsed(p.at)} ` : ""}${esc(p.detail)}`]),
    ),
  );
  if (run.steadyStates.length > 0) {
    out.push(`<h3>Steady-state hypothesis</h3>`);
    out.push(table(["when", "met", "probe readings"], run.steadyStates.map((s) => [esc(s.when), !judgedCheck(s) ? `<span class="verdict v-not-run">nothing to judge</span>` : badge(s.met ? "passed" : "failed"), s.probes.map((p) => `${esc(p.name)}: ${p.met ? "met" : "missed"} <code>${esc(p.output)}</code>`).join("<br>")])));
  }

  out.push(`<h3>Timeline</h3>`);
  if (run.charts.length === 0) {
    out.push(
      run.complete
        ? `<p>No probe recorded numeric readings over time (a journal from an older gameday has none).</p>`
        : `<p>The run did not finish: no probe had numeric readings in its journal when it was last written.</p>`,
    );
  }
  else out.push(`<p class="key">Shaded light: the chaos window (from the first fault to the method's end; on-chaos probes read in it); darker: each fault in force, from its start to its end (its FIS experiment completed or was stopped; a fault without FIS until the rollbacks). Dashed lines: red a fault starts, amber it ends, violet a rollback. Red dots: readings that missed their tolerance.</p>`);
  const domainEnd = run.durationSeconds !== undefined ? run.durationSeconds * 1000 : undefined;
  out.push(`<div class="charts">`);
  for (const chart of run.charts) {
    out.push(`<figure class="chart-box"><figcaption>${esc(chart.title)}${chart.constants.length > 0 ? ` <span class="key constants">(${chart.constants.map((c) => `${esc(c.name)} = ${c.value}`).join(", ")} throughout)</span>` : ""}</figcaption>${renderLegend(chart)}${renderChart(chart, { events: run.events, ...(run.chaosWindow ? { chaosWindow: run.chaosWindow } : {}), faults: run.faults.map((f) => ({ step: f.step, ...f.inForce })), ...(domainEnd !== undefined ? { domain: { start: 0, end: domainEnd } } : {}) })}</figure>`);
  }
  out.push(`</div>`);
  if (run.events.length > 0) out.push(table(["at", "event"], run.events.map((e) => [elapsed(e.t), esc(e.label)])));

  out.push(`<h3>Faults and their FIS templates</h3>`);
  if (run.faults.length === 0) out.push(`<p>No fault was started.</p>`);
  for (const f of run.faults) {
    const landed = f.landed === undefined ? "" : f.landed ? " landed" : " did not land";
    out.push(`<p><strong>${esc(f.step)}</strong> (${esc(f.fault)}) ${elapsed(f.start)}${f.end !== undefined ? ` to ${elapsed(f.end)}` : ""}${f.status ? `, ${esc(f.status)}` : ""}${esc(landed)}: ${esc(f.detail)}</p>`);
    if (f.targets.length > 0) out.push(`<p class="key">targets: ${f.targets.map(esc).join(", ")}</p>`);
    if (f.template !== undefined) out.push(`<details><summary>FIS experiment template</summary><pre class="fis-template">${esc(JSON.stringify(f.template, null, 2))}</pre></details>`);
  }
  if (run.rollbacks.length > 0) {
    out.push(`<h3>Rollbacks</h3>`);
    out.push(table(["at", "what", "result"], run.rollbacks.map((r) => [elapsed(r.t), esc(r.description), `${badge(r.ok ? "passed" : "failed")} ${esc(r.detail)}`])));
  }
  out.push(`<p class="key">journal: ${esc(run.file)}</p></section>`);
  return out.join("\n");
}

function overview(runs: RunReport[]): string {
  return `<section class="overview"><h2>Overview</h2>${table(
    ["experiment", "verdict", "probes passed", "seed", "duration"],
    runs.map((r, i) => {
      return [`<a href="#${anchor(r, i)}">${esc(r.title)}</a>`, badge(r.verdict), esc(probeSuccessText(r)), String(r.seed), r.durationSeconds !== undefined ? `${r.durationSeconds.toFixed(1)} s` : ""];
    }),
  )}</section>`;
}

/** `preface` is trusted, escaped HTML shown under the heading (a game day's record). */
export function renderHtml(runs: RunReport[], title?: string, preface = ""): string {
  const heading = title ?? (runs.length === 1 ? runs[0]!.title : `${runs.length} runs`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(heading)}</title><style>${CSS}</style></head>
<body><h1>${esc(heading)}</h1>
${preface}
${runs.length > 1 ? overview(runs) : ""}
${runs.map(runSection).join("\n")}
<script>${JS}</script></body></html>
`;
}
