/**
 * The retry loop: one layer in the whole stack. SDK clients built by gameday have the SDK's own
 * retries off (maxAttempts 1) and this loop installed as middleware instead, so that backoff sleeps
 * run on the injected Clock (virtual time stays deterministic) and are drawn from the seeded Random.
 */
import type { Clock } from "../time/clock.js";
import type { Random } from "../random/random.js";
import { fullJitter, validatePolicy, type BackoffPolicy } from "./backoff.js";
import { classifyError, isRetryable, type ErrorClass } from "./classify.js";
import type { RetryBudget } from "./budget.js";

export interface RetryOptions {
  policy: BackoffPolicy;
  clock: Pick<Clock, "now" | "sleep">;
  random: Pick<Random, "next">;
  budget?: RetryBudget;
  classify?: (err: unknown) => ErrorClass;
  signal?: AbortSignal;
  /** Observes each retry decision: the error, the retry index and the sleep chosen. */
  onRetry?: (info: { error: unknown; retry: number; delayMs: number; errorClass: ErrorClass }) => void;
}

/** Why the loop stopped retrying: recorded on the error it rethrows. */
export type GiveUpReason = "not-retryable" | "attempts" | "deadline" | "budget" | "aborted";

export interface RetryOutcome {
  attempts: number;
  totalDelayMs: number;
}

export const STANDARD_POLICY: BackoffPolicy = { baseMs: 100, capMs: 20_000, maxAttempts: 3 };

/**
 * Calls `op` until it succeeds or a rule says stop: a non-retryable error, the attempt limit,
 * the deadline (a sleep that would cross it is not taken), or an empty budget. The last error is
 * rethrown with `gaveUp` and `attempts` attached.
 */
export async function retry<T>(op: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, clock, random } = options;
  validatePolicy(policy);
  const classify = options.classify ?? classifyError;
  const started = clock.now();
  let spent = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await op(attempt);
      options.budget?.succeeded(spent);
      return value;
    } catch (error) {
      const errorClass = classify(error);
      const giveUp = (reason: GiveUpReason) => {
        if (error && typeof error === "object") Object.assign(error, { gaveUp: reason, attempts: attempt });
        throw error;
      };
      // An aborted caller wants out: do not spend budget tokens or sleep for it.
      if (options.signal?.aborted) giveUp("aborted");
      if (!isRetryable(errorClass)) giveUp("not-retryable");
      if (attempt >= policy.maxAttempts) giveUp("attempts");
      const retryIndex = attempt - 1;
      const delayMs = fullJitter(retryIndex, policy, random.next());
      if (policy.deadlineMs !== undefined && clock.now() - started + delayMs > policy.deadlineMs) giveUp("deadline");
      if (options.budget) {
        const cost = options.budget.take(errorClass as "throttling" | "transient");
        if (cost === undefined) giveUp("budget");
        spent += cost ?? 0;
      }
      options.onRetry?.({ error, retry: retryIndex, delayMs, errorClass });
      await clock.sleep(delayMs, options.signal);
    }
  }
}
