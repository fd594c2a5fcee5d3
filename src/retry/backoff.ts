/**
 * Capped exponential backoff with full jitter (Brooker, "Exponential Backoff And Jitter"):
 * the n-th retry sleeps a uniform amount in [0, min(cap, base * 2^n)). Pure functions of the
 * policy and an injected random number, so property tests can check every bound.
 */

export interface BackoffPolicy {
  /** Base delay for retry 0, in ms. */
  baseMs: number;
  /** No single sleep exceeds this, in ms. */
  capMs: number;
  /** Total tries including the first. */
  maxAttempts: number;
  /** Give up rather than sleep past this many ms after the first try started. */
  deadlineMs?: number;
}

/** The largest sleep allowed before retry `n` (0-based): min(cap, base * 2^n). */
export function backoffCeiling(n: number, policy: Pick<BackoffPolicy, "baseMs" | "capMs">): number {
  // 2^n overflows to Infinity for large n; min() then picks the cap, which is what we want. A zero
  // base must stay zero: 0 * Infinity is NaN, which would turn into a NaN sleep and defeat the deadline.
  if (policy.baseMs === 0) return 0;
  return Math.min(policy.capMs, policy.baseMs * 2 ** n);
}

/** Full jitter: floor(u * ceiling) for u uniform in [0, 1). */
export function fullJitter(n: number, policy: Pick<BackoffPolicy, "baseMs" | "capMs">, u: number): number {
  return Math.floor(u * backoffCeiling(n, policy));
}

export function validatePolicy(policy: BackoffPolicy): void {
  const bad = (what: string) => {
    throw new RangeError(`invalid backoff policy: ${what}`);
  };
  if (!(policy.baseMs >= 0) || !Number.isFinite(policy.baseMs)) bad(`baseMs ${policy.baseMs} must be a finite number >= 0`);
  if (!(policy.capMs >= 0) || !Number.isFinite(policy.capMs)) bad(`capMs ${policy.capMs} must be a finite number >= 0`);
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) bad(`maxAttempts ${policy.maxAttempts} must be an integer >= 1`);
  if (policy.deadlineMs !== undefined && !(policy.deadlineMs >= 0)) bad(`deadlineMs ${policy.deadlineMs} must be >= 0`);
}
