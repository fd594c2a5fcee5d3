/**
 * The load generator's offered rate: its stages, and a floor that drive() raises (a probe's `rps`
 * on a stack with no load of its own, or above it).
 */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/time/clock.js";
import { SeededRandom } from "../../../src/random/random.js";
import { Timers } from "../../../src/sandbox/timers.js";
import { LoadGenerator } from "../../../src/sandbox/workload/load-generator.js";
import type { LoadStage } from "../../../src/sandbox/stack/workload.js";

function generator(stages: LoadStage[]) {
  const clock = new VirtualClock();
  const arrivals: number[] = [];
  const g = new LoadGenerator(stages, clock.now(), new Timers(clock), new SeededRandom(3), (t) => arrivals.push(t));
  return { clock, g, arrivals, start: clock.now() };
}

/** Arrivals in [from, to) ms after the start. */
const between = (r: { arrivals: number[]; start: number }, from: number, to: number) => r.arrivals.filter((t) => t >= r.start + from && t < r.start + to).length;

describe("the load generator's offered rate", () => {
  it("driven to a rate too small for its mean gap to be a number (5e-324 rps), offers nothing and keeps running", async () => {
    const r = generator([]);
    r.g.start();
    r.g.raise(5e-324);
    await r.clock.sleep(60_000);
    expect(r.arrivals).toEqual([]);
    // Driven to a real rate afterwards, it offers that rate.
    r.g.raise(50);
    await r.clock.sleep(10_000);
    r.g.stop();
    expect(between(r, 60_000, 70_000)).toBeGreaterThan(400);
  });

  it("offers nothing without stages until driven, then the rate it was driven to", async () => {
    const r = generator([]);
    r.g.start();
    await r.clock.sleep(10_000);
    expect(r.arrivals).toEqual([]);
    expect(r.g.rateAt(r.clock.now())).toBe(0);
    r.g.raise(50);
    await r.clock.sleep(60_000);
    r.g.stop();
    // 3,000 expected from a Poisson process (sd about 55).
    expect(between(r, 10_000, 70_000)).toBeGreaterThan(2_750);
    expect(between(r, 10_000, 70_000)).toBeLessThan(3_250);
    expect(r.g.rateAt(r.clock.now())).toBe(50);
  });

  it("follows a ramp and then holds its last rate, with a driven floor above the ramp's start", async () => {
    const r = generator([{ rampUsersPerSec: { from: 0, to: 100, during: 60_000 } }]);
    r.g.start();
    r.g.raise(40);
    await r.clock.sleep(180_000);
    r.g.stop();
    expect(r.g.rateAt(r.start + 10_000)).toBe(40);
    expect(r.g.rateAt(r.start + 30_000)).toBe(50);
    expect(r.g.rateAt(r.start + 120_000)).toBe(100);
    // The first 24 s at the floor of 40/s (960), the rest of the minute on the ramp up from 40 to 100/s (2,520).
    expect(between(r, 0, 60_000)).toBeGreaterThan(3_300);
    expect(between(r, 0, 60_000)).toBeLessThan(3_660);
    // Held at 100/s after the ramp: 12,000 in two minutes (sd about 110).
    expect(between(r, 60_000, 180_000)).toBeGreaterThan(11_550);
    expect(between(r, 60_000, 180_000)).toBeLessThan(12_450);
  });
});
