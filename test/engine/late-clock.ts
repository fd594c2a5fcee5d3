/**
 * Scaled real time, imitated deterministically: virtual time whose timers fire no sooner than
 * `resolution` ms and always `late` ms after that, as a ScaledClock's real timers do when the
 * process is busy (at --speed N, one real millisecond is N of the clock's).
 */
import type { Clock } from "../../src/time/clock.js";
import type { VirtualClock } from "../../src/time/clock.js";

export class LateClock implements Clock {
  readonly kind = "scaled" as const;
  constructor(
    readonly inner: VirtualClock,
    private readonly resolution: number,
    private readonly late: number,
  ) {}
  now(): number {
    return this.inner.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        cancel();
        reject(signal!.reason);
      };
      const cancel = this.setTimer(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
  setTimer(ms: number, fn: () => void): () => void {
    return this.inner.setTimer(Math.max(ms, this.resolution) + this.late, fn);
  }
  hold(): () => void {
    return this.inner.hold();
  }
}
