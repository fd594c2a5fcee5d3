import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { backoffCeiling, fullJitter, validatePolicy } from "../../src/retry/backoff.js";

/** Uniform in [0, 1): fc.double (and a biased fc.integer) lean hard towards tiny values, which would make nearly every jitter 0. */
const unitArb = fc.noBias(fc.integer({ min: 0, max: 2 ** 32 - 1 })).map((x) => x / 2 ** 32);
const policyArb = fc.record({
  baseMs: fc.integer({ min: 0, max: 10_000 }),
  capMs: fc.integer({ min: 0, max: 120_000 }),
});


describe("full-jitter backoff", () => {
  it("draws every delay within [0, min(cap, base * 2^n)]", () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 2_000 }), unitArb, (policy, n, u) => {
        const d = fullJitter(n, policy, u);
        expect(d).toBeGreaterThanOrEqual(0);
        // The bound as mathematics has it (0 * 2^n is 0 even where 2^n overflows to Infinity).
        const bound = policy.baseMs === 0 ? 0 : Math.min(policy.capMs, policy.baseMs * 2 ** n);
        expect(d).toBeLessThanOrEqual(bound);
        expect(Number.isInteger(d)).toBe(true);
      }),
    );
  });

  it("has a ceiling that never decreases with the retry index and never passes the cap", () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 2_000 }), (policy, n) => {
        expect(backoffCeiling(n + 1, policy)).toBeGreaterThanOrEqual(backoffCeiling(n, policy));
        expect(backoffCeiling(n, policy)).toBeLessThanOrEqual(policy.capMs);
      }),
    );
  });

  it("reaches the top of its range as u approaches 1 (the jitter is not stuck low)", () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 30 }), (policy, n) => {
        const ceiling = backoffCeiling(n, policy);
        fc.pre(ceiling >= 1);
        expect(fullJitter(n, policy, 1 - Number.EPSILON)).toBe(Math.ceil(ceiling) - 1);
      }),
    );
  });

  it("rejects policies that cannot be honoured, saying which field and what it was", () => {
    expect(() => validatePolicy({ baseMs: -1, capMs: 10, maxAttempts: 3 })).toThrow(/baseMs -1/);
    expect(() => validatePolicy({ baseMs: 1, capMs: Number.NaN, maxAttempts: 3 })).toThrow(/capMs NaN/);
    expect(() => validatePolicy({ baseMs: 1, capMs: 10, maxAttempts: 0 })).toThrow(/maxAttempts 0/);
    expect(() => validatePolicy({ baseMs: 1, capMs: 10, maxAttempts: 2, deadlineMs: -5 })).toThrow(/deadlineMs -5/);
  });
});
