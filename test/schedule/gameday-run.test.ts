/**
 * The game day's orchestration on a virtual clock: timeboxes, checkpoints, notes and interrupts,
 * with steps and the facilitator as fakes. The times in the record are the injected clock's.
 */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/time/clock.js";
import { GamedayRun, type Facilitator, type StepHandle } from "../../src/schedule/gameday-run.js";
import { recordMarkdown, type GamedayRecord } from "../../src/schedule/gameday-record.js";
import type { LoadedRunbook, Runbook } from "../../src/schedule/gameday-runbook.js";

const START = Date.parse("2026-04-01T09:00:00Z");
const MIN = 60_000;

function loaded(steps: Runbook["steps"], extra: Partial<Runbook> = {}): LoadedRunbook {
  return { file: "drill.yaml", name: "drill", runbook: { title: "Drill", roles: { facilitator: "Ana" }, steps, ...extra }, positionOf: () => undefined };
}

/** A step that takes `ms` of clock time and ends 0, or 130 when interrupted first. */
function fakeStep(clock: VirtualClock, ms: number, log: string[], name: string): StepHandle {
  const stop = new AbortController();
  log.push(`start ${name}`);
  const done = clock.sleep(ms, stop.signal).then(
    () => ({ code: 0, signal: null }),
    () => {
      log.push(`rolled back ${name}`);
      return { code: 130, signal: null };
    },
  );
  return { done, interrupt: () => stop.abort() };
}

/** A step that ends after `ms` of clock time as `exit` says (a code, or killed by a signal). */
function endingStep(clock: VirtualClock, ms: number, log: string[], name: string, exit: { code: number | null; signal: NodeJS.Signals | null }): StepHandle {
  log.push(`start ${name}`);
  return { done: clock.sleep(ms).then(() => exit), interrupt: () => {} };
}

function harness(
  steps: Runbook["steps"],
  facilitator: Facilitator,
  durations: Record<string, number>,
  o: { exits?: Record<string, { code: number | null; signal: NodeJS.Signals | null }>; openLedgers?: Record<string, string> } = {},
) {
  const clock = new VirtualClock(START);
  const log: string[] = [];
  let saved: GamedayRecord | undefined;
  const run: GamedayRun = new GamedayRun(
    loaded(steps),
    {
      clock,
      facilitator,
      journalPath: (s) => `${s.experiment}.journal.json`,
      journalExists: () => true,
      openLedger: (journal) => o.openLedgers?.[journal],
      startStep: (s) => (o.exits?.[s.experiment] ? endingStep(clock, durations[s.experiment]!, log, s.experiment, o.exits[s.experiment]!) : fakeStep(clock, durations[s.experiment]!, log, s.experiment)),
      preCheck: async () => ({ ok: true, detail: "exit code 0" }),
      print: (line) => void log.push(line),
      save: (r) => void (saved = structuredClone(r)),
    },
    { id: "drill-1", target: "sandbox", file: "drill.yaml" },
  );
  return { clock, log, run, saved: () => saved! };
}

const auto: Facilitator = { mode: "auto", checkpoint: () => Promise.resolve({ answer: "continue" }) };

describe("GamedayRun", () => {
  it("stops a step at its timebox on the clock, rolls it back, reports the overrun and goes on", async () => {
    const h = harness([{ experiment: "slow", timebox: 5 * MIN }, { experiment: "quick" }], auto, { slow: 60 * MIN, quick: MIN });
    const code = await h.run.run(new AbortController().signal);
    expect(code).toBe(1);
    const r = h.saved();
    expect(r.steps[0]).toMatchObject({ name: "slow", startedAt: "2026-04-01T09:00:00.000Z", endedAt: "2026-04-01T09:05:00.000Z", timeboxExceeded: true, exitCode: 130 });
    expect(r.steps[1]).toMatchObject({ name: "quick", startedAt: "2026-04-01T09:05:00.000Z", endedAt: "2026-04-01T09:06:00.000Z", verdict: "held" });
    expect(h.log).toContain("rolled back slow");
    // Every step ran, but not every step held: the outcome says so, not "completed".
    expect(r.status).toBe("deviated");
    expect(recordMarkdown(r)).toContain("- Outcome: **deviated**: every step ran; not held: slow timebox exceeded: stopped after 5m (interrupted (rollbacks ran))");
  });

  it("a step killed by a signal ends the day as aborted before the next step starts: its faults may still be in force", async () => {
    const h = harness([{ experiment: "outage" }, { experiment: "task-kill" }], auto, { outage: MIN, "task-kill": MIN }, { exits: { outage: { code: null, signal: "SIGKILL" } } });
    expect(await h.run.run(new AbortController().signal)).toBe(4);
    expect(h.log.filter((l) => l.startsWith("start "))).toEqual(["start outage"]);
    const r = h.saved();
    expect(r.steps.map((s) => s.name)).toEqual(["outage"]);
    expect(r.status).toBe("aborted");
    expect(r.abortReason).toBe("step outage (drill.yaml) was killed by SIGKILL before its rollbacks could be confirmed; its faults may still be in force: run `chaos recover`; no further step was started");
    expect(recordMarkdown(r)).toContain("- Outcome: **aborted**: step outage (drill.yaml) was killed by SIGKILL");
  });

  it("a step that exited but left undo steps in its ledger ends the day as aborted, naming the ledger and chaos recover", async () => {
    const h = harness([{ experiment: "outage" }, { experiment: "task-kill" }], auto, { outage: MIN, "task-kill": MIN }, {
      exits: { outage: { code: 4, signal: null } },
      openLedgers: { "outage.journal.json": ".gameday/runs/outage-0000002a" },
    });
    expect(await h.run.run(new AbortController().signal)).toBe(4);
    expect(h.log.filter((l) => l.startsWith("start "))).toEqual(["start outage"]);
    expect(h.saved()).toMatchObject({ status: "aborted", abortReason: "step outage (drill.yaml) left undo steps pending in .gameday/runs/outage-0000002a; its faults may still be in force: run `chaos recover`; no further step was started" });
  });

  it("a step with a target error whose rollbacks finished lets the day go on; the outcome is error, not completed", async () => {
    const h = harness([{ experiment: "one" }, { experiment: "two" }], auto, { one: MIN, two: MIN }, { exits: { one: { code: 4, signal: null } } });
    expect(await h.run.run(new AbortController().signal)).toBe(4);
    const r = h.saved();
    expect(r.steps.map((s) => [s.name, s.verdict])).toEqual([
      ["one", "target or toolkit error"],
      ["two", "held"],
    ]);
    expect(r.status).toBe("error");
    const md = recordMarkdown(r);
    expect(md).toContain("- Outcome: **error**: every step ran; not held: one target or toolkit error");
    expect(md).not.toContain("completed");
  });

  it("a day whose every step held is completed", async () => {
    const h = harness([{ experiment: "one" }, { experiment: "two" }], auto, { one: MIN, two: MIN });
    expect(await h.run.run(new AbortController().signal)).toBe(0);
    expect(h.saved().status).toBe("completed");
    expect(h.saved().notRun).toBeUndefined();
    expect(recordMarkdown(h.saved())).toContain("- Outcome: completed\n");
  });

  it("keeps notes with the clock's time and the checkpoint's answer; abort ends the day before the next step", async () => {
    let run: GamedayRun | undefined;
    let clock: VirtualClock | undefined;
    const facilitator: Facilitator = {
      mode: "interactive",
      async checkpoint() {
        await clock!.sleep(90_000);
        run!.note("  p95 went up to 400ms  ");
        return { answer: "abort", reason: "paging storm" };
      },
    };
    const h = harness([{ experiment: "one" }, { experiment: "two" }], facilitator, { one: 2 * MIN, two: MIN });
    run = h.run;
    clock = h.clock;
    const code = await h.run.run(new AbortController().signal);
    expect(code).toBe(3);
    const r = h.saved();
    expect(r.notes).toEqual([{ at: "2026-04-01T09:03:30.000Z", text: "p95 went up to 400ms" }]);
    expect(r.checkpoints).toEqual([{ after: "one", question: "continue with two?", at: "2026-04-01T09:03:30.000Z", answer: "abort", reason: "paging storm" }]);
    expect(r.steps.map((s) => s.name)).toEqual(["one"]);
    expect(r).toMatchObject({ status: "aborted", abortReason: "the facilitator aborted at the checkpoint after one: paging storm", endedAt: "2026-04-01T09:03:30.000Z" });
    // The step that never ran is in the record, with where the day was aborted and why.
    expect(r.notRun).toEqual([{ step: 2, name: "two", experiment: "two" }]);
    expect(recordMarkdown(r)).toContain("These steps never ran because the day was aborted at step 1 (one): the facilitator aborted at the checkpoint after one: paging storm\n\n- 2. two (two): **not run**");
    expect(recordMarkdown(r)).toContain("- 2026-04-01T09:03:30.000Z after one: continue with two? **abort**: paging storm");
  });

  it("an interrupt during a step rolls that step back, runs nothing after it, and ends the day as aborted", async () => {
    const h = harness([{ experiment: "one" }, { experiment: "two" }], auto, { one: 30 * MIN, two: MIN });
    const interrupt = new AbortController();
    h.clock.setTimer(10 * MIN, () => interrupt.abort("SIGINT"));
    const code = await h.run.run(interrupt.signal);
    expect(code).toBe(130);
    const r = h.saved();
    expect(h.log).toContain("rolled back one");
    expect(h.log).not.toContain("start two");
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]).toMatchObject({ verdict: "interrupted (rollbacks ran)", endedAt: "2026-04-01T09:10:00.000Z" });
    expect(r).toMatchObject({ status: "aborted", abortReason: "interrupted by SIGINT" });
  });

  it("a failed pre-check runs no step", async () => {
    const clock = new VirtualClock(START);
    let saved: GamedayRecord | undefined;
    const started: string[] = [];
    const run = new GamedayRun(
      loaded([{ experiment: "one" }], { "pre-checks": [{ name: "dashboards up", command: ["false"] }] }),
      {
        clock,
        facilitator: auto,
        journalPath: () => "j.json",
        journalExists: () => true,
        openLedger: () => undefined,
        startStep: (s) => (started.push(s.experiment), fakeStep(clock, MIN, [], s.experiment)),
        preCheck: async () => ({ ok: false, detail: "exit code 1" }),
        print: () => {},
        save: (r) => void (saved = structuredClone(r)),
      },
      { id: "drill-2", target: "sandbox", file: "drill.yaml" },
    );
    expect(await run.run(new AbortController().signal)).toBe(3);
    expect(started).toEqual([]);
    expect(saved).toMatchObject({ status: "aborted", abortReason: "pre-check dashboards up (drill.yaml) failed: exit code 1", preChecks: [{ name: "dashboards up", ok: false, detail: "exit code 1" }], notRun: [{ step: 1, name: "one", experiment: "one" }] });
    expect(recordMarkdown(saved!)).toContain("These steps never ran because the day was aborted before its first step: pre-check dashboards up (drill.yaml) failed: exit code 1");
  });

  it("a step that could not start (it wrote no journal) is recorded without one, and the day ends as aborted before the next step", async () => {
    const clock = new VirtualClock(START);
    let saved: GamedayRecord | undefined;
    const started: string[] = [];
    const written = new Set<string>();
    // The runbook writes the broken step at line 7: the reason says where.
    const runbook = { ...loaded([{ experiment: "one" }, { experiment: "broken" }, { experiment: "three" }]), positionOf: (path: (string | number)[]) => (path.join() === "steps,1" ? { line: 7, column: 5 } : undefined) };
    const run = new GamedayRun(
      runbook,
      {
        clock,
        facilitator: auto,
        journalPath: (s) => `${s.experiment}.journal.json`,
        journalExists: (journal) => written.has(journal),
        openLedger: () => undefined,
        startStep: (s, _i, journal) => {
          started.push(s.experiment);
          // `chaos run` refuses its input (exit 2) before it writes a journal.
          if (s.experiment === "broken") return { done: Promise.resolve({ code: 2, signal: null }), interrupt: () => {} };
          written.add(journal);
          return fakeStep(clock, MIN, [], s.experiment);
        },
        preCheck: async () => ({ ok: true, detail: "exit code 0" }),
        print: () => {},
        save: (r) => void (saved = structuredClone(r)),
      },
      { id: "drill-3", target: "sandbox", file: "drill.yaml" },
    );
    expect(await run.run(new AbortController().signal)).toBe(4);
    expect(started).toEqual(["one", "broken"]);
    const r = saved!;
    expect(r).toMatchObject({ status: "aborted", abortReason: "step broken (drill.yaml:7) could not start: invalid input (exit code 2)" });
    expect(r.steps[0]).toMatchObject({ name: "one", journal: "one.journal.json", verdict: "held" });
    expect(r.steps[1]).toMatchObject({ name: "broken", exitCode: 2, verdict: "did not start: invalid input" });
    expect(r.steps[1]!.journal).toBeUndefined();
    // The step that could not start is a step that ran (and failed to start), not one that never ran.
    expect(r.notRun).toEqual([{ step: 3, name: "three", experiment: "three" }]);
    const md = recordMarkdown(r);
    expect(md).toContain("- Outcome: **aborted**: step broken (drill.yaml:7) could not start: invalid input (exit code 2)");
    expect(md).not.toContain("broken.journal.json");
    expect(md).not.toContain("completed");
  });
});
