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
});
