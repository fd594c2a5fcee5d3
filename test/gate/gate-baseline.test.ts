/**
 * runGate against a baseline (the journals of an earlier gate): a run with no journal there says it
 * was not compared, never "none" as if it had been; the gate says how many were not.
 */
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runGate } from "../../src/gate/gate.js";
import { readBaseline } from "../../src/gate/baseline.js";
import { gateMarkdown } from "../../src/gate/output.js";
import { journal, options, suiteOf, type Fake } from "./fake-runs.js";

describe("a baseline without a journal for a run", () => {
  function baselineDir(journals: Record<string, Fake>): string {
    const dir = mkdtempSync(join(tmpdir(), "gameday-baseline-"));
    mkdirSync(join(dir, "journals"));
    for (const [id, f] of Object.entries(journals)) writeFileSync(join(dir, "journals", `${id}.json`), JSON.stringify(journal(id, f)));
    return dir;
  }

  it("compares the runs it has; the others say there was no baseline, in the progress line, the table and the summary", async () => {
    const suite = suiteOf(["old", "new"]);
    const dir = baselineDir({ old: { code: 0, verdict: "held", probes: ["passed"], p95: 100 } });
    const baseline = readBaseline(dir, ["old", "new"]);
    expect([...baseline.journals.keys()]).toEqual(["old"]);
    const lines: string[] = [];
    const result = await runGate(suite, suite.runs, options({ old: { code: 0, verdict: "held", probes: ["passed"], p95: 200 }, new: { code: 0, verdict: "held", probes: ["passed"], p95: 200 } }, { baseline, progress: (l) => lines.push(l) }));
    expect(result.exitCode).toBe(1);
    expect(result.failures).toEqual(["old: p95 (ms) grew from 100 to 200, more than the 20% margin"]);
    expect(result.outcomes.map((x) => x.baseline)).toEqual(["compared", "missing"]);
    expect(result.baseline).toEqual({ dir, missing: ["new"] });
    expect(lines.find((l) => l.includes("new (seed 1)"))).toMatch(/, no baseline to compare with$/);
    const md = gateMarkdown(suite, result);
    expect(md).toContain("| new | 1 | held | 100% | 5 | — (no baseline journal) |  |");
    expect(md).toContain("| old | 1 | held | 100% | 5 | p95 (ms) 100 → 200 |  |");
    expect(md).toContain(`1 of 2 runs not compared: the baseline (${dir}) has no journal for new.`);
  });

  it("compares every run and finds nothing: 'none'; without --baseline: not checked, not 'none'", async () => {
    const suite = suiteOf(["old"]);
    const dir = baselineDir({ old: { code: 0, verdict: "held", probes: ["passed"], p95: 100 } });
    const fakes = { old: { code: 0, verdict: "held", probes: ["passed" as const], p95: 100 } };
    const compared = await runGate(suite, suite.runs, options(fakes, { baseline: readBaseline(dir, ["old"]) }));
    expect(gateMarkdown(suite, compared)).toContain("| old | 1 | held | 100% | 5 | none |  |");
    const alone = await runGate(suite, suite.runs, options(fakes));
    const md = gateMarkdown(suite, alone);
    expect(md).toContain("| old | 1 | held | 100% | 5 | — (no --baseline) |  |");
    expect(md).toContain("no --baseline: regressions not checked");
  });
});
