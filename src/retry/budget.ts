/**
 * A retry budget: a token bucket that retries draw from and successes refill, as the AWS SDK's
 * retry quota and the Builders' Library recommend. Under sustained failure it stops retries from
 * multiplying load; a success after a retry returns what the retry cost.
 */
export interface RetryBudgetOptions {
  /** Tokens when full (the SDK uses 500). */
  capacity: number;
  /** Cost of a retry after throttling (SDK: 5). */
  throttleCost: number;
  /** Cost of a retry after a transient error or timeout (SDK: 10). */
  transientCost: number;
  /** Refill for a success that needed no retry (SDK: 1). */
  successRefill: number;
}

export const DEFAULT_BUDGET: RetryBudgetOptions = { capacity: 500, throttleCost: 5, transientCost: 10, successRefill: 1 };

export class RetryBudget {
  private level: number;
  constructor(readonly options: RetryBudgetOptions = DEFAULT_BUDGET) {
    // A negative cost or refill would push the level outside [0, capacity]; refuse it up front.
    for (const key of ["capacity", "throttleCost", "transientCost", "successRefill"] as const) {
      const value = options[key];
      if (!(value >= 0) || !Number.isFinite(value)) {
        throw new RangeError(`retry budget: ${key} must be a finite number >= 0, got ${value}`);
      }
    }
    this.level = options.capacity;
  }

  get tokens(): number {
    return this.level;
  }

  /** Takes the cost of one retry if there is enough; returns the amount taken, or undefined. */
  take(kind: "throttling" | "transient"): number | undefined {
    const cost = kind === "throttling" ? this.options.throttleCost : this.options.transientCost;
    if (this.level < cost) return undefined;
    this.level -= cost;
    return cost;
  }

  /** A call succeeded; `spent` is what its retries took (0 when none). */
  succeeded(spent: number): void {
    const refill = spent > 0 ? spent : this.options.successRefill;
    this.level = Math.min(this.options.capacity, this.level + refill);
  }
}
