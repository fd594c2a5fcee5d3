/**
 * The virtual clock's pump takes one turn of the event loop after a timer that may settle promises
 * where it took two. The order in which everything runs must not change: timers, their promise
 * continuations, and immediates those continuations queue (and what those queue in turn). The pump
 * it replaced (test/time/reference/clock-before.ts) is the oracle: the same actors on both clocks
 * must leave the same log, entry for entry, with the same virtual times.
 */
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { VirtualClock } from "../../src/time/clock.js";
import { VirtualClockBefore } from "./reference/clock-before.js";

type AnyClock = VirtualClock | VirtualClockBefore;

type Step =
  | { op: "sleep"; ms: number }
  | { op: "timer"; ms: number }
  | { op: "sync"; ms: number; wake: boolean }
  | { op: "hops"; n: number }
  | { op: "immediate"; depth: number }
  | { op: "hold"; turns: number }
  | { op: "cancel"; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant("sleep" as const), ms: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ op: fc.constant("timer" as const), ms: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ op: fc.constant("sync" as const), ms: fc.integer({ min: 0, max: 50 }), wake: fc.boolean() }),
  fc.record({ op: fc.constant("hops" as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant("immediate" as const), depth: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant("hold" as const), turns: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant("cancel" as const), ms: fc.integer({ min: 0, max: 50 }) }),
);

/** Runs the actors on `clock` and returns what happened, in order, with virtual times. */
async function play(clock: AnyClock, actors: Step[][], ticker: { every: number; times: number }): Promise<string[]> {
  const start = clock.now();
  const log: string[] = [];
  const note = (what: string) => log.push(`${what}@${clock.now() - start}`);
  // A sandbox-like actor: synchronous timers that settle nothing.
  let ticks = 0;
  const tick = () => {
    note(`tick${ticks}`);
    if (++ticks < ticker.times) clock.setSyncTimer(ticker.every, tick);
  };
  clock.setSyncTimer(ticker.every, tick);
  const nested = (name: string, depth: number) => {
    setImmediate(() => {
      note(name);
      void Promise.resolve().then(() => note(`${name}.then`));
      if (depth > 1) nested(`${name}>`, depth - 1);
    });
  };
  const run = async (a: number, steps: Step[]) => {
    for (const [i, s] of steps.entries()) {
      const name = `a${a}.${i}.${s.op}`;
      switch (s.op) {
        case "sleep":
          await clock.sleep(s.ms);
          break;
        case "timer":
          await new Promise<void>((resolve) => clock.setTimer(s.ms, resolve));
          break;
        case "sync":
          if (s.wake) {
            // A sandbox event that completes a request: it settles a promise and says so.
            await new Promise<void>((resolve) =>
              clock.setSyncTimer(s.ms, () => {
                note(`${name}.fired`);
                resolve();
                clock.wake();
              }),
            );
          } else {
            clock.setSyncTimer(s.ms, () => note(`${name}.fired`));
            await clock.sleep(s.ms);
          }
          break;
        case "hops":
          for (let h = 0; h < s.n; h++) await Promise.resolve();
          break;
        case "immediate":
          nested(name, s.depth);
          break;
        case "hold": {
          // Real I/O: time stands still until it completes some turns of the event loop later.
          const release = clock.hold();
          let left = s.turns;
          await new Promise<void>((resolve) => {
            const turn = () => (left-- > 0 ? setImmediate(turn) : resolve());
            turn();
          });
          release();
          break;
        }
        case "cancel": {
          const cancel = clock.setTimer(s.ms, () => note(`${name}.never`));
          await Promise.resolve();
          cancel();
          break;
        }
      }
      note(name);
    }
  };
  await Promise.all(actors.map((steps, a) => run(a, steps)));
  // Whatever the ticker has left runs out, and so do the immediates, before the log is read.
  await clock.sleep(ticker.every * ticker.times + 1);
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  return log;
}

describe("the virtual clock's pump against the pump it replaced", () => {
  it("runs timers, continuations and immediates in the same order at the same virtual times", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
        fc.record({ every: fc.integer({ min: 1, max: 20 }), times: fc.integer({ min: 1, max: 20 }) }),
        async (actors, ticker) => {
          const before = await play(new VirtualClockBefore(0), actors, ticker);
          const now = await play(new VirtualClock(0), actors, ticker);
          expect(now).toEqual(before);
        },
      ),
      { numRuns: 200 },
    );
  });

  /** Turns of the event loop the clock asked for while `work` ran: its pump's setImmediate calls. */
  const turnsOf = async (work: () => Promise<void>) => {
    const spy = vi.spyOn(globalThis, "setImmediate");
    try {
      await work();
      return spy.mock.calls.filter(([fn]) => (fn as { name?: string }).name === "pump").length;
    } finally {
      spy.mockRestore();
    }
  };
  const sleeps = (clock: AnyClock) => async () => {
    for (let i = 0; i < 200; i++) await clock.sleep(1_000);
  };

  it("takes one turn of the event loop per sleep that wakes an actor, where it took two", async () => {
    const before = await turnsOf(sleeps(new VirtualClockBefore(0)));
    const now = await turnsOf(sleeps(new VirtualClock(0)));
    expect({ before, now }).toEqual({ before: 399, now: 200 });
  });

  it("lets every turn pass, as before, while someone else keeps an immediate queued", async () => {
    const spinning = (clock: AnyClock) => async () => {
      let spin = true;
      const again = () => {
        if (spin) setImmediate(again);
      };
      setImmediate(again);
      await sleeps(clock)();
      spin = false;
    };
    const before = await turnsOf(spinning(new VirtualClockBefore(0)));
    const now = await turnsOf(spinning(new VirtualClock(0)));
    expect(now).toBe(before);
  });
});
