/**
 * A clock that moves only when the test says so. The model-based tests use it instead of the
 * VirtualClock, which jumps to the next timer whenever nothing else runs: with replies held back by
 * fast-check's scheduler, that would fire every request timeout at once. Here time is a command.
 */
import type { Clock } from "../../../src/time/clock.js";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Lets promise continuations (and what they queue) run. */
export async function settle(turns = 4): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class ManualClock implements Clock {
  readonly kind = "virtual" as const;
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2020, 10, 25, 13, 15, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.t + Math.max(0, Number.isFinite(ms) ? ms : 0), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
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

  hold(): () => void {
    return () => {};
  }

  /** Live timers. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing due timers in (time, arming) order with continuations run after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: Timer | undefined;
      for (const t of this.timers) if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      next.cancelled = true;
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await settle();
  }
}

/**
 * A view of a clock that a simulated crash can cut: afterwards its timers never fire and its
 * sleeps never end, so the dead shipper can do nothing more (a crashed process runs no code).
 */
export class SeveredClock implements Clock {
  readonly kind: Clock["kind"];
  private dead = false;
  private readonly cancels = new Set<() => void>();

  constructor(private readonly inner: Clock) {
    this.kind = inner.kind;
  }

  now(): number {
    return this.inner.now();
  }

  setTimer(ms: number, fn: () => void): () => void {
    if (this.dead) return () => {};
    let cancel: () => void = () => {};
    cancel = this.inner.setTimer(ms, () => {
      this.cancels.delete(cancel);
      if (!this.dead) fn();
    });
    this.cancels.add(cancel);
    return () => {
      this.cancels.delete(cancel);
      cancel();
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        cancel();
        if (!this.dead) reject(signal!.reason);
      };
      const cancel = this.setTimer(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  hold(): () => void {
    return this.inner.hold();
  }

  sever(): void {
    this.dead = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
  }
}
