/**
 * The sandbox's timers, all on the injected clock, tracked so that Sandbox.stop() can cancel every
 * one of them (a scaled clock's timers are real timers that would otherwise keep the process alive).
 */
import type { Clock } from "../time/clock.js";

/** Lateness below which a periodic tick is taken as on time (virtual time's rounding errors). */
const LATE_MS = 1;

export class Timers {
  private readonly live = new Set<() => void>();
  private stopped = false;
  /** The latest any timer has fired so far, in the clock's milliseconds (0 in virtual time). */
  worstLateness = 0;
  private lateness: { threshold: number; every: number; report: (worstMs: number) => void; worst: number; reportedAt: number } | undefined;

  constructor(readonly clock: Clock) {}

  /**
   * Runs `fn` once after `ms`; returns a cancel function. Pass `wakes` when `fn` starts
   * asynchronous work (an SDK call): the clock then lets it proceed before moving time on.
   */
  after(ms: number, fn: () => void, wakes = false): () => void {
    if (this.stopped) return noop;
    const due = this.clock.now() + Math.max(0, ms);
    const cancelTimer = this.arm(ms, wakes, () => {
      this.live.delete(cancel);
      this.noteLateness(this.clock.now() - due);
      fn();
    });
    const cancel = (): void => {
      cancelTimer();
      this.live.delete(cancel);
    };
    this.live.add(cancel);
    return cancel;
  }

  /**
   * The sandbox's events settle no promises, so a virtual clock may fire them back to back
   * (setSyncTimer); other clocks have only setTimer.
   */
  private arm(ms: number, wakes: boolean, fn: () => void): () => void {
    const clock = this.clock as Clock & { setSyncTimer?: (ms: number, fn: () => void) => () => void };
    return clock.setSyncTimer && !wakes ? clock.setSyncTimer(ms, fn) : clock.setTimer(ms, fn);
  }

  /**
   * Runs `fn` every `ms` (first after `firstAfter`, default `ms`) until cancelled. Ticks keep to a
   * fixed grid: a tick that fires late (a scaled clock's real timer) does not push the later ones
   * back, so the rate holds at any speed; one late by a whole period fires again at once.
   */
  every(ms: number, fn: () => void, firstAfter = ms, wakes = false): () => void {
    let cancelled = false;
    let current = noop;
    let due = this.clock.now() + firstAfter;
    const tick = (): void => {
      if (cancelled) return;
      // On time (always, in virtual time) the next tick is `ms` away, exactly as before.
      const late = this.clock.now() - due;
      due += ms;
      current = this.after(late >= LATE_MS ? Math.max(0, ms - late) : ms, tick, wakes);
      fn();
    };
    current = this.after(firstAfter, tick, wakes);
    return () => {
      cancelled = true;
      current();
    };
  }

  /**
   * Calls `report` with the worst lateness when timers fire `thresholdMs` late or more, at most
   * once every `everyMs`. A scaled clock's timers are real ones: when the process cannot keep up
   * (CPU, a busy event loop), everything the sandbox does happens late in its own time, and a run
   * should say so rather than pass the delay off as the target's behaviour.
   */
  watchLateness(thresholdMs: number, everyMs: number, report: (worstMs: number) => void): void {
    this.lateness = { threshold: thresholdMs, every: everyMs, report, worst: 0, reportedAt: -Infinity };
  }

  private noteLateness(late: number): void {
    if (late > this.worstLateness) this.worstLateness = late;
    const watch = this.lateness;
    if (!watch || !(late >= watch.threshold)) return;
    watch.worst = Math.max(watch.worst, late);
    const now = this.clock.now();
    if (now - watch.reportedAt < watch.every) return;
    watch.reportedAt = now;
    watch.report(watch.worst);
    watch.worst = 0;
  }

  /** Cancels every pending timer; later calls to after() do nothing. */
  stopAll(): void {
    this.stopped = true;
    for (const cancel of [...this.live]) cancel();
    this.live.clear();
  }

  get size(): number {
    return this.live.size;
  }
}

function noop(): void {}

/**
 * After a synchronous timer starts asynchronous work (a handler, a waiting promise), a virtual
 * clock must let promise continuations run before it fires the next timer. Real clocks need nothing.
 */
export function letPromisesRun(clock: Clock): void {
  (clock as { wake?: () => void }).wake?.();
}
