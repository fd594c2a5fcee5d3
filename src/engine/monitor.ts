/**
 * A probe polled over a window: continuous and on-chaos probes, the hypothesis during the method,
 * and stop conditions. Closing the window takes one final reading (so aggregates are complete);
 * aborting the run stops at once without one.
 */
import type { Clock } from "../time/clock.js";
import type { Reading } from "./checks.js";
import { MIN_INTERVAL_MS } from "../experiment/schema.js";

export interface MonitorOptions {
  clock: Clock;
  interval: number;
  initialDelay?: number;
  /** Aborting this stops the monitor immediately (the run was aborted or interrupted). */
  hardStop: AbortSignal;
  /** One reading; `final` is true for the reading taken when the window closes. */
  read(final: boolean, since: number): Promise<Reading | Reading[]>;
  onReading(reading: Reading, final: boolean): void;
  /** How late a reading was taken against its interval, when late at all (a scaled clock that cannot keep up). */
  onLate?(lateMs: number): void;
}

export class Monitor {
  private readonly closing = new AbortController();
  private done: Promise<void> | undefined;
  private since = 0;
  private lastReadAt: number | undefined;
  /**
   * What ends a sleep between readings: the window closing or the run stopping. Combined once for
   * the monitor's life rather than per sleep (AbortSignal.any tracks each signal it makes with weak
   * references, which cost the garbage collector as well).
   */
  private readonly sleepEnd: AbortSignal;

  constructor(private readonly options: MonitorOptions) {
    this.sleepEnd = AbortSignal.any([this.closing.signal, options.hardStop]);
  }

  get started(): boolean {
    return this.done !== undefined;
  }

  start(): void {
    if (this.done) return;
    this.since = this.options.clock.now();
    this.done = this.loop();
  }

  /** Ends the window: one final reading, then stop. Resolves when the loop has finished. */
  close(): Promise<void> {
    this.closing.abort();
    return this.done ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    const { clock, hardStop } = this.options;
    try {
      if (this.options.initialDelay) await sleepUnlessClosed(clock, this.options.initialDelay, this.closing.signal, hardStop, this.sleepEnd);
      for (;;) {
        if (hardStop.aborted) return;
        const final = this.closing.signal.aborted;
        // A reading taken at this very instant already covers the window's end.
        if (final && this.lastReadAt === clock.now()) return;
        this.lastReadAt = clock.now();
        const result = await this.options.read(final, this.since);
        for (const r of Array.isArray(result) ? result : [result]) this.options.onReading(r, final);
        if (final) return;
        // Validation refuses shorter intervals; this holds for experiments built in code too. A zero
        // sleep would fire before any later timer, so a virtual clock would never move again.
        const interval = Math.max(this.options.interval, MIN_INTERVAL_MS);
        const due = clock.now() + interval;
        await sleepUnlessClosed(clock, interval, this.closing.signal, hardStop, this.sleepEnd);
        // The next reading waits a full interval after this one, however late it was: catching up
        // would take readings closer together than the interval asks.
        if (!this.closing.signal.aborted && clock.now() > due) this.options.onLate?.(clock.now() - due);
      }
    } catch {
      // Only an abort of the run gets here (readings never throw otherwise): stop quietly.
    }
  }
}

/**
 * Sleeps on the clock; wakes early (without throwing) when the window closes, throws on a hard stop.
 * `either` is aborted by whichever of the two comes first.
 */
async function sleepUnlessClosed(clock: Clock, ms: number, closing: AbortSignal, hardStop: AbortSignal, either: AbortSignal): Promise<void> {
  if (closing.aborted) return;
  try {
    await clock.sleep(ms, either);
  } catch (err) {
    if (hardStop.aborted) throw err;
  }
}
