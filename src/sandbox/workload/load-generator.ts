/**
 * An open-model load generator: Poisson arrivals whose rate follows the stack's stages (linear
 * ramps and constant rates, the last rate held), never waiting on responses. Arrivals of the
 * non-homogeneous process are drawn by thinning within each linear piece, so ramps are exact.
 * One timer is armed at a time: the next arrival. The timer only says when to look; arrivals keep
 * their own Poisson timestamps, so a clock whose timers fire late (scaled real time, where a timer
 * costs at least a real millisecond) gets every arrival that fell due, in a batch, instead of
 * falling further behind with each one. In virtual time the timer also emits, each at its own
 * instant, the arrivals that come before the clock's next other event (up to a second of them):
 * nothing can happen between them, so the outcome is the one a timer per arrival gives, for far
 * fewer timers (millions in a long run).
 */
import type { Random } from "../../random/random.js";
import type { Timers } from "../timers.js";
import type { LoadStage } from "../stack/workload.js";

/**
 * Lateness below which the next timer is still armed from the arrival's own time: in virtual time
 * a timer fires a rounding error away from it, and re-anchoring on that would change the sequence.
 */
const LATE_MS = 1;

/** The most virtual time one timer's arrivals span: bounds a batch when no other event is armed. */
const BATCH_MS = 1_000;

/** A virtual clock that lets a synchronous timer handle its own events up to the next armed one. */
interface SteppingClock {
  nextDue(): number | undefined;
  stepTo(t: number): void;
}

interface Piece {
  start: number;
  end: number;
  from: number;
  to: number;
}

export class LoadGenerator {
  private readonly pieces: Piece[] = [];
  /** The piece the last arrival fell in: arrivals move forward, so the search starts there. */
  private cursor = 0;
  private floor = 0;
  /** The next arrival drawn and not yet emitted; Infinity when the rate stays 0 forever (a number always, so V8 keeps it unboxed). */
  private pending = Infinity;
  private cancel: () => void = () => {};
  private running = false;
  /** One closure for every arrival's timer (millions in a long run), not one each. */
  private readonly onTimer = (): void => this.fire();

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
    const piece = this.pieceAt(t);
    return Math.max(this.floor, piece ? profileIn(piece, t) : 0);
  }

  start(): void {
    this.running = true;
    this.pending = this.nextArrival(this.timers.clock.now());
    this.arm(this.timers.clock.now());
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
      // Arrivals already due came at the old rate; then, Poisson arrivals being memoryless,
      // redrawing the next arrival from now is exact.
      const now = this.timers.clock.now();
      this.cancel();
      this.emitBefore(now);
      this.pending = this.nextArrival(now);
      this.arm(now);
    }
  }

  /** The first piece that ends after `t` (undefined past the last): the one `t` falls in, or the first when `t` comes before it. */
  private pieceAt(t: number): Piece | undefined {
    const pieces = this.pieces;
    let i = this.cursor;
    if (i > 0 && t < pieces[i - 1]!.end) i = 0;
    while (i < pieces.length && !(t < pieces[i]!.end)) i++;
    this.cursor = i;
    return pieces[i];
  }

  /**
   * Emits the arrivals that fell due while the timer was late, so a reading taken now sees them.
   * Nothing is ever late in virtual time, where this does nothing.
   */
  catchUp(): void {
    if (!this.running || this.pending === Infinity) return;
    const now = this.timers.clock.now();
    if (this.pending > now - LATE_MS) return;
    this.cancel();
    this.emitBefore(now);
    this.arm(now);
  }

  /** The timer for `pending` fired: emit it and every later arrival already due, then arm for the next. */
  private fire(): void {
    const due = this.pending;
    if (due === Infinity) return;
    this.onArrival(due);
    this.pending = this.nextArrival(due);
    const last = this.emitBeforeNextEvent(due);
    const now = this.timers.clock.now();
    this.emitBefore(now);
    // On time (always, in virtual time), the next timer is armed from the arrival just emitted,
    // exactly as one timer per arrival would be; late by a millisecond or more, from now.
    this.arm(now - last >= LATE_MS ? now : last);
  }

  /**
   * Virtual time only: emits, each at its own instant, the arrivals due before the clock's next
   * other timer (and within BATCH_MS of `from`); an arrival due with another timer waits for its
   * own, which fires after that one, as it would have. Returns the last arrival emitted.
   */
  private emitBeforeNextEvent(from: number): number {
    const clock = this.timers.clock as Partial<SteppingClock>;
    if (!clock.nextDue || !clock.stepTo) return from;
    let last = from;
    const until = from + BATCH_MS;
    for (;;) {
      const next = this.pending;
      if (next >= until) return last;
      const other = clock.nextDue();
      if (other === undefined || next >= other) return last;
      clock.stepTo(next);
      this.onArrival(next);
      this.pending = this.nextArrival(next);
      last = next;
    }
  }

  /**
   * Emits every arrival more than LATE_MS before `now`. Later ones wait for their timer, so that in
   * virtual time (where nothing is late) each fires in its place among same-instant events.
   */
  private emitBefore(now: number): void {
    while (this.pending <= now - LATE_MS) {
      const t = this.pending;
      this.onArrival(t);
      this.pending = this.nextArrival(t);
    }
  }

  private arm(from: number): void {
    const next = this.pending;
    if (next === Infinity) return;
    this.cancel = this.timers.after(Math.max(0, next - from), this.onTimer);
  }

  /** The next arrival strictly after `t`, or Infinity when the rate stays 0 forever. */
  private nextArrival(t: number): number {
    // The common case, written out: `t` inside the constant piece the cursor is on (100 requests a
    // second for hours). The same draws and the same arithmetic as the general loop below, which
    // there comes to max = rate (the thinning test still draws, so the stream stays the same).
    for (;;) {
      const piece = this.pieces[this.cursor];
      if (piece === undefined || piece.from !== piece.to || !(t >= piece.start && t < piece.end)) return this.nextArrivalAnywhere(t);
      const rate = Math.max(this.floor, piece.from);
      if (!(rate > 0)) return this.nextArrivalAnywhere(t);
      const candidate = t + this.random.exponential(1000 / rate);
      if (candidate >= piece.end) return this.nextArrivalAnywhere(piece.end);
      if (this.random.next() * rate < rate) return candidate;
      t = candidate;
    }
  }

  /** nextArrival() for any `t`: thinning over the pieces from the one `t` falls in. */
  private nextArrivalAnywhere(t: number): number {
    for (let guard = 0; guard < 1_000_000; guard++) {
      // A rate so small that its mean gap overflows (a subnormal rps, which drive() accepts) puts
      // the next arrival past the end of time: none comes.
      if (t === Infinity) return Infinity;
      const piece = this.pieceAt(t);
      const end = piece ? piece.end : Infinity;
      const rateEnd = Math.max(this.floor, piece ? piece.to : 0);
      const max = Math.max(this.floor, piece ? profileIn(piece, t) : 0, rateEnd);
      if (max <= 0) {
        if (end === Infinity) return Infinity;
        t = end;
        continue;
      }
      const candidate = t + this.random.exponential(1000 / max);
      if (candidate >= end) {
        t = end;
        continue;
      }
      // The candidate falls in the same piece (it comes before the piece's end), or past the last one.
      if (this.random.next() * max < Math.max(this.floor, piece ? profileIn(piece, candidate) : 0)) return candidate;
      t = candidate;
    }
    throw new Error("load generator: no arrival found (rate profile is degenerate)");
  }
}

/** The profile's rate at `t` within `p` (0 before it starts): linear between its two rates. */
function profileIn(p: Piece, t: number): number {
  if (t < p.start) return 0;
  return p.from === p.to ? p.from : p.from + ((p.to - p.from) * (t - p.start)) / (p.end - p.start);
}
