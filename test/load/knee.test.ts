import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { findKnee, rampMeanRate, rampRateAt, theoreticalMax, type RampPeriod } from "../../src/load/knee.js";

const period = (offered: number, requests: number, errors: number): RampPeriod => ({ at: offered * 1000, offered, requests, errors });

describe("theoreticalMax", () => {
  it("is tasks × threads ÷ service time: the seed's 4 × 20 / 0.3 s is 266.7 req/s", () => {
    expect(theoreticalMax(4, 20, 300)).toBeCloseTo(266.667, 3);
    expect(theoreticalMax(1, 5, 100)).toBe(50);
  });

  it("with a CPU time per request, is also at most tasks × vCPUs ÷ CPU time: 4 tasks of 1 vCPU rendering 3 ms each top out at 1,333 req/s, not their threads' 20,000", () => {
    expect(theoreticalMax(4, 20, 4, { vcpus: 1, cpuTimeMs: 3 })).toBeCloseTo(1333.333, 3);
    // The seed's 300 ms sleep with 2 ms of Rails on the CPU: the threads still bound it.
    expect(theoreticalMax(4, 20, 300, { vcpus: 1, cpuTimeMs: 2 })).toBeCloseTo(266.667, 3);
    expect(() => theoreticalMax(4, 20, 300, { vcpus: 0, cpuTimeMs: 2 })).toThrow(/expected vCPUs and CPU time > 0/);
  });

  it("refuses a pool that cannot serve anything", () => {
    expect(() => theoreticalMax(0, 20, 300)).toThrow(/expected tasks, threads and service time > 0/);
    expect(() => theoreticalMax(4, 20, 0)).toThrow(RangeError);
  });
});

describe("the ramp", () => {
  const ramp = { from: 1, to: 1000, overMs: 300_000 };

  it("rises linearly from `from` to `to` and then holds", () => {
    expect(rampRateAt(ramp, 0)).toBe(1);
    expect(rampRateAt(ramp, 150_000)).toBeCloseTo(500.5, 6);
    expect(rampRateAt(ramp, 300_000)).toBe(1000);
    expect(rampRateAt(ramp, 900_000)).toBe(1000);
  });

  it("offers over a period the ramp's integral over it, also across the end of the ramp", () => {
    expect(rampMeanRate(ramp, 0, 10_000)).toBeCloseTo(rampRateAt(ramp, 5_000), 9);
    // 295 s..305 s: half rising (mean at 297.5 s), half held at 1000.
    expect(rampMeanRate(ramp, 295_000, 305_000)).toBeCloseTo((rampRateAt(ramp, 297_500) + 1000) / 2, 9);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400_000 }), fc.integer({ min: 1, max: 100_000 }), (a, len) => {
        // A fine midpoint sum of the rate agrees with the closed form (to its own error at the kink).
        const n = 200;
        let sum = 0;
        for (let i = 0; i < n; i++) sum += rampRateAt(ramp, a + ((i + 0.5) * len) / n);
        expect(rampMeanRate(ramp, a, a + len)).toBeCloseTo(sum / n, 2);
      }),
    );
  });
});

describe("findKnee", () => {
  it("is the highest offered rate before errors first reach the bound", () => {
    const k = findKnee([period(100, 1000, 0), period(150, 1500, 14), period(200, 2000, 20), period(250, 2500, 900)], 0.01);
    expect(k).toEqual({ rps: 150, reached: true, firstFailingAt: 200_000 });
  });

  it("does not move past the first failing period when a later one is quiet by luck", () => {
    const k = findKnee([period(100, 1000, 0), period(200, 2000, 100), period(300, 3000, 0)], 0.01);
    expect(k.rps).toBe(100);
  });

  it("skips periods without requests and says when the ramp never found the limit", () => {
    expect(findKnee([period(1, 0, 0), period(50, 500, 4), period(90, 900, 0)], 0.01)).toEqual({ rps: 90, reached: false, firstFailingAt: undefined });
  });

  it("has no knee when the very first period with requests fails", () => {
    expect(findKnee([period(0, 0, 0), period(10, 100, 5)], 0.01)).toEqual({ rps: undefined, reached: true, firstFailingAt: 10_000 });
  });
});

describe("the knee when the load generator fell behind", () => {
  const bound = (p: RampPeriod): RampPeriod => ({ ...p, generatorBound: true });

  it("is unknown from the first period the generator could not keep: errors there may be its own", () => {
    const k = findKnee([period(10, 100, 0), period(20, 200, 0), bound(period(30, 300, 90)), period(40, 400, 200)], 0.01);
    expect(k).toEqual({ rps: 20, reached: false, firstFailingAt: undefined, generatorBoundAt: 30_000 });
  });

  it("stands when the target failed before the generator fell behind", () => {
    const k = findKnee([period(10, 100, 0), period(20, 200, 10), bound(period(30, 300, 90))], 0.01);
    expect(k).toEqual({ rps: 10, reached: true, firstFailingAt: 20_000 });
  });
});
