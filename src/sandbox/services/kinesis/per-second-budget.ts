/**
 * A per-second allowance (bytes, records or calls) counted in whole seconds of the injected clock.
 *
 * How partial seconds count: a window is one whole clock second, [k*1000, (k+1)*1000) ms since
 * the epoch, and everything that happens inside it shares that second's allowance, however late
 * in the second it arrives. A producer may therefore put a full allowance at t = 0.999 s and
 * another at t = 1.000 s. We chose aligned windows over a sliding one because AWS states the
 * limits "per second" and reports them per second, and because aligned windows make throttling
 * exact and reproducible in virtual time (1,000 records in one second pass, the 1,001st fails).
 *
 * Overdraft: a single use may exceed the allowance where Kinesis allows it (a 10 MiB GetRecords
 * against 2 MiB/s, a large record against 1 MiB/s). The excess carries into the next seconds,
 * each of which pays one allowance off, so a 10 MiB read blocks the shard's reads for the next
 * 5 seconds, as the GetRecords documentation describes.
 */
export class PerSecondBudget {
  private second = Number.NEGATIVE_INFINITY;
  private spent = 0;

  constructor(readonly perSecond: number) {}

  /** What is left in the current second; negative while an overdraft is being paid off. */
  remaining(now: number): number {
    this.roll(now);
    return this.perSecond - this.spent;
  }

  /** Whether `amount` more fits in the current second without overdraft. */
  fits(now: number, amount: number): boolean {
    return this.remaining(now) >= amount;
  }

  /** Whether nothing at all has been spent in the current second (no overdraft either). */
  untouched(now: number): boolean {
    this.roll(now);
    return this.spent <= 0;
  }

  spend(now: number, amount: number): void {
    this.roll(now);
    this.spent += amount;
  }

  private roll(now: number): void {
    const second = Math.floor(now / 1000);
    if (second <= this.second) return;
    const elapsed = this.second === Number.NEGATIVE_INFINITY ? Infinity : second - this.second;
    this.spent = Math.max(0, this.spent - elapsed * this.perSecond);
    this.second = second;
  }
}
