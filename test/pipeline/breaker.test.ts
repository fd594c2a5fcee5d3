import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CircuitBreaker, type BreakerOptions, type BreakerState } from "../../src/pipeline/breaker.js";

function setup(overrides: Partial<BreakerOptions> = {}, random?: () => number) {
  let t = 0;
  const changes: string[] = [];
  const clock = { now: () => t };
  const breaker = new CircuitBreaker(
    { consecutiveFailures: 3, failureRatio: 0.5, minCalls: 10, windowMs: 10_000, openMs: 5_000, maxOpenMs: 40_000, ...overrides },
    clock,
    (to, from) => changes.push(`${from}->${to}`),
    random,
  );
  return { breaker, changes, advance: (ms: number) => (t += ms) };
}

describe("CircuitBreaker", () => {
  it("opens only at the consecutive-failure threshold; a success resets the count", () => {
    const { breaker, changes } = setup();
    breaker.record(false, false);
    breaker.record(false, false);
    breaker.record(true, false);
    breaker.record(false, false);
    breaker.record(false, false);
    expect(breaker.state()).toBe("closed");
    breaker.record(false, false);
    expect(breaker.state()).toBe("open");
    expect(changes).toEqual(["closed->open"]);
  });

  it("opens on the failure ratio over the window once there are enough calls", () => {
    const { breaker } = setup({ consecutiveFailures: 100 });
    // Alternating outcomes never make three failures in a row, but half of them fail.
    for (let i = 0; i < 9; i++) breaker.record(i % 2 === 0, false);
    expect(breaker.state()).toBe("closed"); // 9 calls: below minCalls
    breaker.record(false, false);
    expect(breaker.state()).toBe("open");
  });

  it("forgets failures older than the window", () => {
    const { breaker, advance } = setup({ consecutiveFailures: 100 });
    for (let i = 0; i < 8; i++) breaker.record(false, false);
    advance(20_000);
    for (let i = 0; i < 8; i++) breaker.record(true, false);
    breaker.record(false, false);
    breaker.record(false, false);
    expect(breaker.state()).toBe("closed"); // 2 of the last 10 failed
  });

  it("turns half-open only after openMs and lets exactly one probe through", () => {
    const { breaker, advance } = setup();
    for (let i = 0; i < 3; i++) breaker.record(false, false);
    expect(breaker.tryAcquire()).toBeUndefined();
    advance(4_999);
    expect(breaker.state()).toBe("open");
    expect(breaker.reopensAt()).toBe(5_000);
    advance(1);
    expect(breaker.peek()).toBe("half-open");
    expect(breaker.tryAcquire()).toEqual({ probe: true });
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.probing).toBe(true);
  });

  it("closes on a successful probe and reopens, for twice as long, on a failed one", () => {
    const { breaker, advance, changes } = setup();
    for (let i = 0; i < 3; i++) breaker.record(false, false);
    advance(5_000);
    breaker.tryAcquire();
    breaker.record(false, true);
    expect(breaker.state()).toBe("open");
    expect(breaker.reopensAt()).toBe(15_000);
    advance(10_000);
    breaker.tryAcquire();
    // A late outcome of a call started before the breaker opened changes nothing.
    breaker.record(true, false);
    expect(breaker.state()).toBe("half-open");
    breaker.record(true, true);
    expect(breaker.state()).toBe("closed");
    expect(changes).toEqual(["closed->open", "open->half-open", "half-open->open", "open->half-open", "half-open->closed"]);
  });

  it("doubles the open period after each failed probe up to maxOpenMs, and starts over once closed", () => {
    const { breaker, advance } = setup();
    for (let i = 0; i < 3; i++) breaker.record(false, false);
    const periods: number[] = [];
    let t = 0;
    for (let i = 0; i < 6; i++) {
      periods.push(breaker.reopensAt()! - t);
      advance(breaker.reopensAt()! - t);
      t = breaker.reopensAt()!;
      breaker.tryAcquire();
      breaker.record(false, true);
    }
    expect(periods).toEqual([5_000, 10_000, 20_000, 40_000, 40_000, 40_000]);
    advance(breaker.reopensAt()! - t);
    t = breaker.reopensAt()!;
    breaker.tryAcquire();
    breaker.record(true, true);
    for (let i = 0; i < 3; i++) breaker.record(false, false);
    expect(breaker.reopensAt()! - t).toBe(5_000);
  });

  it("jitters each open period between half and all of it, so a fleet does not probe in step", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (u) => {
        const { breaker } = setup({}, () => u);
        for (let i = 0; i < 3; i++) breaker.record(false, false);
        const period = breaker.reopensAt()!;
        expect(period).toBeGreaterThanOrEqual(2_500);
        expect(period).toBeLessThanOrEqual(5_000);
        expect(period).toBe(2_500 + 2_500 * u);
      }),
    );
  });

  it("follows the reference model for any sequence of outcomes and waits", () => {
    type Op = { kind: "ok" | "fail" } | { kind: "wait"; ms: number } | { kind: "probe"; ok: boolean };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.constantFrom<Op>({ kind: "ok" }, { kind: "fail" }),
      fc.integer({ min: 0, max: 8_000 }).map((ms): Op => ({ kind: "wait", ms })),
      fc.boolean().map((ok): Op => ({ kind: "probe", ok })),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const { breaker, advance } = setup({ failureRatio: 1, minCalls: 1_000 });
        // The model: consecutive failures only (the ratio rule is switched off here).
        let state: BreakerState = "closed";
        let streak = 0;
        let t = 0;
        let reopen = 0;
        let failedProbes = 0;
        const period = () => Math.min(40_000, 5_000 * 2 ** failedProbes);
        for (const op of ops) {
          if (op.kind === "wait") {
            advance(op.ms);
            t += op.ms;
          } else if (op.kind === "probe") {
            if (state === "open" && t >= reopen) state = "half-open";
            const permit = breaker.tryAcquire();
            if (state === "half-open") {
              expect(permit).toEqual({ probe: true });
              breaker.record(op.ok, true);
              state = op.ok ? "closed" : "open";
              if (op.ok) failedProbes = 0;
              else {
                failedProbes++;
                reopen = t + period();
              }
              streak = 0;
            } else if (state === "closed") {
              expect(permit).toEqual({ probe: false });
            } else {
              expect(permit).toBeUndefined();
            }
          } else {
            breaker.record(op.kind === "ok", false);
            if (state === "closed") {
              streak = op.kind === "ok" ? 0 : streak + 1;
              if (streak >= 3) {
                state = "open";
                reopen = t + period();
                streak = 0;
              }
            }
          }
          if (state === "open" && t >= reopen) state = "half-open";
          expect(breaker.peek()).toBe(state);
        }
      }),
      { numRuns: 500 },
    );
  });
});
