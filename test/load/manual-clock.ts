/**
 * A clock that moves only when the test says, while sockets run for real: time stands still
 * during real I/O, so which timer fires before which answer is the test's choice, not the
 * machine's. advance() in one jump is a stalled process (every due timer fires late, at the new
 * time); advance() in small steps is one that keeps up.
 */
import type { Clock } from "../../src/time/clock.js";

export class ManualClock implements Clock {
  readonly kind = "scaled" as const;
  private t: number;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const cancel = this.setTimer(ms, resolve);
      signal?.addEventListener("abort", () => (cancel(), reject(signal.reason)), { once: true });
    });
  }

  hold(): () => void {
    return () => {};
  }

  /** Moves time on by `ms` at once, then fires every timer now due, earliest first. */
  advance(ms: number): void {
    this.t += ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) return;
      this.timers = this.timers.filter((x) => x !== due);
      due.fn();
    }
  }

  /** Moves time on by `ms` in steps of `step`, firing each timer at (about) its own time. */
  step(ms: number, step = 10): void {
    for (let moved = 0; moved < ms; moved += step) this.advance(Math.min(step, ms - moved));
  }
}

/** Waits (in real time, the clock standing still) until `cond` holds; the test's timeout bounds it. */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}
