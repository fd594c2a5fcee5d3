/**
 * Properties of the retry loop, driven by generated fault sequences. Timing properties run on the
 * real VirtualClock: each attempt takes a generated amount of virtual time (it sleeps on the clock,
 * as an SDK call in the sandbox waits on it) and every backoff sleep is recorded with its start.
 * The others use a fake clock whose sleeps advance time at once.
 * Replay a failure with the seed and path fast-check prints: fc.assert(prop, { seed, path }).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { retry, type GiveUpReason } from "../../src/retry/retry.js";
import { backoffCeiling, fullJitter, type BackoffPolicy } from "../../src/retry/backoff.js";
import { RetryBudget } from "../../src/retry/budget.js";
import { classifyError } from "../../src/retry/classify.js";
import { VirtualClock } from "../../src/time/clock.js";

type Outcome = "ok" | "throttle" | "transient" | "client" | "server";

function errorFor(outcome: Exclude<Outcome, "ok">): Error {
  switch (outcome) {
    case "throttle":
      return Object.assign(new Error("slow down"), { name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } });
    case "transient":
      return Object.assign(new Error("unavailable"), { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } });
    case "server":
      return Object.assign(new Error("not implemented"), { name: "NotImplemented", $metadata: { httpStatusCode: 501 } });
    case "client":
      return Object.assign(new Error("bad"), { name: "ValidationException", $metadata: { httpStatusCode: 400 } });
  }
}

class FakeClock {
  t = 0;
  sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

/** Uniform in [0, 1): fc.double (and a biased fc.integer) lean hard towards tiny values, which would make nearly every jitter 0. */
const unitArb = fc.noBias(fc.integer({ min: 0, max: 2 ** 32 - 1 })).map((x) => x / 2 ** 32);
/** Mostly retryable failures, so that long retry runs (and their deadlines) are common. */
const outcomeArb = fc.oneof(
  { arbitrary: fc.constantFrom<Outcome>("throttle", "transient"), weight: 8 },
  { arbitrary: fc.constantFrom<Outcome>("ok", "client", "server"), weight: 2 },
);
const policyArb = fc.record(
  {
    baseMs: fc.integer({ min: 0, max: 2_000 }),
    capMs: fc.integer({ min: 0, max: 20_000 }),
    maxAttempts: fc.integer({ min: 1, max: 12 }),
    deadlineMs: fc.integer({ min: 0, max: 60_000 }),
  },
  { requiredKeys: ["baseMs", "capMs", "maxAttempts"] },
);
const budgetArb = fc.option(
  fc.record({
    capacity: fc.integer({ min: 0, max: 60 }),
    throttleCost: fc.integer({ min: 0, max: 15 }),
    transientCost: fc.integer({ min: 0, max: 15 }),
    successRefill: fc.integer({ min: 0, max: 5 }),
  }),
  { nil: undefined },
);

interface Run {
  attempts: number;
  sleeps: number[];
  result: "ok" | GiveUpReason;
  tokensSeen: number[];
  costsRefused: { tokens: number; cost: number }[];
}

async function run(policy: BackoffPolicy, outcomes: Outcome[], attemptMs: number[], seedU: number[], budget?: RetryBudget): Promise<Run> {
  const clock = new FakeClock();
  let attempts = 0;
  let u = 0;
  const tokensSeen: number[] = [];
  const random = { next: () => seedU[u++ % seedU.length]! };
  let result: Run["result"] = "ok";
  try {
    await retry(
      async () => {
        const outcome = outcomes[attempts] ?? "ok";
        clock.t += attemptMs[attempts % attemptMs.length]!;
        attempts++;
        if (budget) tokensSeen.push(budget.tokens);
        if (outcome !== "ok") throw errorFor(outcome);
      },
      { policy, clock, random, ...(budget ? { budget } : {}) },
    );
  } catch (error) {
    result = (error as { gaveUp: GiveUpReason }).gaveUp;
  }
  if (budget) tokensSeen.push(budget.tokens);
  return { attempts, sleeps: clock.sleeps, result, tokensSeen, costsRefused: [] };
}

/** One retry() call on a VirtualClock, as a timeline relative to its start. */
interface Timeline {
  result: "ok" | GiveUpReason;
  /** Each attempt's start and duration. */
  attempts: { start: number; ms: number }[];
  /** Each backoff sleep's start and length. */
  sleeps: { start: number; ms: number }[];
  /** The random numbers the loop drew, in order (one per retry it considered). */
  draws: number[];
  /** From the call to retry() until it returned or threw. */
  elapsed: number;
}

async function runTimed(policy: BackoffPolicy, outcomes: Outcome[], attemptMs: number[], us: number[], budget?: RetryBudget): Promise<Timeline> {
  const vc = new VirtualClock();
  const t0 = vc.now();
  const attempts: Timeline["attempts"] = [];
  const sleeps: Timeline["sleeps"] = [];
  const draws: number[] = [];
  const clock = {
    now: () => vc.now(),
    sleep: (ms: number, signal?: AbortSignal) => {
      sleeps.push({ start: vc.now() - t0, ms });
      return vc.sleep(ms, signal);
    },
  };
  const random = {
    next: () => {
      const u = us[draws.length % us.length]!;
      draws.push(u);
      return u;
    },
  };
  let result: Timeline["result"] = "ok";
  try {
    await retry(
      async () => {
        const i = attempts.length;
        const ms = attemptMs[i % attemptMs.length]!;
        attempts.push({ start: vc.now() - t0, ms });
        // The attempt itself takes time: an SDK call in flight, waiting on the clock.
        await vc.sleep(ms);
        const outcome = outcomes[i] ?? "ok";
        if (outcome !== "ok") throw errorFor(outcome);
      },
      { policy, clock, random, ...(budget ? { budget } : {}) },
    );
  } catch (error) {
    result = (error as { gaveUp: GiveUpReason }).gaveUp;
  }
  const elapsed = vc.now() - t0;
  vc.stop();
  return { result, attempts, sleeps, draws, elapsed };
}

/** Attempt durations from instant to longer than most deadlines, so that attempts eat real budget. */
const attemptMsArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 70_000 })), {
  minLength: 1,
  maxLength: 12,
});

describe("retry() timing on a virtual clock, attempts included", () => {
  it("respects its deadline: elapsed <= deadline + the last attempt, and no sleep ends past the deadline", async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb.map((p) => ({ ...p, deadlineMs: p.deadlineMs ?? 10_000 })),
        fc.array(outcomeArb, { maxLength: 20 }),
        attemptMsArb,
        fc.array(unitArb, { minLength: 1, maxLength: 8 }),
        budgetArb,
        async (policy, outcomes, attemptMs, us, budgetOptions) => {
          const t = await runTimed(policy, outcomes, attemptMs, us, budgetOptions ? new RetryBudget(budgetOptions) : undefined);
          const deadline = policy.deadlineMs;
          const last = t.attempts[t.attempts.length - 1]!;
          // What the run took is what the attempts took plus what the sleeps took, nothing else.
          const attemptTime = t.attempts.reduce((a, b) => a + b.ms, 0);
          const sleepTime = t.sleeps.reduce((a, b) => a + b.ms, 0);
          expect(t.elapsed).toBe(attemptTime + sleepTime);
          // The last attempt may start before the deadline and run past it; nothing else may.
          expect(t.elapsed).toBeLessThanOrEqual(deadline + last.ms);
          for (const sleep of t.sleeps) expect(sleep.start + sleep.ms).toBeLessThanOrEqual(deadline);
          // Every attempt after the first starts by the deadline.
          for (const a of t.attempts.slice(1)) expect(a.start).toBeLessThanOrEqual(deadline);
          // Sleeps and attempts alternate: attempt, sleep, attempt, ... with no gaps.
          expect(t.sleeps).toHaveLength(t.attempts.length - 1);
          t.sleeps.forEach((sleep, i) => {
            expect(sleep.start).toBe(t.attempts[i]!.start + t.attempts[i]!.ms);
            expect(t.attempts[i + 1]!.start).toBe(sleep.start + sleep.ms);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives up on the deadline only when the sleep it drew would end past it", async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb.map((p) => ({ ...p, deadlineMs: p.deadlineMs ?? 10_000 })),
        fc.array(fc.constantFrom<Outcome>("throttle", "transient"), { minLength: 1, maxLength: 20 }),
        attemptMsArb,
        fc.array(unitArb, { minLength: 1, maxLength: 8 }),
        async (policy, outcomes, attemptMs, us) => {
          const t = await runTimed(policy, outcomes, attemptMs, us);
          if (t.result !== "deadline") return;
          // The refused sleep: drawn after the last attempt, for retry index attempts - 1.
          const refused = fullJitter(t.attempts.length - 1, policy, t.draws[t.draws.length - 1]!);
          expect(t.draws).toHaveLength(t.attempts.length);
          expect(t.elapsed + refused).toBeGreaterThan(policy.deadlineMs);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("retry() properties", () => {
  it("keeps each sleep within its full-jitter ceiling and the attempts within the maximum", async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb,
        fc.array(outcomeArb, { maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 5 }),
        fc.array(unitArb, { minLength: 1, maxLength: 8 }),
        async (policy, outcomes, attemptMs, us) => {
          const r = await run(policy, outcomes, attemptMs, us);
          expect(r.attempts).toBeGreaterThanOrEqual(1);
          expect(r.attempts).toBeLessThanOrEqual(policy.maxAttempts);
          expect(r.sleeps).toHaveLength(r.attempts - 1);
          r.sleeps.forEach((d, i) => {
            expect(d).toBeGreaterThanOrEqual(0);
            expect(d).toBeLessThanOrEqual(backoffCeiling(i, policy));
          });
          // The deadline, with the time attempts take counted: see "retry() timing" above.
          // Each attempt ran the scripted outcome; the loop stops at the first success.
          const firstOk = outcomes.findIndex((o) => o === "ok");
          if (r.result === "ok") expect(r.attempts).toBe((firstOk === -1 ? outcomes.length : firstOk) + 1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never retries an error that is not throttling or transient", async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb,
        fc.array(fc.constantFrom<Outcome>("throttle", "transient"), { maxLength: 6 }),
        fc.constantFrom("client" as const, "server" as const),
        async (policy, before, fatal) => {
          const outcomes = [...before, fatal, "ok" as const];
          const r = await run(policy, outcomes, [1], [0.5]);
          if (r.attempts === before.length + 1) {
            // It reached the fatal error: exactly one attempt for it, and the verdict says why.
            expect(r.result).toBe("not-retryable");
            expect(classifyError(errorFor(fatal))).not.toMatch(/throttling|transient/);
          } else {
            expect(r.attempts).toBeLessThanOrEqual(before.length);
            expect(r.result).not.toBe("ok");
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps budget tokens within [0, capacity] and never retries when the tokens are below the cost", async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb,
        budgetArb.filter((b) => b !== undefined),
        fc.array(fc.array(outcomeArb, { maxLength: 8 }), { minLength: 1, maxLength: 8 }),
        async (policy, budgetOptions, calls) => {
          const budget = new RetryBudget(budgetOptions!);
          for (const outcomes of calls) {
            const tokensBefore = budget.tokens;
            const r = await run({ ...policy, deadlineMs: undefined as never }, outcomes, [1], [0.25, 0.75], budget);
            for (const t of r.tokensSeen) {
              expect(t).toBeGreaterThanOrEqual(0);
              expect(t).toBeLessThanOrEqual(budgetOptions!.capacity);
            }
            if (r.result === "budget") {
              // The refused retry: what was left before it was below that retry's cost.
              const failed = outcomes[r.attempts - 1]!;
              const cost = failed === "throttle" ? budgetOptions!.throttleCost : budgetOptions!.transientCost;
              expect(r.tokensSeen[r.tokensSeen.length - 1]!).toBeLessThan(cost);
            }
            // Every retry taken was paid for: tokens only fall by the costs of retries actually made.
            if (r.attempts === 1 && r.result === "ok") {
              expect(budget.tokens).toBe(Math.min(budgetOptions!.capacity, tokensBefore + budgetOptions!.successRefill));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("RetryBudget", () => {
  it("refuses settings that would let the level leave [0, capacity]", () => {
    expect(() => new RetryBudget({ capacity: 10, throttleCost: -1, transientCost: 1, successRefill: 1 })).toThrow(/throttleCost must be a finite number >= 0, got -1/);
    expect(() => new RetryBudget({ capacity: Number.NaN, throttleCost: 1, transientCost: 1, successRefill: 1 })).toThrow(/capacity/);
  });

  it("keeps tokens within [0, capacity] under any sequence of takes and successes", () => {
    fc.assert(
      fc.property(
        fc.record({
          capacity: fc.integer({ min: 0, max: 100 }),
          throttleCost: fc.integer({ min: 0, max: 20 }),
          transientCost: fc.integer({ min: 0, max: 20 }),
          successRefill: fc.integer({ min: 0, max: 10 }),
        }),
        fc.array(fc.oneof(fc.constantFrom("throttling" as const, "transient" as const), fc.integer({ min: 0, max: 30 })), { maxLength: 60 }),
        (options, ops) => {
          const budget = new RetryBudget(options);
          for (const op of ops) {
            const before = budget.tokens;
            if (typeof op === "number") budget.succeeded(op);
            else {
              const cost = op === "throttling" ? options.throttleCost : options.transientCost;
              const taken = budget.take(op);
              if (before < cost) expect(taken).toBeUndefined();
              else expect(taken).toBe(cost);
            }
            expect(budget.tokens).toBeGreaterThanOrEqual(0);
            expect(budget.tokens).toBeLessThanOrEqual(options.capacity);
          }
        },
      ),
    );
  });
});
