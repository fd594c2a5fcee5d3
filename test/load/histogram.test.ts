import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "../../src/load/histogram.js";

describe("LatencyHistogram", () => {
  it("reads percentiles back within 3% over a wide range", () => {
    const h = new LatencyHistogram();
    // 1 ms .. 10 s, evenly: the q-quantile is q * 10 s.
    for (let i = 1; i <= 10_000; i++) h.record(i);
    for (const q of [0.01, 0.5, 0.9, 0.95, 0.99]) {
      const want = q * 10_000;
      expect(Math.abs(h.quantile(q) - want) / want).toBeLessThan(0.035);
    }
    const s = h.summary();
    expect(s.count).toBe(10_000);
    expect(s.min).toBe(1);
    expect(s.max).toBe(10_000);
    expect(s.mean).toBeCloseTo(5000.5, 6);
  });

  it("gives a lone value back exactly, sub-millisecond ones too", () => {
    for (const v of [0.25, 42, 1234.5]) {
      const h = new LatencyHistogram();
      h.record(v);
      expect(h.quantile(0.5)).toBe(v);
      expect(h.quantile(0.99)).toBe(v);
    }
  });

  it("says NaN rather than 0 when nothing was recorded", () => {
    const s = new LatencyHistogram().summary();
    expect(s.count).toBe(0);
    expect(s.p50).toBeNaN();
    expect(s.max).toBeNaN();
  });

  it("separates a slow tail from the body", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 90; i++) h.record(20);
    for (let i = 0; i < 10; i++) h.record(300);
    // Within a bucket's width (3%) of the values recorded.
    expect(Math.abs(h.quantile(0.5) - 20)).toBeLessThan(0.6);
    expect(Math.abs(h.quantile(0.9) - 20)).toBeLessThan(0.6);
    expect(Math.abs(h.quantile(0.95) - 300)).toBeLessThan(9);
  });

  it("hands out its buckets as value/count pairs in increasing order, counting every value", () => {
    const h = new LatencyHistogram();
    const other = new LatencyHistogram();
    for (let i = 0; i < 500; i++) h.record(i * 3.7);
    for (let i = 0; i < 100; i++) other.record(5000);
    h.add(other);
    const b = h.buckets();
    expect(b.reduce((n, [, c]) => n + c, 0)).toBe(600);
    for (let i = 1; i < b.length; i++) expect(b[i]![0]).toBeGreaterThan(b[i - 1]![0]);
    expect(b[b.length - 1]).toEqual([5000, 100]);
    expect(h.summary().max).toBe(5000);
  });

  it("keeps every value within 1/32 of its bucket's value from microseconds to hours, with a value and the one below a power of two in different buckets", () => {
    for (let k = 6; k <= 34; k++) {
      const power = 2 ** k;
      for (const us of [power - 1, power, power + 1, 1.5 * power]) {
        const h = new LatencyHistogram();
        // Neighbours far below and above, so the bucket's value is its own and not clamped to a lone value.
        h.record(0);
        h.record(us / 1000);
        h.record(1e9);
        const [, middle] = h.buckets();
        expect(Math.abs(middle![0] * 1000 - us) / us).toBeLessThanOrEqual(1 / 32);
        expect(middle![1]).toBe(1);
      }
      const pair = new LatencyHistogram();
      pair.record((power - 1) / 1000);
      pair.record(power / 1000);
      expect(pair.buckets()).toHaveLength(2);
    }
  });

  it("adds up histograms whose values lie in different ranges, as one histogram of all the values would", () => {
    const low = new LatencyHistogram();
    const high = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 1; i <= 300; i++) {
      low.record(i / 10);
      all.record(i / 10);
      high.record(i * 1000);
      all.record(i * 1000);
    }
    const merged = new LatencyHistogram();
    merged.add(high);
    merged.add(low);
    expect(merged.buckets()).toEqual(all.buckets());
    expect(merged.summary()).toEqual(all.summary());
  });

  it("refuses a latency that is not a finite number, rather than counting it somewhere", () => {
    const h = new LatencyHistogram();
    expect(() => h.record(Number.NaN)).toThrow(/expected a finite latency in ms, found NaN/);
    expect(() => h.record(Number.POSITIVE_INFINITY)).toThrow(/found Infinity/);
    expect(h.count).toBe(0);
  });
});
