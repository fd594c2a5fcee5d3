import { describe, expect, it } from "vitest";
import { script } from "../fixtures/probes/scripted.js";
import { experiment, pause, probe, run } from "./harness.js";
import { LateClock } from "./late-clock.js";

/** Continuous readings every 5 s over a minute, with a stop condition polled at the runtime interval. */
function watched(name: string) {
  const at: number[] = [];
  script(name, (ctx) => {
    at.push(ctx.clock.now());
    return true;
  });
  script(`${name}-guard`, () => true);
  return {
    at,
    experiment: experiment({
      method: [probe(name, { name: "watch", mode: "continuous", interval: 5_000, tolerance: true }), pause(60_000)],
      stopConditions: [probe(`${name}-guard`, { name: "guard", tolerance: true })],
    }),
  };
}

describe("readings a busy process takes late", () => {
  it("are said to be late in the journal's warnings, by how much, and still a full interval apart", async () => {
    const { at, experiment: e } = watched("late-watch");
    // Every timer 2.5 s late: a process that cannot keep up with its scaled clock.
    const r = await run(e, { clock: (v) => new LateClock(v, 1, 2_500) });
    expect(r.verdict).toBe("held");
    const warning = r.journal.doc.gameday.warnings.find((w) => /readings were taken up to/.test(w));
    expect(warning).toMatch(/up to 2\.5 s later than their interval asked/);
    expect(warning).toMatch(/could not keep up with its scaled clock/);
    expect(r.events.some((ev) => ev.type === "warning" && /readings were taken up to 2\.5 s/.test((ev as { message: string }).message))).toBe(true);
    // No catching up: consecutive readings of one probe are never closer than the interval.
    // (The last is the reading that closes the window, taken when the method ends.)
    expect(at.length).toBeGreaterThan(5);
    for (let i = 1; i < at.length - 1; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(5_000);
  });

  it("in virtual time there is nothing to warn about", async () => {
    const { experiment: e } = watched("on-time-watch");
    const r = await run(e);
    expect(r.verdict).toBe("held");
    expect(r.journal.doc.gameday.warnings).toEqual([]);
  });
});
