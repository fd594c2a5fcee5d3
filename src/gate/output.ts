/**
 * What a gate leaves for CI: JUnit XML (a testsuite per run: a testcase for the experiment and one
 * per probe verdict by mode), a Markdown summary (the gate's decision, the score, a row per run,
 * then each run's report), the HTML report, and GitHub workflow annotations pointing at the
 * suite entry of each run that failed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderRuns } from "../report/index.js";
import { cell } from "../report/markdown.js";
import { missingBaselineText, verdictLine, wasJudged, type GateResult, type RunOutcome } from "./gate.js";
import { nothingToJudge, probeSuccessCell } from "./score.js";
import type { Suite } from "./suite.js";

/** The regressions cell of a run that did not regress: "none" only when it was compared. */
function regressionCell(result: GateResult, x: RunOutcome): string {
  if (!result.baseline) return "— (no --baseline)";
  return x.baseline === "compared" ? "none" : x.baseline === "missing" ? "— (no baseline journal)" : "— (not compared)";
}

/** The gate's decision in a few words, with its mark. */
export function gateHeading(result: GateResult, marks = true): string {
  const [mark, text] = result.exitCode === 0 ? ["✅", "gate passed"] : result.exitCode === 130 ? ["⚠️", "gate interrupted (partial)"] : result.exitCode === 4 ? ["⚠️", "gate could not be judged"] : ["❌", "gate failed"];
  return marks ? `${mark} ${text}` : text;
}

export function gateMarkdown(suite: Suite, result: GateResult, minScoreText = suite.gate.minScore !== undefined ? `minimum ${suite.gate.minScore}` : "no minimum"): string {
  const rows = result.outcomes.map((x) => {
    const regressed = x.regressions.map((r) => `${r.measure} ${r.baseline} → ${r.current}`).join("; ");
    const replay = x.report.replay ? `\`${x.report.replay}\`` : "";
    const rate = wasJudged(x) ? probeSuccessCell(x.report, x.percent) : "— (could not be judged: counts 0%)";
    return `| ${[x.run.id, String(x.run.seed), x.report.verdict, rate, String(x.run.weight), regressed || regressionCell(result, x), replay].map(cell).join(" | ")} |`;
  });
  const unjudged = result.outcomes.filter((x) => nothingToJudge(x.report)).length;
  return [
    `# ${suite.title}: ${gateHeading(result)}`,
    `Resilience score **${result.score.toFixed(1)}** (${minScoreText}; Litmus's weighted probe success), ${result.outcomes.length} run${result.outcomes.length === 1 ? "" : "s"}, ${result.baseline ? `regression margin ${Math.round(result.margin * 100)}%.${missingBaselineText(result) ? ` ⚠️ ${missingBaselineText(result)}` : ""}` : "no --baseline: regressions not checked."}${unjudged > 0 ? ` ${unjudged === 1 ? "1 run had" : `${unjudged} runs had`} nothing to judge (no steady-state hypothesis and no probe read) and ${unjudged === 1 ? "counts" : "count"} as 100% in the score (it held; nothing failed).` : ""}`,
    ...(result.failures.length + result.errors.length > 0 ? [[...result.failures, ...result.errors].map((f) => `- ${f}`).join("\n")] : []),
    ["| run | seed | verdict | probes passed | weight | regressions | replay |", "| --- | --- | --- | --- | --- | --- | --- |", ...rows].join("\n"),
    renderRuns(
      result.outcomes.map((x) => x.report),
      "md",
      { title: "Runs" },
    ).replace(/^# /m, "## "),
  ].join("\n\n");
}

/** GitHub's workflow-command escaping: data loses %, CR and LF; properties also : and ,. */
function ghData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function ghProperty(text: string): string {
  return ghData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `::error file=...,line=...::` for each run that failed or could not be judged, at its suite entry. */
export function githubAnnotations(suite: Suite, result: GateResult): string[] {
  const lines: string[] = [];
  for (const x of result.outcomes) {
    const problems = [
      ...(x.report.verdict !== "held" ? [verdictLine(x.report)] : []),
      ...x.regressions.map((r) => `${r.measure} grew from ${r.baseline} to ${r.current}`),
    ];
    if (problems.length === 0) continue;
    const where = `file=${ghProperty(suite.file)}${x.run.position ? `,line=${x.run.position.line},col=${x.run.position.column}` : ""}`;
    const replay = x.report.replay ? `\nreplay: ${x.report.replay}` : "";
    lines.push(`::error ${where},title=${ghProperty(`${x.run.id} (seed ${x.run.seed})`)}::${ghData(`${problems.join("\n")}${replay}`)}`);
  }
  if (suite.gate.minScore !== undefined && result.score < suite.gate.minScore) {
    lines.push(`::error file=${ghProperty(suite.file)},title=resilience score::${ghData(`resilience score ${result.score.toFixed(1)} is below the minimum ${suite.gate.minScore}`)}`);
  }
  return lines;
}

/** Writes junit.xml, report.md and report.html into the output directory; returns their paths. */
export function writeGateOutputs(suite: Suite, result: GateResult, outDir: string): { junit: string; markdown: string; html: string; summary: string } {
  const reports = result.outcomes.map((x) => x.report);
  const junit = join(outDir, "junit.xml");
  const markdown = join(outDir, "report.md");
  const html = join(outDir, "report.html");
  const summary = gateMarkdown(suite, result);
  writeFileSync(junit, renderRuns(reports, "junit"));
  writeFileSync(markdown, summary);
  writeFileSync(html, renderRuns(reports, "html", { title: `${suite.title}: score ${result.score.toFixed(1)}, ${gateHeading(result, false)}` }));
  return { junit, markdown, html, summary };
}
