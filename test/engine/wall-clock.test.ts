/**
 * The journal's wall-clock times: a run in virtual time lasts minutes of its own clock and a
 * moment of real time, and CI (JUnit) must be told the real one. Chaos Toolkit's start, end and
 * duration stay the run's own clock's.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { experiment, pause, run } from "./harness.js";
import { RealClock } from "../../src/time/clock.js";
import type { JournalDoc } from "../../src/engine/journal.js";

describe("the journal's wall clock", () => {
  it("records when a virtual-time run really started and ended and how long it took, beside the run's own clock", async () => {
    const wall = new RealClock();
    const before = wall.now();
    const r = await run(experiment({ method: [pause(5 * 60_000)] }), { wallClock: wall });
    const after = wall.now();
    const doc = JSON.parse(readFileSync(join(r.dir, "journal.json"), "utf8")) as JournalDoc;
    expect(doc.duration).toBe(300);
    expect(Date.parse(doc.end!) - Date.parse(doc.start)).toBe(300_000);
    const w = doc.gameday.wallClock!;
    expect(Date.parse(w.start)).toBeGreaterThanOrEqual(Math.floor(before));
    expect(Date.parse(w.end!)).toBeLessThanOrEqual(Math.ceil(after));
    expect(w.duration).toBe((Date.parse(w.end!) - Date.parse(w.start)) / 1000);
    expect(w.duration!).toBeLessThan(30);
    expect(w.writtenAt).toBe(w.end);
  });

  it("is absent when the engine is given no wall clock", async () => {
    const r = await run(experiment({ method: [pause(1_000)] }));
    expect(r.journal.doc.gameday.wallClock).toBeUndefined();
  });
});
