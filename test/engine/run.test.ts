import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { script } from "../fixtures/probes/scripted.js";
import { experiment, hypothesis, pause, probe, processAction, run } from "./harness.js";
import { VIRTUAL_EPOCH } from "../../src/time/clock.js";

const t = (at: number) => (at - VIRTUAL_EPOCH) / 1000;

describe("the run lifecycle", () => {
  it("runs steady state before, the method, steady state after, rollbacks, then re-checks the steady state", async () => {
    const order: string[] = [];
    script("order-steady", (ctx) => {
      order.push(`steady@${t(ctx.clock.now())}`);
      return true;
    });
    script("order-step", (ctx) => {
      order.push(`step@${t(ctx.clock.now())}`);
      return 1;
    });
    const marker = "order-rollback.txt";
    const r = await run(
      experiment({
        steadyStateHypothesis: hypothesis(probe("order-steady", { tolerance: true })),
        method: [probe("order-step"), pause(10_000), probe("order-step")],
        rollbacks: [processAction("write-marker", `require("fs").writeFileSync(${JSON.stringify(marker)}, "rolled back")`)],
      }),
    );
    expect(r.verdict).toBe("held");
    expect(r.exitCode).toBe(0);
    // before at 0, steps at 0 and 10 s, after at 10 s, again after the rollback.
    expect(order).toEqual(["steady@0", "step@0", "step@10", "steady@10", "steady@10"]);
    const phases = r.events.filter((e) => e.type === "phase").map((e) => (e as { phase: string }).phase);
    expect(phases).toEqual(["steady-state-before", "method", "steady-state-after", "rollbacks", "steady-state-after-rollback"]);
    expect(readFileSync(join(r.dir, marker), "utf8")).toBe("rolled back");
    const doc = r.journal.doc;
    expect(doc.status).toBe("completed");
    expect(doc.deviated).toBe(false);
    expect(doc.steady_states.before?.steady_state_met).toBe(true);
    expect(doc.steady_states.after?.steady_state_met).toBe(true);
    expect(doc.gameday.steadyStateAfterRollback?.steady_state_met).toBe(true);
    // Every method step is in the journal's run list as it ran, pauses included (as Chaos Toolkit lists them).
    expect(doc.run.map((e) => [e.activity.type, e.status])).toEqual([
      ["probe", "succeeded"],
      ["pause", "succeeded"],
      ["probe", "succeeded"],
    ]);
    expect(doc.rollbacks.map((e) => [e.activity.name, e.status])).toEqual([["write-marker", "succeeded"]]);
    expect(r.ledger.isClosed()).toBe(true);
  });

  it("says the steady state held when only the hypothesis read probes, and 'nothing to judge' when nothing read one", async () => {
    script("hypothesis-only", () => true);
    const judged = await run(experiment({ steadyStateHypothesis: hypothesis(probe("hypothesis-only", { tolerance: true })), method: [pause(1_000)] }));
    expect([judged.verdict, judged.journal.doc.gameday.summary]).toEqual(["held", "the steady state held"]);
    const unjudged = await run(experiment({ method: [pause(1_000)] }));
    expect([unjudged.verdict, unjudged.journal.doc.gameday.summary]).toEqual(["held", "completed: nothing to judge (no steady-state hypothesis and no probe was read)"]);
  });

  it("reports a steady state that fails before the method as such, and does not run the method", async () => {
    let methodRan = false;
    script("unhealthy", () => 0.5);
    script("method-marker", () => {
      methodRan = true;
      return 1;
    });
    const r = await run(experiment({ steadyStateHypothesis: hypothesis(probe("unhealthy", { tolerance: ">= 0.99" })), method: [probe("method-marker")] }));
    expect(r.verdict).toBe("not-steady-before");
    expect(r.exitCode).toBe(1);
    expect(methodRan).toBe(false);
    expect(r.journal.doc.status).toBe("failed");
    expect(r.journal.doc.steady_states.before?.steady_state_met).toBe(false);
    expect(r.journal.doc.steady_states.before?.probes[0]?.tolerance_met).toBe(false);
    expect(r.journal.doc.gameday.summary).toMatch(/did not hold before the method/);
  });

  it("deviates when the steady state does not hold after the method", async () => {
    script("degrades", (ctx) => (t(ctx.clock.now()) < 5 ? 200 : 503));
    const r = await run(experiment({ steadyStateHypothesis: hypothesis(probe("degrades", { tolerance: 200 })), method: [pause(30_000)] }));
    expect(r.verdict).toBe("deviated");
    expect(r.exitCode).toBe(1);
    expect(r.journal.doc.deviated).toBe(true);
    expect(r.journal.doc.status).toBe("completed");
  });

  it("counts a failed reading during the method as a deviation (continuously), unlike Chaos Toolkit", async () => {
    script("dip", (ctx) => (t(ctx.clock.now()) >= 10 && t(ctx.clock.now()) < 15 ? 0 : 1));
    const r = await run(
      experiment({
        steadyStateHypothesis: hypothesis(probe("dip", { tolerance: 1 })),
        method: [pause(30_000)],
        runtime: { hypothesis: "continuously", interval: 5_000, rollbacks: "always", failFast: false },
      }),
    );
    expect(r.verdict).toBe("deviated");
    expect(r.journal.doc.gameday.during.failed).toBeGreaterThan(0);
    expect(r.journal.doc.steady_states.during.some((s) => !s.steady_state_met)).toBe(true);
  });
});

describe("probe modes", () => {
  it("reads sot before, eot after, edge at both ends, continuous throughout and on-chaos during the method", async () => {
    const seen: Record<string, number[]> = { sot: [], eot: [], edge: [], continuous: [], "on-chaos": [] };
    script("mode-gate", () => true);
    for (const mode of Object.keys(seen)) {
      script(`mode-${mode}`, (ctx) => {
        seen[mode]!.push(t(ctx.clock.now()));
        return ctx.mode;
      });
    }
    const r = await run(
      experiment({
        steadyStateHypothesis: hypothesis(probe("mode-gate", { name: "gate" })),
        method: [
          probe("mode-sot", { mode: "sot" }),
          probe("mode-eot", { mode: "eot" }),
          probe("mode-edge", { mode: "edge" }),
          probe("mode-continuous", { mode: "continuous", interval: 5_000 }),
          probe("mode-on-chaos", { mode: "on-chaos", interval: 10_000 }),
          pause(30_000),
        ],
      }),
    );
    expect(r.verdict).toBe("held");
    expect(seen.sot).toEqual([0]);
    expect(seen.eot).toEqual([30]);
    expect(seen.edge).toEqual([0, 30]);
    // Every 5 s from the start to the end of the after phase; the reading at 30 s closes the window.
    expect(seen.continuous).toEqual([0, 5, 10, 15, 20, 25, 30]);
    // No fault: the chaos window is the method, read every 10 s.
    expect(seen["on-chaos"]).toEqual([0, 10, 20, 30]);
    const verdicts = Object.fromEntries(r.journal.doc.gameday.probes.map((p) => [p.mode, [p.verdict, p.readings]]));
    expect(verdicts).toMatchObject({ sot: ["passed", 1], eot: ["passed", 1], edge: ["passed", 2], continuous: ["passed", 7], "on-chaos": ["passed", 4] });
  });

  it("fails a continuous probe if any one reading misses, and keys verdicts by step and mode", async () => {
    script("flaky", (ctx) => (t(ctx.clock.now()) === 15 ? 500 : 200));
    const r = await run(experiment({ method: [probe("flaky", { name: "health", mode: "continuous", interval: 5_000, tolerance: 200 }), pause(30_000)] }));
    expect(r.verdict).toBe("deviated");
    const health = r.journal.doc.gameday.probes.find((p) => p.step === "health")!;
    expect(health.verdict).toBe("failed");
    expect(health.failed).toBe(1);
    expect(health.firstFailure?.at).toBe(new Date(VIRTUAL_EPOCH + 15_000).toISOString());
  });

  it("retries a reading up to `attempts` times before counting it as failed", async () => {
    let calls = 0;
    script("second-time-lucky", () => (++calls === 1 ? "no" : "yes"));
    const r = await run(experiment({ method: [probe("second-time-lucky", { attempts: 2, interval: 1_000, tolerance: "yes" })] }));
    expect(r.verdict).toBe("held");
    expect(calls).toBe(2);
  });

  it("stops the method at a failed reading when stopOnFailure is set", async () => {
    script("breaks-at-10", (ctx) => t(ctx.clock.now()) < 10);
    const r = await run(experiment({ method: [probe("breaks-at-10", { mode: "continuous", interval: 5_000, stopOnFailure: true, tolerance: true }), pause(60_000)] }));
    expect(r.verdict).toBe("deviated");
    const verdict = r.events.find((e) => e.type === "verdict")!;
    // Stopped at the first failed reading, not after the 60 s pause.
    expect(t(verdict.at)).toBeLessThan(15);
  });
});

describe("stop conditions", () => {
  it("abort the method within one interval of a breach, run rollbacks and exit 3", async () => {
    script("error-rate", (ctx) => (t(ctx.clock.now()) >= 21 ? 0.2 : 0.0));
    const r = await run(
      experiment({
        method: [pause(300_000)],
        stopConditions: [probe("error-rate", { name: "errors", tolerance: "<= 0.05" })],
        rollbacks: [processAction("undo", "process.exit(0)")],
      }),
    );
    expect(r.verdict).toBe("aborted");
    expect(r.exitCode).toBe(3);
    expect(r.journal.doc.status).toBe("aborted");
    const breach = r.events.find((e) => e.type === "stop-condition")!;
    // Polled every 5 s: the first reading past 21 s is at 25 s.
    expect(t(breach.at)).toBe(25);
    expect(r.journal.doc.gameday.stopCondition?.probe).toBe("errors");
    expect(r.journal.doc.rollbacks.map((e) => e.status)).toEqual(["succeeded"]);
    const end = r.events.find((e) => e.type === "verdict")!;
    expect(t(end.at)).toBeLessThan(30);
  });
});

describe("activities", () => {
  it("enforce their timeout", async () => {
    const r = await run(experiment({ method: [processAction("slow", "setTimeout(() => {}, 10000)", { timeout: 300 })] }));
    expect(r.verdict).toBe("error");
    expect(r.exitCode).toBe(4);
    expect(r.journal.doc.gameday.summary).toMatch(/slow/);
    expect(r.journal.doc.run[0]?.status).toBe("failed");
  });

  it("run background steps concurrently and the method waits for them", async () => {
    const r = await run(experiment({ method: [pause(20_000, { background: true }), pause(20_000, { background: true }), pause(5_000)] }));
    expect(r.verdict).toBe("held");
    const end = r.events.find((e) => e.type === "verdict")!;
    expect(t(end.at)).toBe(20);
  });

  it("enforce a probe's timeout in virtual time; a probe that never answers is an error, not a deviation", async () => {
    script("hangs", async (ctx) => {
      await ctx.clock.sleep(60_000, ctx.signal);
      return 1;
    });
    const r = await run(experiment({ method: [probe("hangs", { probeTimeout: 2_000, tolerance: 1 })] }));
    expect(r.verdict).toBe("error");
    expect(r.exitCode).toBe(4);
    expect(r.journal.doc.gameday.probes[0]?.verdict).toBe("error");
    expect(r.journal.doc.gameday.probes[0]?.firstUnreadable?.reason).toBe("no reading within 2000 ms");
    expect(r.summary).toMatch(/could not take a reading.*no reading within 2000 ms/);
    const end = r.events.find((e) => e.type === "verdict")!;
    expect(t(end.at)).toBe(2);
  });
});

describe("rollbacks and interruption", () => {
  it("an interrupt stops the method, runs the rollbacks and ends with 130", async () => {
    const interrupt = new AbortController();
    const r = await run(experiment({ method: [pause(600_000)], rollbacks: [processAction("undo", "process.exit(0)")] }), {
      interrupt: interrupt.signal,
      start: (clock) => {
        clock.setTimer(42_000, () => interrupt.abort("SIGTERM"));
      },
    });
    expect(r.verdict).toBe("interrupted");
    expect(r.exitCode).toBe(130);
    expect(r.journal.doc.status).toBe("interrupted");
    expect(r.journal.doc.gameday.interrupted?.signal).toBe("SIGTERM");
    expect(r.journal.doc.rollbacks.map((e) => e.status)).toEqual(["succeeded"]);
    expect(r.ledger.isClosed()).toBe(true);
  });

  it("a signal that came while the run was being set up ends it as interrupted, never as held", async () => {
    const interrupt = new AbortController();
    interrupt.abort("SIGINT");
    script("fine", () => true);
    const r = await run(experiment({ steadyStateHypothesis: hypothesis(probe("fine", { tolerance: true })), method: [pause(60_000)] }), { interrupt: interrupt.signal });
    expect(r.verdict).toBe("interrupted");
    expect(r.exitCode).toBe(130);
  });

  it("with rollbacks: never, runs none and marks them resolved so recovery does not replay them", async () => {
    const r = await run(experiment({ method: [pause(1_000)], rollbacks: [processAction("undo", "process.exit(0)")], runtime: { hypothesis: "default", interval: 5_000, rollbacks: "never", failFast: false } }));
    expect(r.verdict).toBe("held");
    expect(r.journal.doc.rollbacks).toEqual([]);
    expect(r.ledger.pending()).toEqual([]);
    expect(r.journal.doc.gameday.warnings.join("\n")).toMatch(/rollbacks skipped/);
  });

  it("with rollbacks: deviated, runs them only when the run deviated", async () => {
    script("bad-after", (ctx) => t(ctx.clock.now()) < 1);
    const strategy = { hypothesis: "default" as const, interval: 5_000, rollbacks: "deviated" as const, failFast: false };
    const held = await run(experiment({ method: [pause(1_000)], rollbacks: [processAction("undo", "process.exit(0)")], runtime: strategy }));
    expect(held.journal.doc.rollbacks).toHaveLength(0);
    const deviated = await run(experiment({ steadyStateHypothesis: hypothesis(probe("bad-after", { tolerance: true })), method: [pause(5_000)], rollbacks: [processAction("undo", "process.exit(0)")], runtime: strategy }));
    expect(deviated.verdict).toBe("deviated");
    expect(deviated.journal.doc.rollbacks).toHaveLength(1);
  });

  it("reports a steady state that does not come back after the rollbacks", async () => {
    // The rollback itself breaks the system (chaostoolkit-lib#94): it writes a flag the probe checks.
    const flag = join(mkdtempSync(join(tmpdir(), "gameday-flag-")), "broken");
    script("healthy-unless-flag", () => !existsSync(flag));
    const r = await run(
      experiment({
        steadyStateHypothesis: hypothesis(probe("healthy-unless-flag", { tolerance: true })),
        method: [pause(1_000)],
        rollbacks: [processAction("breaks-things", `require("fs").writeFileSync(${JSON.stringify(flag)}, "x")`)],
      }),
    );
    expect(r.journal.doc.steady_states.after?.steady_state_met).toBe(true);
    expect(r.journal.doc.gameday.steadyStateAfterRollback?.steady_state_met).toBe(false);
    expect(r.verdict).toBe("deviated");
    expect(r.journal.doc.gameday.summary).toMatch(/did not come back after the rollbacks/);
  });
});

describe("the journal", () => {
  it("is written as the run goes and redacts secrets everywhere", async () => {
    script("leaky", () => ({ token: "s3cr3t-token", note: "token is s3cr3t-token" }));
    const r = await run(experiment({ method: [probe("leaky")] }), { secrets: ["s3cr3t-token"] });
    const text = readFileSync(r.journal.file, "utf8");
    expect(text).not.toContain("s3cr3t-token");
    expect(text).toContain("token is ***");
    const doc = JSON.parse(text);
    expect(doc["chaoslib-version"]).toMatch(/^gameday-/);
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(["experiment", "start", "end", "duration", "status", "deviated", "steady_states", "run", "rollbacks"]));
    expect(doc.gameday.complete).toBe(true);
  });
});

describe("probes that cannot measure", () => {
  it("a steady-state probe that throws before the method is an error (exit 4), and the method does not run", async () => {
    let methodRan = false;
    script("no-traffic-here", () => {
      throw new Error('no traffic for service "web" on this target');
    });
    script("method-ran", () => (methodRan = true));
    const r = await run(experiment({ steadyStateHypothesis: hypothesis(probe("no-traffic-here", { name: "web-slo", tolerance: true })), method: [probe("method-ran")] }));
    expect(r.verdict).toBe("error");
    expect(r.exitCode).toBe(4);
    expect(methodRan).toBe(false);
    expect(r.summary).toBe('web-slo (steady state before) could not take a reading: no traffic for service "web" on this target');
  });

  it("a reading a monitored probe could not take counts neither way; the journal says how many", async () => {
    script("sometimes-throws", (ctx) => {
      if (t(ctx.clock.now()) === 10) throw new Error("blip");
      return true;
    });
    const r = await run(experiment({ method: [probe("sometimes-throws", { name: "watch", mode: "continuous", interval: 5_000, stopOnFailure: true, tolerance: true }), pause(20_000)] }));
    expect(r.verdict).toBe("held");
    const watch = r.journal.doc.gameday.probes.find((p) => p.step === "watch")!;
    expect(watch).toMatchObject({ verdict: "passed", failed: 0, unreadable: 1, firstUnreadable: { reason: "blip" } });
    // ... but a miss among them is still a miss.
    script("misses-once", (ctx) => (t(ctx.clock.now()) === 10 ? false : t(ctx.clock.now()) === 5 ? (() => { throw new Error("blip"); })() : true));
    const missed = await run(experiment({ method: [probe("misses-once", { name: "watch", mode: "continuous", interval: 5_000, tolerance: true }), pause(20_000)] }));
    expect(missed.verdict).toBe("deviated");
    expect(missed.journal.doc.gameday.probes.find((p) => p.step === "watch")).toMatchObject({ verdict: "failed", failed: 1, unreadable: 1 });
  });

  it("a Chaos Toolkit provider that fails is a failed reading, as in Chaos Toolkit", async () => {
    const r = await run(
      experiment({
        steadyStateHypothesis: hypothesis({ kind: "activity", type: "probe", name: "exits-1", at: [], background: false, tolerance: { kind: "equals", value: 0 }, provider: { type: "process", path: process.execPath, arguments: ["-e", "process.exit(1)"] } } as never),
        method: [pause(1_000)],
      }),
    );
    expect(r.verdict).toBe("not-steady-before");
    expect(r.exitCode).toBe(1);
  });

  it("a stop condition that cannot be read stops the method as an error, not as a breach", async () => {
    script("guard-blind", () => {
      throw new Error("AccessDenied");
    });
    const r = await run(experiment({ method: [pause(300_000)], stopConditions: [probe("guard-blind", { name: "guard", tolerance: true })] }));
    expect(r.verdict).toBe("error");
    expect(r.exitCode).toBe(4);
    expect(r.summary).toMatch(/stop condition guard could not take a reading \(AccessDenied\)/);
    const end = r.events.find((e) => e.type === "verdict")!;
    expect(t(end.at)).toBeLessThan(10);
  });
});

describe("stateful probes in every mode", () => {
  // A probe that needs its previous readings (a window, a baseline) keeps its state across a
  // stop condition's and a hypothesis probe's readings, as it does when monitored.
  function counting(name: string, seen: number[]) {
    script(name, (ctx) => {
      const state = ctx.state as { n?: number };
      state.n = (state.n ?? 0) + 1;
      seen.push(state.n);
      // Fails on its third reading in a series: only a probe that keeps its state gets there.
      return state.n < 3;
    });
  }

  it("a stop condition keeps its state from one reading to the next", async () => {
    const seen: number[] = [];
    counting("stop-series", seen);
    const r = await run(experiment({ method: [pause(300_000)], stopConditions: [probe("stop-series", { name: "series", tolerance: true })] }));
    expect(seen).toEqual([1, 2, 3]);
    expect(r.verdict).toBe("aborted");
    const breach = r.events.find((e) => e.type === "stop-condition")!;
    // Read at 0, 5 and 10 s: one reading per interval.
    expect(t(breach.at)).toBe(10);
  });

  it("a hypothesis probe read during the method keeps its state; before and after stand alone", async () => {
    const seen: number[] = [];
    counting("during-series", seen);
    const r = await run(
      experiment({
        steadyStateHypothesis: hypothesis(probe("during-series", { name: "series", tolerance: true })),
        method: [pause(30_000)],
        runtime: { hypothesis: "during-method-only", interval: 5_000, rollbacks: "always", failFast: false },
      }),
    );
    expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
    expect(r.verdict).toBe("deviated");
  });
});

describe("fail fast before the method", () => {
  it("a start-of-test reading that fails with stopOnFailure keeps the method from running", async () => {
    let methodRan = false;
    script("sot-bad", () => false);
    script("method-ran-2", () => (methodRan = true));
    const r = await run(experiment({ method: [probe("sot-bad", { name: "precheck", mode: "sot", stopOnFailure: true, tolerance: true }), probe("method-ran-2"), pause(60_000)] }));
    expect(methodRan).toBe(false);
    expect(r.verdict).toBe("deviated");
    expect(r.summary).toMatch(/precheck/);
    const end = r.events.find((e) => e.type === "verdict")!;
    expect(t(end.at)).toBe(0);
  });
});

describe("rollback outcomes", () => {
  const missingProgram = (name: string) => ({ ...processAction(name, ""), provider: { type: "process", path: "/nonexistent/undo", arguments: [] } }) as never;

  it("a failed rollback makes the run an error (exit 4) and says to run chaos recover", async () => {
    const r = await run(experiment({ method: [pause(1_000)], rollbacks: [missingProgram("undo")] }));
    expect(r.verdict).toBe("error");
    expect(r.exitCode).toBe(4);
    expect(r.summary).toMatch(/^rollback failed: .*chaos recover/);
    // Left open for `chaos recover`.
    expect(r.ledger.isClosed()).toBe(false);
    expect(r.ledger.pending()).toHaveLength(1);
  });

  it("honour an activity's pauses, as Chaos Toolkit does", async () => {
    const r = await run(experiment({ method: [pause(1_000)], rollbacks: [processAction("undo", "process.exit(0)", { pauses: { before: 5_000, after: 2_000 } })] }));
    expect(r.verdict).toBe("held");
    const [entry] = r.journal.doc.rollbacks;
    expect(entry?.status).toBe("succeeded");
    // Method ends at 1 s; the rollback waits 5 s before and 2 s after its provider.
    expect(t(Date.parse(entry!.end!))).toBe(8);
  });

  it("a failed rollback outranks a stop condition's abort", async () => {
    script("breach", () => false);
    const r = await run(experiment({ method: [pause(60_000)], stopConditions: [probe("breach", { name: "guard", tolerance: true })], rollbacks: [missingProgram("undo")] }));
    expect(r.verdict).toBe("error");
    expect(r.summary).toMatch(/^rollback failed/);
  });

  it("with rollbacks: deviated, a failed on-chaos probe counts as deviated and the rollbacks run", async () => {
    script("chaos-bad", () => false);
    const r = await run(
      experiment({
        method: [probe("chaos-bad", { name: "during", mode: "on-chaos", interval: 5_000, tolerance: true }), pause(10_000)],
        rollbacks: [processAction("undo", "process.exit(0)")],
        runtime: { hypothesis: "default", interval: 5_000, rollbacks: "deviated", failFast: false },
      }),
    );
    expect(r.verdict).toBe("deviated");
    expect(r.journal.doc.rollbacks.map((e) => e.status)).toEqual(["succeeded"]);
  });
});

describe("secrets", () => {
  it("never reach the timeline, the summary or the ledger; the rollbacks still get them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gameday-secret-"));
    const out = join(dir, "rollback-saw.txt");
    script("echoes-token", () => ({ stdout: "token=hunter2-SECRET" }));
    const r = await run(
      experiment({
        method: [probe("echoes-token", { name: "echo", tolerance: { type: "jsonpath", path: "$.stdout", expect: "nope" } })],
        rollbacks: [processAction("uses-token", `require("fs").writeFileSync(${JSON.stringify(out)}, "hunter2-SECRET")`)],
      }),
      { secrets: ["hunter2-SECRET"] },
    );
    const timeline = JSON.stringify(r.events);
    expect(timeline).toContain("token=***");
    expect(timeline).not.toContain("hunter2");
    expect(r.summary).not.toContain("hunter2");
    expect(readFileSync(join(r.ledger.dir, "ledger.jsonl"), "utf8")).not.toContain("hunter2");
    expect(readFileSync(join(r.ledger.dir, "ledger.jsonl"), "utf8")).toContain('"secretsMasked":true');
    // The rollback ran with the real value.
    expect(readFileSync(out, "utf8")).toBe("hunter2-SECRET");
  });
});

describe("an unwritable journal", () => {
  it("fails the run with exit 4 instead of claiming success", async () => {
    const r = await run(experiment({ method: [pause(1_000)] }), { journalPath: (dir) => join(dir, "not-a-dir.txt", "journal.json"), prepare: (dir) => writeFileSync(join(dir, "not-a-dir.txt"), "") });
    expect(r.verdict).toBe("error");
    expect(r.exitCode).toBe(4);
    expect(r.summary).toMatch(/journal could not be written/);
    expect(r.journal.doc.gameday.warnings.filter((w) => /could not write the journal/.test(w))).toHaveLength(1);
  });
});

describe("a probe's run state", () => {
  it("carries across all of a probe's readings in one run (steady-state checks and method steps), while each series' own state starts afresh", async () => {
    const seen: { run: number; series: number }[] = [];
    script("run-state", (ctx) => {
      const runState = ctx.runState as { readings?: number };
      const series = ctx.state as { readings?: number };
      runState.readings = (runState.readings ?? 0) + 1;
      series.readings = (series.readings ?? 0) + 1;
      seen.push({ run: runState.readings, series: series.readings });
      return true;
    });
    const r = await run(
      experiment({
        steadyStateHypothesis: hypothesis(probe("run-state", { tolerance: true })),
        method: [probe("run-state"), pause(10_000), probe("run-state")],
      }),
    );
    expect(r.verdict).toBe("held");
    // Before, two method steps, after: one count for the run, a fresh one per reading.
    expect(seen).toEqual([1, 2, 3, 4].map((n) => ({ run: n, series: 1 })));
  });
});
