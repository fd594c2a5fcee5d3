/**
 * runGate with a stand-in for `chaos run` that writes journals: how runs that could not be judged
 * count (0% in the score, exit 4 rather than 1 when nothing else failed).
 */
import { describe, expect, it } from "vitest";
import { runGate } from "../../src/gate/gate.js";
import { gateMarkdown } from "../../src/gate/output.js";
import { options, suiteOf } from "./fake-runs.js";

describe("runs that could not be judged", () => {
  it("every run could not be judged with a minimum score: exit 4 and 'could not be judged', not 'gate failed'", async () => {
    const ids = ["spot", "task", "throttle", "outage"];
    const suite = suiteOf(ids, { minScore: 100 });
    const result = await runGate(suite, suite.runs, options(Object.fromEntries(ids.map((id) => [id, { code: 4 }]))));
    expect(result.exitCode).toBe(4);
    expect(result.failures).toEqual([]);
    expect(result.score).toBe(0);
    expect(result.errors).toContain("resilience score 0.0 is below the minimum 100 only because 4 runs could not be judged (they count 0%); no run that was judged fell short");
    const md = gateMarkdown(suite, result);
    expect(md).toMatch(/^# Gate: ⚠️ gate could not be judged/);
    expect(md).not.toContain("gate failed");
  });

  it("a held run and one that could not be judged: exit 4; a run that deviated as well: exit 1", async () => {
    const suite = suiteOf(["held", "broken"], { minScore: 100 });
    const four = await runGate(suite, suite.runs, options({ held: { code: 0, verdict: "held", probes: ["passed"] }, broken: { code: 4 } }));
    expect(four.score).toBe(50);
    expect(four.exitCode).toBe(4);
    expect(four.failures).toEqual([]);
    const one = await runGate(suite, suite.runs, options({ held: { code: 1, verdict: "deviated", probes: ["failed"] }, broken: { code: 4 } }));
    expect(one.exitCode).toBe(1);
    expect(one.failures).toEqual(["held: deviated: test", "resilience score 0.0 is below the minimum 100"]);
  });

  it("a judged run that held below the minimum by itself still fails the gate (exit 1)", async () => {
    const suite = suiteOf(["weak", "broken"], { minScore: 100 });
    const result = await runGate(suite, suite.runs, options({ weak: { code: 0, verdict: "held", probes: ["passed", "failed"] }, broken: { code: 4 } }));
    expect(result.exitCode).toBe(1);
    expect(result.failures).toEqual(["resilience score 25.0 is below the minimum 100"]);
  });

  it("a run that finished with a journal but could not be judged (a fault that did not land) counts 0%, whatever its probes read", async () => {
    const suite = suiteOf(["held", "error"]);
    const result = await runGate(suite, suite.runs, options({ held: { code: 0, verdict: "held", probes: ["passed"] }, error: { code: 4, verdict: "error", probes: ["passed"] } }));
    expect(result.outcomes.map((x) => x.percent)).toEqual([100, 0]);
    expect(result.score).toBe(50);
    expect(result.exitCode).toBe(4);
  });

  it("a run interrupted by the gate's SIGINT (--parallel 1) counts 0% in the score, as the README says, not the 100% its probes read", async () => {
    const interrupt = new AbortController();
    const suite = suiteOf(["first", "second", "third"]);
    const lines: string[] = [];
    const result = await runGate(
      suite,
      suite.runs,
      options({ first: { code: 0, verdict: "held", probes: ["passed"] }, second: { code: 130, verdict: "interrupted", probes: ["passed"] }, third: { code: 0, verdict: "held" } }, { signal: interrupt.signal, progress: (l) => lines.push(l) }, (id) => id === "second" && interrupt.abort("SIGINT")),
    );
    expect(result.exitCode).toBe(130);
    expect(result.outcomes.map((x) => [x.run.id, x.percent])).toEqual([
      ["first", 100],
      ["second", 0],
    ]);
    expect(result.score).toBe(50);
    expect(result.errors).toEqual([expect.stringMatching(/^second: could not be judged \(exit 130\)/), "third: not run (the gate was interrupted by SIGINT)"]);
    expect(lines[1]).toMatch(/second \(seed 1\): interrupted in [\d.]+ s, could not be judged \(counts 0%\)$/);
    expect(gateMarkdown(suite, result)).toContain("| second | 1 | interrupted | — (could not be judged: counts 0%) | 5 |");
  });
});
