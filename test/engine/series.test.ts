import { describe, expect, it } from "vitest";
import { MAX_POINTS, numericFields, ReadingSeries } from "../../src/engine/series.js";
import { ProbeTally } from "../../src/engine/tally.js";

const iso = (at: number) => new Date(at).toISOString();

describe("the readings a journal keeps for charts", () => {
  it("keeps a value's numeric fields, with the units the probe declares, and leaves out fields declared as non-numeric", () => {
    const output = { fields: { p95: { unit: "ms" as const }, availability: { unit: "ratio" as const }, code: { unit: "string" as const }, flag: { unit: "bool" as const } } };
    expect(numericFields({ p95: 120, availability: 0.99, code: 3, flag: 1, byStatus: { "2XX": 5 }, name: "x", nan: Number.NaN }, output)).toEqual({ p95: 120, availability: 0.99 });
    expect(numericFields(7)).toEqual({ value: 7 });
    expect(numericFields("text")).toEqual({});
    const series = new ReadingSeries(output);
    series.add(1000, true, { p95: 120, availability: 1, requests: 30 });
    expect(series.record(iso)).toEqual({ units: { p95: "ms", availability: "ratio", requests: "number" }, points: [{ at: iso(1000), ok: true, values: { p95: 120, availability: 1, requests: 30 } }] });
  });

  it("stays bounded over a long run, spans it from first to last reading, and keeps every failed reading", () => {
    const series = new ReadingSeries();
    const n = 20 * MAX_POINTS;
    const failures = new Set([5, 4321, 9999, n - 7]);
    for (let i = 0; i < n; i++) series.add(i * 1000, !failures.has(i), { v: i });
    const { points, thinned } = series.record(iso);
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(points.length).toBeGreaterThan(MAX_POINTS / 4);
    expect(points.length + thinned!).toBe(n);
    expect(points[0]!.values.v).toBe(0);
    expect(points[points.length - 1]!.values.v).toBeGreaterThan(n - 2 * (n / MAX_POINTS) * 2);
    expect(points.filter((p) => !p.ok).map((p) => p.values.v)).toEqual([...failures]);
    const times = points.map((p) => Date.parse(p.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("goes into the probe's verdict record in the journal, only when a reading had numbers", () => {
    const tally = new ProbeTally("drained", "draining", "on-chaos", { fields: { lateDrains: { unit: "count" } } });
    tally.add({ at: 0, end: 500, ok: true, value: { lateDrains: 0 }, reason: "ok", observations: [], attempts: 1 });
    tally.add({ at: 1000, end: 1500, ok: false, value: { lateDrains: 1 }, reason: "late", observations: [], attempts: 1 });
    tally.add({ at: 2000, end: 2500, ok: false, unreadable: true, reason: "throttled", observations: [], attempts: 1 });
    expect(tally.record(iso).series).toEqual({
      units: { lateDrains: "count" },
      points: [
        { at: iso(500), ok: true, values: { lateDrains: 0 } },
        { at: iso(1500), ok: false, values: { lateDrains: 1 } },
      ],
    });
    const words = new ProbeTally("http", "http", "sot");
    words.add({ at: 0, end: 0, ok: true, value: { status: "up" }, reason: "ok", observations: [], attempts: 1 });
    expect(words.record(iso)).not.toHaveProperty("series");
  });
});
