/**
 * The load generator's arrivals: with the constant-rate fast path they must be the arrivals the
 * generator before it emitted, instant for instant, whatever the stages (ramps, constant rates,
 * zero rates, a last rate held), the floors drive() raises and when it raises them, so a seed
 * gives the same traffic (and the same journal) as before.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SeededRandom } from "../../../src/random/random.js";
import { Timers } from "../../../src/sandbox/timers.js";
import type { LoadStage } from "../../../src/sandbox/stack/workload.js";
import { LoadGenerator } from "../../../src/sandbox/workload/load-generator.js";
import { VirtualClock } from "../../../src/time/clock.js";
import { ReferenceLoadGenerator } from "./reference/load-generator.js";

const rate = fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 300, noNaN: true }));
const during = fc.integer({ min: 1, max: 20_000 });
const stage: fc.Arbitrary<LoadStage> = fc.oneof(
  fc.record({ from: rate, to: rate, during }).map((r) => ({ rampUsersPerSec: r })),
  fc.record({ rate, during }).map((c) => ({ constantUsersPerSec: c })),
  rate.map((r) => ({ constantUsersPerSec: { rate: r } })),
);
// Floors of 0 or from 0.001/s: both generators give up on a subnormal one (5e-324, whose mean gap is Infinity).
const raise = fc.record({ at: fc.integer({ min: 0, max: 60_000 }), rps: fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 200, noNaN: true })) });

type Generator = { start(): void; stop(): void; raise(rps: number): void };
type Make = (stages: LoadStage[], startAt: number, timers: Timers, random: SeededRandom, onArrival: (t: number) => void) => Generator;

/** Every arrival of `ms` virtual ms (with the raises at their times), and the random stream's next number after. */
async function arrivals(make: Make, stages: LoadStage[], raises: { at: number; rps: number }[], seed: number, ms: number): Promise<number[]> {
  const clock = new VirtualClock();
  const timers = new Timers(clock);
  const random = new SeededRandom(seed);
  const out: number[] = [];
  const g = make(stages, clock.now(), timers, random, (t) => out.push(t));
  g.start();
  for (const r of raises) timers.after(r.at, () => g.raise(r.rps));
  await clock.sleep(ms);
  g.stop();
  clock.stop();
  out.push(random.next());
  return out;
}

const now: Make = (...a) => new LoadGenerator(...a);
const before: Make = (...a) => new ReferenceLoadGenerator(...a);

describe("the load generator's arrivals", () => {
  it("are the arrivals the previous generator emitted, whatever the stages and the floors raised", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stage, { maxLength: 4 }), fc.array(raise, { maxLength: 3 }), fc.integer({ min: 0, max: 0xffffffff }), async (stages, raises, seed) => {
        const ms = 60_000;
        expect(await arrivals(now, stages, raises, seed, ms)).toEqual(await arrivals(before, stages, raises, seed, ms));
      }),
      { numRuns: 60 },
    );
  });

  it("are the same for the default stack's load over ten minutes (a ramp to 100/s, then 100/s held)", async () => {
    const stages: LoadStage[] = [{ rampUsersPerSec: { from: 10, to: 100, during: 30_000 } }, { constantUsersPerSec: { rate: 100 } }];
    const got = await arrivals(now, stages, [], 42, 600_000);
    expect(got.length).toBeGreaterThan(55_000);
    expect(got).toEqual(await arrivals(before, stages, [], 42, 600_000));
  });
});
