/**
 * Service-time distributions for a web app's requests, drawn from the task's own random stream.
 * A draw is a method call on a small object rather than a closure: the lognormal's spare normal
 * lives in a number field, which V8 updates in place, where a closure's variable took a fresh heap
 * number at every draw (one a request, millions in a long run).
 */
import type { Random } from "../../random/random.js";
import type { AppSpec } from "../stack/ecs.js";

/** z for the 99th percentile of the standard normal. */
const Z99 = 2.3263478740408408;

export type Sampler = () => number;

/** One request's service time in ms, per draw. */
export interface ServiceTime {
  draw(): number;
}

export function serviceTime(spec: AppSpec["serviceTime"], random: Random): ServiceTime {
  if ("mix" in spec) return new Mix(spec.mix, random);
  if (spec.distribution === "constant") return new Constant(spec.value);
  if (!(spec.p99 >= spec.p50) || !(spec.p50 > 0)) {
    throw new RangeError(`serviceTime: expected 0 < p50 <= p99, found p50 ${spec.p50} ms and p99 ${spec.p99} ms`);
  }
  return new Lognormal(spec.p50, spec.p99, random);
}

/** serviceTime() as a function, for callers that take one. */
export function serviceTimeSampler(spec: AppSpec["serviceTime"], random: Random): Sampler {
  const s = serviceTime(spec, random);
  return () => s.draw();
}

class Constant implements ServiceTime {
  constructor(private readonly value: number) {}
  draw(): number {
    return this.value;
  }
}

/** Each draw picks a kind of request by weight, then its service time. */
class Mix implements ServiceTime {
  private readonly weights: number[];
  private readonly kinds: Lognormal[];
  private readonly total: number;

  constructor(
    parts: readonly { weight: number; p50: number; p99: number }[],
    private readonly random: Random,
  ) {
    this.total = parts.reduce((n, p) => n + p.weight, 0);
    this.weights = parts.map((p) => p.weight);
    this.kinds = parts.map((p) => new Lognormal(p.p50, p.p99, random));
  }

  draw(): number {
    let u = this.random.next() * this.total;
    const last = this.kinds.length - 1;
    for (let i = 0; i < last; i++) {
      u -= this.weights[i]!;
      if (u < 0) return this.kinds[i]!.draw();
    }
    return this.kinds[last]!.draw();
  }
}

class Lognormal implements ServiceTime {
  private readonly mu: number;
  private readonly sigma: number;
  /** The second normal of the last Box-Muller pair, NaN once used (a pair's normals are always finite). */
  private spare = NaN;

  constructor(
    p50: number,
    p99: number,
    private readonly random: Random,
  ) {
    this.mu = Math.log(p50);
    this.sigma = Math.log(p99 / p50) / Z99;
  }

  draw(): number {
    let z = this.spare;
    if (z === z) {
      this.spare = NaN;
    } else {
      // Box-Muller: two independent normals per two uniforms.
      const u = 1 - this.random.next();
      const v = this.random.next();
      const r = Math.sqrt(-2 * Math.log(u));
      const angle = 2 * Math.PI * v;
      z = r * Math.cos(angle);
      this.spare = r * Math.sin(angle);
    }
    return Math.exp(this.mu + this.sigma * z);
  }
}
