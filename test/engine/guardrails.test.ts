/**
 * The blast-radius cap and its rounding, and what needs allowing by name: pure rules, stated in
 * src/engine/guardrails.ts.
 */
import { describe, expect, it } from "vitest";
import { capFor, DEFAULT_GUARDRAILS, refusals } from "../../src/engine/guardrails.js";
import type { Resolution } from "../../src/faults/types.js";

const resolution = (n: number, hits: number, extra: Partial<Resolution> = {}): Resolution => ({
  lookedFor: "things",
  candidates: Array.from({ length: n }, (_, i) => ({ arn: `arn:x:${i}`, id: `x${i}` })),
  hits,
  picks: true,
  ...extra,
});

describe("the cap", () => {
  it("is one resource by default on any non-empty set: COUNT(1) or 25% rounded up, whichever is smaller", () => {
    for (const n of [1, 2, 3, 4, 5, 8, 100]) expect(capFor("task-kill", n, DEFAULT_GUARDRAILS).max).toBe(1);
  });

  it("takes gameday.yaml's count as is, and its percentage of the resolved set rounded up", () => {
    const settings = { ...DEFAULT_GUARDRAILS, maxTargets: { "spot-interrupt": { count: 3 }, drain: { percent: 50 } } };
    expect(capFor("spot-interrupt", 10, settings).max).toBe(3);
    expect(capFor("drain", 6, settings).max).toBe(3);
    expect(capFor("drain", 5, settings).max).toBe(3);
    expect(capFor("drain", 1, settings).max).toBe(1);
    // Another fault keeps the default.
    expect(capFor("task-kill", 10, settings).max).toBe(1);
  });
});

describe("refusals", () => {
  it("refuse more hits than the cap, naming the count, the cap and the key that raises it", () => {
    const [r] = refusals({ fault: "task-kill", resolution: resolution(6, 2), settings: DEFAULT_GUARDRAILS });
    expect(r!.reason).toMatch(/hit 2 of the 6 things, over the cap of 1/);
    expect(r!.key).toBe("guardrails.maxTargets.task-kill");
    expect(refusals({ fault: "task-kill", resolution: resolution(6, 1), settings: DEFAULT_GUARDRAILS })).toEqual([]);
  });

  it("refuse more picked resources than FIS takes as resourceArns, even under a raised cap", () => {
    const settings = { ...DEFAULT_GUARDRAILS, maxTargets: { "task-kill": { count: 10 } } };
    const out = refusals({ fault: "task-kill", resolution: resolution(20, 6, { maxArns: 5 }), settings });
    expect(out.map((r) => r.reason)).toEqual([expect.stringMatching(/FIS takes at most 5 resourceArns/)]);
  });

  it("refuse what needs allowing by name until gameday.yaml allows exactly that name", () => {
    const r = resolution(6, 6, { picks: false, needsAllow: [{ key: "wholeClusterDrain", name: "prod", why: "whole prod" }] });
    const raised = { ...DEFAULT_GUARDRAILS, maxTargets: { drain: { percent: 100 } } };
    expect(refusals({ fault: "drain", resolution: r, settings: raised }).map((x) => x.key)).toEqual(["guardrails.allow.wholeClusterDrain: [prod]"]);
    expect(refusals({ fault: "drain", resolution: r, settings: { ...raised, wholeClusterDrain: ["staging"] } })).toHaveLength(1);
    expect(refusals({ fault: "drain", resolution: r, settings: { ...raised, wholeClusterDrain: ["prod"] } })).toEqual([]);
  });
});
