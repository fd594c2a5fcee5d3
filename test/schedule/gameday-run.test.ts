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

function harness(steps: Runbook["steps"], facilitator: Facilitator, durations: Record<string, number>) {
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
      startStep: (s) => fakeStep(clock, durations[s.experiment]!, log, s.experiment),
      preCheck: async () => ({ ok: true, detail: "exit code 0" }),
      print: (line) => void log.push(line),
      save: (r) => void (saved = structuredClone(r)),
    },
    { id: "drill-1", target: "sandbox", file: "drill.yaml" },
  );
  return { clock, log, run, saved: () => saved! };
}

const auto: Facilitator = { mode: "auto", checkpoint: () => Promise.resolve("continue") };

describe("GamedayRun", () => {
  it("stops a step at its timebox on the clock, rolls it back, reports the overrun and goes on", async () => {
    const h = harness([{ experiment: "slow", timebox: 5 * MIN }, { experiment: "quick" }], auto, { slow: 60 * MIN, quick: MIN });
    const code = await h.run.run(new AbortController().signal);
    expect(code).toBe(1);
    const r = h.saved();
    expect(r.steps[0]).toMatchObject({ name: "slow", startedAt: "2026-04-01T09:00:00.000Z", endedAt: "2026-04-01T09:05:00.000Z", timeboxExceeded: true, exitCode: 130 });
    expect(r.steps[1]).toMatchObject({ name: "quick", startedAt: "2026-04-01T09:05:00.000Z", endedAt: "2026-04-01T09:06:00.000Z", verdict: "held" });
    expect(h.log).toContain("rolled back slow");
    expect(r.status).toBe("completed");
  });

  it("keeps notes with the clock's time and the checkpoint's answer; abort ends the day before the next step", async () => {
    let run: GamedayRun | undefined;
    let clock: VirtualClock | undefined;
    const facilitator: Facilitator = {
      mode: "interactive",
      async checkpoint() {
        await clock!.sleep(90_000);
        run!.note("  p95 went up to 400ms  ");
        return "abort";
      },
    };
    const h = harness([{ experiment: "one" }, { experiment: "two" }], facilitator, { one: 2 * MIN, two: MIN });
    run = h.run;
    clock = h.clock;
    const code = await h.run.run(new AbortController().signal);
    expect(code).toBe(3);
    const r = h.saved();
    expect(r.notes).toEqual([{ at: "2026-04-01T09:03:30.000Z", text: "p95 went up to 400ms" }]);
    expect(r.checkpoints).toEqual([{ after: "one", question: "continue with two?", at: "2026-04-01T09:03:30.000Z", answer: "abort" }]);
    expect(r.steps.map((s) => s.name)).toEqual(["one"]);
    expect(r).toMatchObject({ status: "aborted", abortReason: "the facilitator aborted at the checkpoint after one", endedAt: "2026-04-01T09:03:30.000Z" });
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
        startStep: (s) => (started.push(s.experiment), fakeStep(clock, MIN, [], s.experiment)),
        preCheck: async () => ({ ok: false, detail: "exit code 1" }),
        print: () => {},
        save: (r) => void (saved = structuredClone(r)),
      },
      { id: "drill-2", target: "sandbox", file: "drill.yaml" },
    );
    expect(await run.run(new AbortController().signal)).toBe(3);
    expect(started).toEqual([]);
    expect(saved).toMatchObject({ status: "aborted", abortReason: "pre-check dashboards up (drill.yaml) failed: exit code 1", preChecks: [{ name: "dashboards up", ok: false, detail: "exit code 1" }] });
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
    const md = recordMarkdown(r);
    expect(md).toContain("- Outcome: **aborted**: step broken (drill.yaml:7) could not start: invalid input (exit code 2)");
    expect(md).not.toContain("broken.journal.json");
    expect(md).not.toContain("completed");
  });
});
