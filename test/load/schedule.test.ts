import { describe, expect, it } from "vitest";
import { ArrivalSchedule } from "../../src/load/schedule.js";
import { SeededRandom } from "../../src/random/random.js";

function all(s: ArrivalSchedule): number[] {
  const out: number[] = [];
  for (let t = s.next(); t !== undefined; t = s.next()) out.push(t);
  return out;
}

describe("ArrivalSchedule", () => {
  it("spaces a constant rate evenly: 10 per second for a second is 0, 100, ... 900 ms", () => {
    const t = all(new ArrivalSchedule([{ rate: 10, duration: 1000 }]));
    expect(t).toHaveLength(10);
    t.forEach((v, i) => expect(v).toBeCloseTo(i * 100, 6));
  });

  it("ramps linearly: 0 to 100 per second over 2 s sends 100, three quarters of them in the second half", () => {
    const t = all(new ArrivalSchedule([{ from: 0, to: 100, duration: 2000 }]));
    expect(t).toHaveLength(100);
    expect(t.filter((v) => v >= 1000)).toHaveLength(75);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
  });

  it("chains stages, skipping idle ones, and tells the rate at any instant", () => {
    const s = new ArrivalSchedule([{ rate: 5, duration: 1000 }, { rate: 0, duration: 1000 }, { from: 10, to: 0, duration: 1000 }]);
    const t = all(s);
    expect(t.filter((v) => v < 1000)).toHaveLength(5);
    expect(t.filter((v) => v >= 1000 && v < 2000)).toHaveLength(0);
    expect(t.filter((v) => v >= 2000)).toHaveLength(5);
    expect(s.duration).toBe(3000);
    expect(s.rateAt(2500)).toBeCloseTo(5, 9);
    expect(s.rateAt(3000)).toBe(0);
  });

  it("draws Poisson arrivals whose count matches the rate", () => {
    const t = all(new ArrivalSchedule([{ rate: 200, duration: 50_000 }], "poisson", new SeededRandom(7)));
    // 10 000 expected; a Poisson count's standard deviation is 100.
    expect(Math.abs(t.length - 10_000)).toBeLessThan(400);
    const gaps = t.slice(1).map((v, i) => v - t[i]!);
    expect(new Set(gaps.map((g) => g.toFixed(3))).size).toBeGreaterThan(1000);
  });

  it("rejects a negative rate or an empty duration, naming the stage", () => {
    expect(() => new ArrivalSchedule([{ rate: 1, duration: 10 }, { rate: -1, duration: 1000 }])).toThrow(/stage 2: expected a rate .* >= 0, found -1/);
    expect(() => new ArrivalSchedule([{ from: 1, to: 2, duration: 0 }])).toThrow(/stage 1: expected a duration > 0 ms, found 0/);
  });
});
