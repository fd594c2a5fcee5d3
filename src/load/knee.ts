/**
 * Capacity arithmetic for a load ramp: the offered rate of a linear ramp, the theoretical maximum
 * of a pool of threads (Little's law: tasks × threads ÷ service time), and the knee of a measured
 * series (the highest offered rate before the error share first reaches a bound).
 */

/** A linear ramp of offered load: `from` to `to` requests per second over `overMs`, then held at `to`. */
export interface Ramp {
  from: number;
  to: number;
  overMs: number;
}

/** Offered rate `t` ms into the ramp. */
export function rampRateAt(ramp: Ramp, t: number): number {
  if (t <= 0) return ramp.from;
  if (t >= ramp.overMs) return ramp.to;
  return ramp.from + ((ramp.to - ramp.from) * t) / ramp.overMs;
}

/** Mean offered rate over [a, b) ms into the ramp (a linear piece's mean is its midpoint's value, held past the end). */
export function rampMeanRate(ramp: Ramp, a: number, b: number): number {
  if (!(b > a)) return rampRateAt(ramp, a);
  const split = Math.min(Math.max(ramp.overMs, a), b);
  const rising = split > a ? (rampRateAt(ramp, (a + split) / 2) * (split - a)) : 0;
  return (rising + ramp.to * (b - split)) / (b - a);
}

/**
 * Requests per second `tasks` tasks of `threads` threads sustain when each request holds a thread
 * `serviceTimeMs`; with `cpu`, no more than the tasks' vCPUs sustain when each request needs
 * `cpuTimeMs` of one vCPU (tasks × vCPUs ÷ CPU time), whichever is lower.
 */
export function theoreticalMax(tasks: number, threads: number, serviceTimeMs: number, cpu?: { vcpus: number; cpuTimeMs: number }): number {
  if (!(tasks > 0 && threads > 0 && serviceTimeMs > 0)) throw new RangeError(`expected tasks, threads and service time > 0, found ${tasks}, ${threads}, ${serviceTimeMs} ms`);
  const byThreads = (tasks * threads * 1000) / serviceTimeMs;
  if (!cpu) return byThreads;
  if (!(cpu.vcpus > 0 && cpu.cpuTimeMs > 0)) throw new RangeError(`expected vCPUs and CPU time > 0, found ${cpu.vcpus}, ${cpu.cpuTimeMs} ms`);
  return Math.min(byThreads, (tasks * cpu.vcpus * 1000) / cpu.cpuTimeMs);
}

/** One period of the ramp as measured. */
export interface RampPeriod {
  /** Period start, ms since the epoch. */
  at: number;
  /** Mean offered rate over the period, requests per second. */
  offered: number;
  /** Requests whose outcome became known in the period. */
  requests: number;
  /** Of them, those that failed (not 2XX/3XX: 4XX, 5XX, timeouts, connection errors). */
  errors: number;
  /** The load generator could not keep its schedule in this period (src/load/shortfall.ts): it measured the generator. */
  generatorBound?: boolean;
}

export interface Knee {
  /** The highest offered rate before the first period at or above `maxErrorRate`; undefined when the first period already failed. */
  rps: number | undefined;
  /** Whether some period reached the bound (false: the ramp never found the limit, and `rps` is its top). */
  reached: boolean;
  /** Start of the first failing period, when there was one. */
  firstFailingAt: number | undefined;
  /**
   * Start of the first period the load generator could not keep, when that came before any failing
   * one (or was one): from there the ramp measured the generator, so the knee is unknown and `rps`
   * only a lower bound.
   */
  generatorBoundAt?: number;
}

/**
 * The knee: the offered rate of the last period before errors first reach `maxErrorRate` of the
 * period's requests. Periods with no requests say nothing and are skipped. The first crossing
 * rather than the best period anywhere: past the knee a quiet period is luck, not capacity.
 */
export function findKnee(periods: readonly RampPeriod[], maxErrorRate: number): Knee {
  let rps: number | undefined;
  for (const p of periods) {
    // Errors in a period the generator could not keep may be its own doing: past it, nothing is known.
    if (p.generatorBound) return { rps, reached: false, firstFailingAt: undefined, generatorBoundAt: p.at };
    if (p.requests === 0) continue;
    if (p.errors / p.requests >= maxErrorRate) return { rps, reached: true, firstFailingAt: p.at };
    rps = rps === undefined ? p.offered : Math.max(rps, p.offered);
  }
  return { rps, reached: false, firstFailingAt: undefined };
}
