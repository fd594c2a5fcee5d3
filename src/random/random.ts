/**
 * The one source of randomness: a seeded xoroshiro128+ stream (pure-rand, the generator fast-check
 * itself uses). Every run prints its seed; the same seed gives the same choices. `fork(label)`
 * derives an independent stream per consumer, so adding a consumer never shifts another's numbers.
 */
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { randomInt } from "node:crypto";

export interface Random {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** A uniformly chosen element; throws on an empty list. */
  pick<T>(items: readonly T[]): T;
  /** `count` distinct elements in random order (all of them when count >= length). */
  sample<T>(items: readonly T[], count: number): T[];
  /** Exponentially distributed with the given mean (inter-arrival times of a Poisson process). */
  exponential(mean: number): number;
  /** A random RFC 4122 version 4 UUID drawn from this stream. */
  uuid(): string;
  /** An independent stream derived from this stream's seed and a label. */
  fork(label: string): Random;
}

/** 32-bit FNV-1a, to turn a fork label into seed material. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class SeededRandom implements Random {
  private readonly rng;

  constructor(readonly seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
    }
    this.rng = xoroshiro128plus(seed);
  }

  next(): number {
    return uniformFloat64(this.rng);
  }

  int(min: number, max: number): number {
    if (max < min) throw new RangeError(`int(${min}, ${max}): max is below min`);
    return uniformInt(this.rng, min, max);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[this.int(0, items.length - 1)]!;
  }

  sample<T>(items: readonly T[], count: number): T[] {
    const copy = items.slice();
    const n = Math.min(Math.max(0, Math.floor(count)), copy.length);
    // Partial Fisher-Yates: the first n slots end up a uniform sample in random order.
    for (let i = 0; i < n; i++) {
      const j = this.int(i, copy.length - 1);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  uuid(): string {
    const hex: string[] = [];
    for (let i = 0; i < 16; i++) hex.push(this.int(0, 255).toString(16).padStart(2, "0"));
    hex[6] = ((parseInt(hex[6]!, 16) & 0x0f) | 0x40).toString(16).padStart(2, "0");
    hex[8] = ((parseInt(hex[8]!, 16) & 0x3f) | 0x80).toString(16).padStart(2, "0");
    const s = hex.join("");
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  fork(label: string): Random {
    return new SeededRandom((fnv1a(label) ^ Math.imul(this.seed, 0x9e3779b1)) >>> 0);
  }
}

/** A fresh seed for a run that was given none; printed so the run can be reproduced. */
export function freshSeed(): number {
  return randomInt(0, 0xffffffff);
}
