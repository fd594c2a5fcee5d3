/**
 * The verdict phase on its own: what the probes' tallies, an abort, errors and failed rollbacks add
 * up to, and the exit code a CI gate sees. Each rule here is one a user relies on.
 */
import { describe, expect, it } from "vitest";
import { decideVerdict, EXIT_CODES, journalStatus, judgeTallies, type Outcome } from "../../src/engine/verdict.js";
import { ProbeTally } from "../../src/engine/tally.js";
import type { Reading } from "../../src/engine/checks.js";

const quiet: Outcome = { abort: undefined, rollbackFailures: [], errors: [], deviations: [], notSteadyBefore: false };

function reading(ok: boolean, reason: string, extra: Partial<Reading> = {}): Reading {
  return { at: 0, end: 0, ok, reason, observations: [], attempts: 1, ...extra };
}

function tally(mode: string, ...readings: Reading[]): ProbeTally {
  const t = new ProbeTally(`p-${mode}`, "scripted", mode);
  for (const r of readings) t.add(r);
  return t;
}

describe("the verdict", () => {
  it("is held, exit 0, when nothing went wrong", () => {
    const v = decideVerdict(quiet);
    expect(v).toEqual({ verdict: "held", summary: "the steady state held" });
    // With no probe read at all (actions only, as a team's FIS template), there was no steady state to hold.
    expect(decideVerdict({ ...quiet, judged: false })).toEqual({ verdict: "held", summary: "completed: nothing to judge (no steady-state hypothesis and no probe was read)" });
    expect(EXIT_CODES[v.verdict]).toBe(0);
    expect(journalStatus(v.verdict)).toBe("completed");
  });

  it("is deviated, exit 1, naming the first deviation; a fail-fast abort names its probe", () => {
    const d = decideVerdict({ ...quiet, deviations: ["p95 over 300 ms", "second"] });
    expect(d).toEqual({ verdict: "deviated", summary: "deviated: p95 over 300 ms" });
    expect(EXIT_CODES.deviated).toBe(1);
    const f = decideVerdict({ ...quiet, abort: { kind: "fail-fast", probe: "draining", reason: "still ACTIVE" } });
    expect(f).toEqual({ verdict: "deviated", summary: "deviated: draining: still ACTIVE" });
    expect(journalStatus("deviated")).toBe("completed");
  });

  it("reports a steady state that did not hold before as such (exit 1, status failed), never as held", () => {
    const v = decideVerdict({ ...quiet, notSteadyBefore: true });
    expect(v.verdict).toBe("not-steady-before");
    expect(EXIT_CODES[v.verdict]).toBe(1);
    expect(journalStatus(v.verdict)).toBe("failed");
  });

  it("is an error (exit 4) before a deviation or a steady state that did not hold before", () => {
    const v = decideVerdict({ ...quiet, errors: ["spot did not land: no notice"], deviations: ["x"], notSteadyBefore: true });
    expect(v).toEqual({ verdict: "error", summary: "spot did not land: no notice" });
    expect(EXIT_CODES.error).toBe(4);
  });

  it("is aborted (exit 3) by a stop condition, which outranks errors and deviations", () => {
    const v = decideVerdict({ ...quiet, abort: { kind: "stop-condition", probe: "guard", reason: "availability 0.9" }, errors: ["e"], deviations: ["d"] });
    expect(v).toEqual({ verdict: "aborted", summary: "aborted: stop condition guard breached (availability 0.9)" });
    expect(EXIT_CODES.aborted).toBe(3);
    expect(journalStatus("aborted")).toBe("aborted");
  });

  it("is an error when a rollback failed, whatever else happened, and says to run chaos recover", () => {
    const v = decideVerdict({ ...quiet, abort: { kind: "stop-condition", probe: "guard", reason: "r" }, rollbackFailures: ["reactivate i-1: denied", "delete template: gone"] });
    expect(v.verdict).toBe("error");
    expect(v.summary).toBe("rollback failed: reactivate i-1: denied; the target may still be changed: run `chaos recover` (2 failed)");
  });

  it("is interrupted (exit 130) by a signal, and still says when a rollback failed", () => {
    const v = decideVerdict({ ...quiet, abort: { kind: "interrupt", signal: "SIGTERM" }, rollbackFailures: ["reactivate i-1: denied"], errors: ["e"] });
    expect(v.verdict).toBe("interrupted");
    expect(v.summary).toBe("interrupted by SIGTERM; 1 rollback(s) failed, the target may still be changed: run `chaos recover` (reactivate i-1: denied)");
    expect(EXIT_CODES.interrupted).toBe(130);
    expect(journalStatus("interrupted")).toBe("interrupted");
  });
});

describe("the probes' tallies", () => {
  it("a failed reading is a deviation; a probe that could only fail to read is an error", () => {
    const found = judgeTallies([tally("continuous", reading(true, "ok"), reading(false, "p95 400 ms")), tally("on-chaos", reading(false, "timeout", { unreadable: true }))], true);
    expect(found.deviations).toEqual(["p-continuous (continuous): 1 of 2 readings failed; first: p95 400 ms"]);
    expect(found.errors).toHaveLength(1);
    expect(found.errors[0]).toMatch(/^p-on-chaos \(on-chaos\) could not take a reading/);
  });

  it("stop conditions are guards, not findings: a breached one is not a deviation here", () => {
    expect(judgeTallies([tally("stop-condition", reading(false, "breach"))], true)).toEqual({ errors: [], deviations: [] });
  });

  it("a probe that never read deviates only when the method ran to its end", () => {
    const never = () => tally("eot");
    expect(judgeTallies([never()], true).deviations).toEqual(["p-eot (eot): never read"]);
    expect(judgeTallies([never()], false).deviations).toEqual([]);
  });
});
