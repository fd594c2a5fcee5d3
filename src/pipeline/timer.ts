/**
 * A cancellable timer on the injected clock, for timers whose callback starts or settles
 * asynchronous work (call timeouts, linger, breaker wake-ups). clock.setTimer lets promise
 * continuations run before a virtual clock moves on, so a reply that has already arrived is seen
 * before the timeout that would abandon it. (An earlier version slept on an AbortSignal instead;
 * aborting one per call, to cancel its timeout, cost more than the call's own bookkeeping.)
 */
import type { Clock } from "../time/clock.js";

export function after(clock: Pick<Clock, "setTimer">, ms: number, fn: () => void): () => void {
  return clock.setTimer(Math.max(0, ms), fn);
}
