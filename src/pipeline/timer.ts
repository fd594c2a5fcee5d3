/**
 * A cancellable timer built on clock.sleep rather than clock.setTimer. The VirtualClock fires raw
 * timers back to back without letting promise continuations run in between (that is what makes the
 * sandbox fast), so a request timeout armed with setTimer would beat a reply that had already
 * arrived. A sleeper makes the clock yield after it fires, so replies and timeouts are decided in
 * time order. Use this for any timer whose callback starts or settles asynchronous work.
 */
import type { Clock } from "../time/clock.js";

export function after(clock: Pick<Clock, "sleep">, ms: number, fn: () => void): () => void {
  const controller = new AbortController();
  clock.sleep(Math.max(0, ms), controller.signal).then(
    () => {
      if (!controller.signal.aborted) fn();
    },
    () => {},
  );
  return () => controller.abort();
}
