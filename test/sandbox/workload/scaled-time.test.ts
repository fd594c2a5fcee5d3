/**
 * Under a scaled clock every timer is a real one: it fires no sooner than a real millisecond
 * (ms/speed of the clock's time) and a little late. The load generator and periodic sandbox work
 * must keep their rates anyway. A LateClock imitates that deterministically on virtual time.
 */
import { describe, expect, it } from "vitest";
import type { Clock } from "../../../src/time/clock.js";
import { LateClock } from "../../engine/late-clock.js";
import { VirtualClock } from "../../../src/time/clock.js";
import { SeededRandom } from "../../../src/random/random.js";
import { Timers } from "../../../src/sandbox/timers.js";
import { LoadGenerator } from "../../../src/sandbox/workload/load-generator.js";
import type { LoadStage } from "../../../src/sandbox/stack/workload.js";

const STAGES: LoadStage[] = [{ rampUsersPerSec: { from: 0, to: 100, during: 10_000 } }, { constantUsersPerSec: { rate: 100 } }];

function generator(clock: Clock, seed = 5) {
  const arrivals: number[] = [];
  const timers = new Timers(clock);
  const g = new LoadGenerator(STAGES, clock.now(), timers, new SeededRandom(seed), (t) => arrivals.push(t));
  return { g, arrivals, timers };
}

describe("the load generator in scaled real time", () => {
  it("delivers the same Poisson arrivals, on time, whether its timers fire on time or 20 ms late (--speed 20 with 1 ms real timers)", async () => {
    const exact = new VirtualClock();
    const reference = generator(exact);
    reference.g.start();
    await exact.sleep(60_000);
    reference.g.stop();

    const inner = new VirtualClock();
    const late = generator(new LateClock(inner, 20, 1));
    late.g.start();
    await inner.sleep(60_000);
    late.g.stop();

    // Every arrival that fell due more than one late timer ago has been delivered, with its own timestamp.
    const settled = (a: number[]) => a.filter((t) => t < exact.now() - 25);
    expect(settled(late.arrivals)).toEqual(settled(reference.arrivals));
    expect(late.arrivals.every((t, i) => i === 0 || t > late.arrivals[i - 1]!)).toBe(true);
    // About 100 per second over the last 30 s, as the stack asks.
    const lastHalf = late.arrivals.filter((t) => t >= inner.now() - 30_000).length;
    expect(lastHalf).toBeGreaterThan(2_700);
    expect(lastHalf).toBeLessThan(3_300);
  });

  it("catchUp() delivers what fell due while a timer is late, so a reading taken now sees it", async () => {
    const inner = new VirtualClock();
    // Timers a whole second late: without catching up, a window ending now misses its last second.
    const { g, arrivals } = generator(new LateClock(inner, 1, 1_000));
    g.start();
    await inner.sleep(30_000);
    g.catchUp();
    const lastSecond = arrivals.filter((t) => t >= inner.now() - 1_000).length;
    expect(lastSecond).toBeGreaterThan(60);
    expect(Math.max(...arrivals)).toBeLessThanOrEqual(inner.now());
    g.stop();
  });

  it("in virtual time each arrival comes at its own instant, in order with the clock's other events, from far fewer timers than arrivals", async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const order: number[] = [];
    const timers = new Timers(clock);
    const g = new LoadGenerator(STAGES, clock.now(), timers, new SeededRandom(5), (t) => {
      seen.push(t - clock.now());
      order.push(clock.now());
    });
    // Other sandbox events, every 250 ms: no arrival may be handled before one that comes earlier.
    const stopTicks = timers.every(250, () => order.push(clock.now()));
    g.start();
    await clock.sleep(20_000);
    g.stop();
    stopTicks();
    expect(seen.length).toBeGreaterThan(1_000);
    // Each arrival is delivered at exactly its time, never early or late.
    expect(seen.every((d) => d === 0)).toBe(true);
    expect(order.every((t, i) => i === 0 || order[i - 1]! <= t)).toBe(true);
    // The arrivals between two other events share one timer.
    expect(clock.fired).toBeLessThan(seen.length / 5);
  });
});

describe("periodic sandbox work (Timers.every) in scaled real time", () => {
  it("keeps its rate when every tick fires late: 12 ticks of 5 s in a minute, not 10", async () => {
    const inner = new VirtualClock();
    const timers = new Timers(new LateClock(inner, 1, 500));
    const ticks: number[] = [];
    const stop = timers.every(5_000, () => ticks.push(inner.now()));
    await inner.sleep(60_600);
    stop();
    expect(ticks).toHaveLength(12);
    // Each tick late by the clock's lateness only, never by the sum of all earlier ones.
    expect(ticks.at(-1)! - ticks[0]!).toBe(55_000);
  });

  it("on a clock that is never late, ticks are exactly `ms` apart", async () => {
    const clock = new VirtualClock();
    const timers = new Timers(clock);
    const start = clock.now();
    const ticks: number[] = [];
    const stop = timers.every(5_000, () => ticks.push(clock.now() - start), 1_000);
    await clock.sleep(21_001);
    stop();
    expect(ticks).toEqual([1_000, 6_000, 11_000, 16_000, 21_000]);
  });
});

describe("a sandbox that cannot keep up with its clock says so", () => {
  it("reports the worst lateness of its timers, at most once a minute, and never in virtual time", async () => {
    const inner = new VirtualClock();
    const late = new Timers(new LateClock(inner, 1, 2_000));
    const reports: number[] = [];
    late.watchLateness(1_000, 60_000, (ms) => reports.push(ms));
    const stop = late.every(5_000, () => {});
    await inner.sleep(150_000);
    stop();
    // Ticks fire 2 s late throughout: a report at the first, then one a minute.
    expect(reports).toEqual([2_000, 2_000, 2_000]);

    const clock = new VirtualClock();
    const onTime = new Timers(clock);
    const none: number[] = [];
    onTime.watchLateness(1_000, 60_000, (ms) => none.push(ms));
    const stop2 = onTime.every(5_000, () => {});
    await clock.sleep(150_000);
    stop2();
    expect(none).toEqual([]);
    expect(onTime.worstLateness).toBe(0);
  });
});
