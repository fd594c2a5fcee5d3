/**
 * An open-model load generator: Poisson arrivals whose rate follows the stack's stages (linear
 * ramps and constant rates, the last rate held), never waiting on responses. Arrivals of the
 * non-homogeneous process are drawn by thinning within each linear piece, so ramps are exact.
 * One timer is armed at a time: the next arrival.
 */
import type { Random } from "../../random/random.js";
import type { Timers } from "../timers.js";
import type { LoadStage } from "../stack/workload.js";

interface Piece {
  start: number;
  end: number;
  from: number;
  to: number;
}

export class LoadGenerator {
  private readonly pieces: Piece[] = [];
  private floor = 0;
  private cancel: () => void = () => {};
  private running = false;

  constructor(
    stages: readonly LoadStage[],
    private readonly startAt: number,
    private readonly timers: Timers,
    private readonly random: Random,
    private readonly onArrival: (t: number) => void,
  ) {
    let t = startAt;
    for (const stage of stages) {
      if ("rampUsersPerSec" in stage) {
        const r = stage.rampUsersPerSec;
        this.pieces.push({ start: t, end: t + r.during, from: r.from, to: r.to });
        t += r.during;
      } else {
        const c = stage.constantUsersPerSec;
        const end = c.during === undefined ? Infinity : t + c.during;
        this.pieces.push({ start: t, end, from: c.rate, to: c.rate });
        t = end;
        if (end === Infinity) break;
      }
    }
    const last = this.pieces[this.pieces.length - 1];
    if (last && last.end !== Infinity) this.pieces.push({ start: last.end, end: Infinity, from: last.to, to: last.to });
  }

  /** Offered rate (requests per second) at time `t`. */
  rateAt(t: number): number {
    return Math.max(this.floor, this.profileAt(t));
  }

  start(): void {
    this.running = true;
    this.scheduleFrom(this.timers.clock.now());
  }

  stop(): void {
    this.running = false;
    this.cancel();
  }

  /** Raises the offered rate to at least `rps` from now on. */
  raise(rps: number): void {
    if (!(rps >= 0) || !Number.isFinite(rps)) throw new RangeError(`drive: expected a rate of requests per second >= 0, found ${rps}`);
    if (rps <= this.floor) return;
    this.floor = rps;
    if (this.running) {
      // Poisson arrivals are memoryless, so redrawing the next arrival from now is exact.
      this.cancel();
      this.scheduleFrom(this.timers.clock.now());
    }
  }

  private profileAt(t: number): number {
    for (const p of this.pieces) {
      if (t < p.end) {
        if (t < p.start) return 0;
        return p.from === p.to ? p.from : p.from + ((p.to - p.from) * (t - p.start)) / (p.end - p.start);
      }
    }
    return 0;
  }

  private scheduleFrom(now: number): void {
    const next = this.nextArrival(now);
    if (next === undefined) return;
    this.cancel = this.timers.after(next - now, () => {
      this.onArrival(next);
      this.scheduleFrom(next);
    });
  }

  /** The next arrival strictly after `t`, or undefined when the rate stays 0 forever. */
  private nextArrival(t: number): number | undefined {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const piece = this.pieces.find((p) => t < p.end);
      const end = piece ? piece.end : Infinity;
      const rateEnd = Math.max(this.floor, piece ? piece.to : 0);
      const max = Math.max(this.rateAt(t), rateEnd);
      if (max <= 0) {
        if (end === Infinity) return undefined;
        t = end;
        continue;
      }
      const candidate = t + this.random.exponential(1000 / max);
      if (candidate >= end) {
        t = end;
        continue;
      }
      if (this.random.next() * max < this.rateAt(candidate)) return candidate;
      t = candidate;
    }
    throw new Error("load generator: no arrival found (rate profile is degenerate)");
  }
}
