/**
 * When an open-model generator sends: the offered rate over time, as constant and linearly ramping
 * stages, turned into arrival instants. The k-th arrival comes when the expected number of requests
 * so far (the rate's integral) reaches k: evenly spaced for "uniform" arrivals, or at the running
 * sum of unit exponential draws for "poisson" ones (a Poisson process in that time change, so ramps
 * are exact in both modes and no error accumulates from one gap to the next).
 */
import type { Random } from "../random/random.js";

/** A stage of offered load; durations in milliseconds, rates in requests per second. */
export type RateStage = { rate: number; duration: number } | { from: number; to: number; duration: number };

interface Piece {
  /** Offset from the start, ms. */
  start: number;
  duration: number;
  from: number;
  to: number;
  /** Requests expected before this piece. */
  before: number;
  /** Requests expected within it. */
  mass: number;
}

export class ArrivalSchedule {
  private readonly pieces: Piece[] = [];
  /** Total length of the schedule, ms. */
  readonly duration: number;
  /** Requests expected over the whole schedule. */
  readonly expected: number;
  private mass = 0;
  private piece = 0;

  constructor(
    stages: readonly RateStage[],
    private readonly arrivals: "uniform" | "poisson" = "uniform",
    private readonly random?: Random,
  ) {
    if (arrivals === "poisson" && !random) throw new Error("poisson arrivals need a random source");
    let start = 0;
    let before = 0;
    stages.forEach((stage, i) => {
      const [from, to] = "rate" in stage ? [stage.rate, stage.rate] : [stage.from, stage.to];
      for (const [name, v] of [["rate", from], ["rate", to]] as const) {
        if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`stage ${i + 1}: expected a ${name} of requests per second >= 0, found ${v}`);
      }
      if (!(stage.duration > 0) || !Number.isFinite(stage.duration)) throw new RangeError(`stage ${i + 1}: expected a duration > 0 ms, found ${stage.duration}`);
      const mass = ((from + to) / 2) * (stage.duration / 1000);
      this.pieces.push({ start, duration: stage.duration, from, to, before, mass });
      start += stage.duration;
      before += mass;
    });
    this.duration = start;
    this.expected = before;
  }

  /** Offered rate (requests per second) at `t` ms from the start; 0 outside the schedule. */
  rateAt(t: number): number {
    const p = this.pieces.find((q) => t >= q.start && t < q.start + q.duration);
    if (!p) return 0;
    return p.from + ((p.to - p.from) * (t - p.start)) / p.duration;
  }

  /** The next arrival, in ms from the start, or undefined once the schedule is over. */
  next(): number | undefined {
    this.mass += this.arrivals === "poisson" ? this.random!.exponential(1) : 1;
    // The first uniform arrival is at time 0, not one gap in.
    const m = this.arrivals === "uniform" ? this.mass - 1 : this.mass;
    while (this.piece < this.pieces.length && m >= this.pieces[this.piece]!.before + this.pieces[this.piece]!.mass) this.piece++;
    const p = this.pieces[this.piece];
    if (!p) return undefined;
    return p.start + offsetFor(p, m - p.before);
  }
}

/**
 * Milliseconds into a piece by which `m` requests are expected: solves from·τ + a·τ² = m for τ in
 * seconds, a = (to - from) / (2·duration), in the form that stays exact when a is 0 or negative.
 */
function offsetFor(p: Piece, m: number): number {
  if (m <= 0) return 0;
  const a = (p.to - p.from) / (2 * (p.duration / 1000));
  const b = p.from;
  const tau = (2 * m) / (b + Math.sqrt(Math.max(0, b * b + 4 * a * m)));
  return Math.min(p.duration, tau * 1000);
}
