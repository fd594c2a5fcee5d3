/**
 * A small circuit breaker over PutRecords calls, on the injected clock. Hand-written because the
 * libraries do not fit: cockatiel 4 needs Node 22 and reads Date.now itself, opossum needs Node 22
 * and arms its own timers; both would make virtual time and the property tests non-deterministic.
 *
 * closed    -> open       after `consecutiveFailures` failed calls in a row, or when at least
 *                         `minCalls` calls in the last `windowMs` failed at `failureRatio` or more
 * open      -> half-open  after the open period (checked lazily: state() reads the clock)
 * half-open -> closed     the single probe call succeeded
 * half-open -> open       the probe failed, for twice as long as last time (up to `maxOpenMs`)
 *
 * The open period starts at `openMs` and doubles after each failed probe, with jitter, up to
 * `maxOpenMs`: through a long outage a fleet probes ever less often and not in step, instead of
 * every few seconds all at once (retries are selfish; a recovering service needs room).
 *
 * A call "fails" when Kinesis took none of its records for a reason other than pacing us: a 5xx,
 * a timeout, a refused connection, every entry an InternalFailure. Throttling (of the whole call
 * or of entries) is a success here: Kinesis is up; backoff and the retry budget slow us down.
 */
import type { Clock } from "../time/clock.js";

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerOptions {
  consecutiveFailures: number;
  failureRatio: number;
  minCalls: number;
  windowMs: number;
  openMs: number;
  /** Cap on the doubling open period. */
  maxOpenMs: number;
}

export const BREAKER_DEFAULTS: BreakerOptions = {
  consecutiveFailures: 5,
  failureRatio: 0.5,
  minCalls: 20,
  windowMs: 30_000,
  openMs: 10_000,
  maxOpenMs: 300_000,
};

const BUCKETS = 10;

export class CircuitBreaker {
  private current: BreakerState = "closed";
  private consecutive = 0;
  private openUntil = 0;
  /** Failed probes since the breaker last closed: the open period is openMs x 2^this. */
  private failedProbes = 0;
  private probingNow = false;
  /** A ring of per-bucket call and failure counts covering the last windowMs. */
  private readonly calls = new Array<number>(BUCKETS).fill(0);
  private readonly failures = new Array<number>(BUCKETS).fill(0);
  private readonly stamps = new Array<number>(BUCKETS).fill(-1);
  private readonly bucketMs: number;

  constructor(
    private readonly options: BreakerOptions,
    private readonly clock: Pick<Clock, "now">,
    private readonly onChange: (to: BreakerState, from: BreakerState) => void = () => {},
    /** Uniform in [0, 1): jitter for the open period. Without it the period is exact. */
    private readonly random: () => number = () => 1,
  ) {
    this.bucketMs = Math.max(1, options.windowMs / BUCKETS);
  }

  /** The state now; an open breaker whose time is up becomes half-open here. */
  state(): BreakerState {
    if (this.current === "open" && this.clock.now() >= this.openUntil) this.move("half-open");
    return this.current;
  }

  /** The state now, without moving it (for metrics: reading must not change behaviour). */
  peek(): BreakerState {
    return this.current === "open" && this.clock.now() >= this.openUntil ? "half-open" : this.current;
  }

  /** True while the half-open probe is out. */
  get probing(): boolean {
    return this.probingNow;
  }

  /** When an open breaker will let a probe through (undefined unless open). */
  reopensAt(): number | undefined {
    return this.current === "open" ? this.openUntil : undefined;
  }

  /** May a call start now? In half-open, only one (the probe) until its outcome is recorded. */
  tryAcquire(): { probe: boolean } | undefined {
    const s = this.state();
    if (s === "closed") return { probe: false };
    if (s === "half-open" && !this.probingNow) {
      this.probingNow = true;
      return { probe: true };
    }
    return undefined;
  }

  /** Records a call's outcome. `probe` says whether it was the half-open probe. */
  record(ok: boolean, probe: boolean): void {
    if (probe) {
      this.probingNow = false;
      if (this.current === "half-open") {
        if (!ok) this.failedProbes++;
        this.move(ok ? "closed" : "open");
      }
      return;
    }
    // Outcomes of calls started before the breaker opened say nothing new.
    if (this.current !== "closed") return;
    this.count(ok);
    if (ok) {
      this.consecutive = 0;
      return;
    }
    this.consecutive++;
    if (this.consecutive >= this.options.consecutiveFailures || this.ratioTripped()) this.move("open");
  }

  /** The probe was abandoned without an outcome (the shipper is closing): let another one go. */
  releaseProbe(): void {
    this.probingNow = false;
  }

  private count(ok: boolean): void {
    const slot = Math.floor(this.clock.now() / this.bucketMs);
    const i = slot % BUCKETS;
    if (this.stamps[i] !== slot) {
      this.stamps[i] = slot;
      this.calls[i] = 0;
      this.failures[i] = 0;
    }
    this.calls[i]!++;
    if (!ok) this.failures[i]!++;
  }

  private ratioTripped(): boolean {
    const slot = Math.floor(this.clock.now() / this.bucketMs);
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (this.stamps[i]! > slot - BUCKETS) {
        calls += this.calls[i]!;
        failures += this.failures[i]!;
      }
    }
    return calls >= this.options.minCalls && failures / calls >= this.options.failureRatio;
  }

  private move(to: BreakerState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    if (to === "open") {
      const period = Math.min(this.options.maxOpenMs, this.options.openMs * 2 ** this.failedProbes);
      // Equal jitter: between half and all of the period, so probes spread but never come early.
      this.openUntil = this.clock.now() + period / 2 + (period / 2) * this.random();
    }
    if (to !== "half-open") this.probingNow = false;
    if (to === "closed") {
      this.consecutive = 0;
      this.failedProbes = 0;
      this.stamps.fill(-1);
    }
    this.onChange(to, from);
  }
}
