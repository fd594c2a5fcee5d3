/**
 * The gate's probe success: what counts (probe verdicts read, steady-state checks that read a
 * probe), and what the reports show for a run that judged nothing: no rate, never "100%" beside
 * "0 of 0".
 */
import { describe, expect, it } from "vitest";
import { nothingToJudge, probeSuccessCell, probeSuccessPercent, resilienceScore } from "../../src/gate/score.js";
import { gateMarkdown } from "../../src/gate/output.js";
import type { GateResult } from "../../src/gate/gate.js";
import type { Suite } from "../../src/gate/suite.js";
import { renderRuns, type RunReport } from "../../src/report/index.js";

type Probe = RunReport["probes"][number];
type Steady = RunReport["steadyStates"][number];

function report(over: Partial<RunReport> = {}): RunReport {
  return { file: "journal.json", title: "calm", runId: "calm-00000007", seed: 7, target: "sandbox", clock: "virtual", start: "2024-01-01T00:00:00.000Z", verdict: "held", summary: "completed: nothing to judge (no steady-state hypothesis and no probe was read)", complete: true, probes: [], steadyStates: [], faults: [], rollbacks: [], events: [], charts: [], warnings: [], ...over };
}

/** Chaos Toolkit's journal records a run without a hypothesis as steady states "met" with no probe. */
const vacuous: Steady[] = [
  { when: "before", met: true, probes: [] },
  { when: "after", met: true, probes: [] },
];
const checked = (met: boolean): Steady[] => [
  { when: "before", met: true, probes: [{ name: "web-slo", met: true, output: "{}" }] },
  { when: "after", met, probes: [{ name: "web-slo", met, output: "{}" }] },
];
const probe = (verdict: Probe["verdict"]): Probe => ({ step: "drained", probe: "draining", mode: "on-chaos", verdict, readings: 1, failed: verdict === "failed" ? 1 : 0, detail: "" }) as Probe;

describe("probe success", () => {
  it("counts probe verdicts read and steady-state checks that read a probe, not those without a hypothesis", () => {
    expect(probeSuccessPercent(report({ steadyStates: checked(false) }))).toBe(50);
    // Two vacuous checks no longer make a failed probe read as 67%.
    expect(probeSuccessPercent(report({ verdict: "deviated", steadyStates: vacuous, probes: [probe("failed")] }))).toBe(0);
    expect(probeSuccessPercent(report({ steadyStates: vacuous, probes: [probe("passed"), probe("not-run")] }))).toBe(100);
  });

  it("shows a run that judged nothing as such, not as 100%; it still scores 100 when it held, 0 when it could not be judged", () => {
    const calm = report({ steadyStates: vacuous });
    expect(nothingToJudge(calm)).toBe(true);
    expect(probeSuccessPercent(calm)).toBe(100);
    expect(probeSuccessCell(calm, probeSuccessPercent(calm))).toBe("— (nothing to judge)");
    const broken = report({ verdict: "error", summary: "the fault did not land" });
    expect(nothingToJudge(broken)).toBe(false);
    expect(probeSuccessCell(broken, probeSuccessPercent(broken))).toBe("— (none read)");
    expect(probeSuccessPercent(undefined)).toBe(0);
    const judged = report({ steadyStates: checked(false) });
    expect(probeSuccessCell(judged, probeSuccessPercent(judged))).toBe("50%");
    expect(resilienceScore([{ weight: 5, percent: probeSuccessPercent(calm) }])).toBe(100);
  });
});

describe("a gate with a run that judged nothing", () => {
  const suite: Suite = { file: "suite.yaml", title: "Calm gate", runs: [], gate: { allHeld: true, margin: 0.2 } };
  const calm = report({ steadyStates: vacuous });
  const judged = report({ title: "web", runId: "web-00000007", summary: "the steady state held", steadyStates: checked(true), probes: [probe("passed")] });
  const result: GateResult = {
    outcomes: [
      { run: { id: "calm", experiment: "calm.yaml", seed: 7, vars: {}, weight: 5 }, exitCode: 0, report: calm, percent: probeSuccessPercent(calm), regressions: [], seconds: 1 },
      { run: { id: "web", experiment: "web.yaml", seed: 7, vars: {}, weight: 5 }, exitCode: 0, report: judged, percent: probeSuccessPercent(judged), regressions: [], seconds: 1 },
    ],
    score: 100,
    failures: [],
    errors: [],
    exitCode: 0,
    margin: 0.2,
  };

  it("Markdown: its rows say nothing to judge (the gate's and the runs' tables), the score line says how it counted", () => {
    const md = gateMarkdown(suite, result);
    expect(md).not.toMatch(/0 of 0/);
    expect(md).toContain("| calm | 7 | held | — (nothing to judge) | 5 | — (no --baseline) |  |");
    expect(md).toContain("| web | 7 | held | 100% | 5 | — (no --baseline) |  |");
    expect(md).toContain("| calm | ✅ held | — (nothing to judge) | 7 |  |");
    expect(md).toContain("| web | ✅ held | 3 of 3 | 7 |  |");
    expect(md).toContain("1 run had nothing to judge (no steady-state hypothesis and no probe read) and counts as 100% in the score (it held; nothing failed).");
    expect(md).toContain("| before | ➖ nothing to judge |  |");
  });

  it("HTML: the overview and the steady-state table say nothing to judge, not a pass", () => {
    const html = renderRuns([calm, judged], "html");
    expect(html).not.toMatch(/0 of 0/);
    expect(html).toContain("<td>— (nothing to judge)</td>");
    expect(html).toContain("<td>3 of 3</td>");
    expect(html).toContain('<td>before</td><td><span class="verdict v-not-run">nothing to judge</span></td>');
  });

  it("JUnit: the steady-state checks of a run without a hypothesis are skipped, not passed", () => {
    const xml = renderRuns([calm], "junit");
    expect(xml).toMatch(/tests="3" failures="0" errors="0" skipped="2"/);
    expect(xml).toContain('<testcase name="steady state before" classname="gameday.calm" time="0.000">\n      <skipped/>');
    expect(renderRuns([judged], "junit")).toMatch(/skipped="0"/);
  });
});
