/**
 * The run's strategy rules on their own, as Chaos Toolkit defines them: when the hypothesis is
 * checked, and when the experiment's declared rollbacks run; then each phase run alone on a
 * RunContext, without the rest of the run around it.
 */
import { describe, expect, it } from "vitest";
import { script } from "../fixtures/probes/scripted.js";
import { experiment, hypothesis as steadyState, probe, processAction, setup } from "./harness.js";
import { RunContext } from "../../src/engine/run-context.js";
import { Hypothesis, hypothesisSchedule } from "../../src/engine/hypothesis.js";
import { guardMethod } from "../../src/engine/stop-conditions.js";
import { recordDeclaredRollbacks, runRollbacks, shouldRunDeclaredRollbacks } from "../../src/engine/rollback-phase.js";
import { VIRTUAL_EPOCH } from "../../src/time/clock.js";

describe("the hypothesis strategy", () => {
  it.each([
    ["default", { before: true, during: false, after: true }],
    ["before-method-only", { before: true, during: false, after: false }],
    ["after-method-only", { before: false, during: false, after: true }],
    ["during-method-only", { before: false, during: true, after: false }],
    ["continuously", { before: true, during: true, after: true }],
  ] as const)("%s checks the steady state %o", (strategy, expected) => {
    expect(hypothesisSchedule(strategy)).toEqual(expected);
  });
});

describe("the rollback strategy, for the declared rollbacks", () => {
  const held = { deviated: false, aborted: false, errored: false };

  it("always runs them and never does not, whatever the run found", () => {
    expect(shouldRunDeclaredRollbacks("always", held)).toBe(true);
    expect(shouldRunDeclaredRollbacks("never", { deviated: true, aborted: true, errored: true })).toBe(false);
  });

  it("deviated runs them whenever the run did not simply hold: a deviation, an abort (an interrupt too) or an error", () => {
    expect(shouldRunDeclaredRollbacks("deviated", held)).toBe(false);
    expect(shouldRunDeclaredRollbacks("deviated", { ...held, deviated: true })).toBe(true);
    expect(shouldRunDeclaredRollbacks("deviated", { ...held, aborted: true })).toBe(true);
    expect(shouldRunDeclaredRollbacks("deviated", { ...held, errored: true })).toBe(true);
  });
});

// ---------------------------------------------------------------- phases run alone on a RunContext

const runtime = (rollbacks: "always" | "deviated" | "never") => ({ hypothesis: "default" as const, interval: 5_000, rollbacks, failFast: false });

describe("the stop-condition phase alone", () => {
  async function guarded(name: string, fn: () => unknown) {
    script(name, fn);
    const s = await setup(experiment({ stopConditions: [probe(name, { name: "guard", tolerance: true })] }));
    const ctx = new RunContext(s.options);
    const guard = guardMethod(ctx);
    guard.start();
    // Stands in for the method: it lasts until a guard stops it.
    await s.clock.sleep(60_000, ctx.hard).catch(() => undefined);
    await guard.close();
    s.clock.stop();
    return { ctx, s };
  }

  it("a breach stops the method within one interval, as a stop condition, and the journal says which and when", async () => {
    let n = 0;
    const { ctx, s } = await guarded("phase-guard-breach", () => ++n < 2);
    expect(ctx.abortInfo).toMatchObject({ kind: "stop-condition", probe: "guard" });
    expect(ctx.hard.aborted).toBe(true);
    // Read at 0 s (held) and 5 s (breached).
    expect(ctx.now() - VIRTUAL_EPOCH).toBe(5_000);
    expect(ctx.journal.doc.gameday.stopCondition).toMatchObject({ probe: "guard", at: new Date(VIRTUAL_EPOCH + 5_000).toISOString() });
    expect(s.events.filter((e) => e.type === "stop-condition").map((e) => (e as { probe: string }).probe)).toEqual(["guard"]);
    expect(ctx.tallies.get("guard\u0000stop-condition")?.readings).toBe(2);
  });

  it("a guard that cannot read stops the method as an error, not as a breach", async () => {
    const { ctx } = await guarded("phase-guard-blind", () => {
      throw new Error("AccessDenied");
    });
    expect(ctx.abortInfo?.kind).toBe("error");
    expect(ctx.errors).toEqual([expect.stringMatching(/^stop condition guard could not take a reading \(AccessDenied\)/)]);
    expect(ctx.journal.doc.gameday.stopCondition).toBeUndefined();
  });

  it("a guard that holds lets the method run to its end", async () => {
    const { ctx } = await guarded("phase-guard-holds", () => true);
    expect(ctx.abortInfo).toBeUndefined();
    expect(ctx.now() - VIRTUAL_EPOCH).toBe(60_000);
  });
});

describe("the hypothesis phase alone", () => {
  it("before the method, a probe that misses makes the steady state not met; one that cannot read is an error", async () => {
    script("phase-h-miss", () => false);
    script("phase-h-blind", () => {
      throw new Error("no metrics");
    });
    const s = await setup(experiment({ steadyStateHypothesis: steadyState(probe("phase-h-miss", { name: "miss", tolerance: true }), probe("phase-h-blind", { name: "blind", tolerance: true })) }));
    const ctx = new RunContext(s.options);
    const before = await new Hypothesis(ctx).check("before");
    s.clock.stop();
    expect(before.steady_state_met).toBe(false);
    expect(before.probes.map((p) => p.tolerance_met)).toEqual([false, false]);
    expect(ctx.errors).toEqual([expect.stringMatching(/^blind \(steady state before\) could not take a reading/)]);
  });

  it("during the method, a reading that cannot be taken counts neither way: a warning, not an error", async () => {
    script("phase-h-during-blind", () => {
      throw new Error("no metrics");
    });
    const s = await setup(experiment({ steadyStateHypothesis: steadyState(probe("phase-h-during-blind", { name: "blind", tolerance: true })) }));
    const ctx = new RunContext(s.options);
    const during = await new Hypothesis(ctx).check("during");
    s.clock.stop();
    expect(during.steady_state_met).toBe(true);
    expect(ctx.errors).toEqual([]);
    expect(ctx.journal.doc.gameday.warnings).toEqual([expect.stringMatching(/^blind \(steady state during the method\) could not take a reading/)]);
  });
});

describe("the rollback phase alone", () => {
  async function withDeclared(strategy: "always" | "deviated" | "never", undo = processAction("undo", "process.exit(0)")) {
    const s = await setup(experiment({ rollbacks: [undo], runtime: runtime(strategy) }));
    const ctx = new RunContext(s.options);
    recordDeclaredRollbacks(ctx);
    return { ctx, s };
  }

  it("with strategy deviated, a run that held skips the declared rollbacks and resolves them so recovery leaves them", async () => {
    const { ctx, s } = await withDeclared("deviated");
    expect(s.ledger.pending()).toHaveLength(1);
    expect(await runRollbacks(ctx, false)).toBe(false);
    s.clock.stop();
    expect(s.ledger.pending()).toEqual([]);
    expect(ctx.journal.doc.rollbacks).toEqual([]);
    expect(ctx.journal.doc.gameday.warnings).toContain("declared rollbacks skipped (strategy deviated)");
  });

  it("with strategy deviated, a run that deviated runs them", async () => {
    const { ctx, s } = await withDeclared("deviated");
    ctx.deviations.push("p95 over 300 ms");
    expect(await runRollbacks(ctx, false)).toBe(true);
    s.clock.stop();
    expect(ctx.journal.doc.rollbacks.map((e) => e.status)).toEqual(["succeeded"]);
    expect(ctx.journal.doc.gameday.rollbackResults).toMatchObject([{ description: "run the experiment's declared rollbacks", ok: true }]);
    expect(s.ledger.pending()).toEqual([]);
    expect(s.events.map((e) => e.type)).toEqual(["phase", "rollback"]);
  });

  it("a rollback that fails is counted and stays in the ledger for chaos recover", async () => {
    const missing = { ...processAction("undo", ""), provider: { type: "process", path: "/nonexistent/undo", arguments: [] } } as never;
    const { ctx, s } = await withDeclared("always", missing);
    expect(await runRollbacks(ctx, false)).toBe(true);
    s.clock.stop();
    expect(ctx.rollbackFailures).toEqual([expect.stringMatching(/^run the experiment's declared rollbacks: /)]);
    expect(s.ledger.pending()).toHaveLength(1);
  });
});
