import { describe, expect, it } from "vitest";
import { XMLParser } from "fast-xml-parser";
import { elapsed, niceTicks, renderChart } from "../../src/report/svg-chart.js";
import type { Chart } from "../../src/report/run-report.js";

const chart: Chart = {
  id: "web-slo/on-chaos/ms",
  title: "web-slo <latency> & more",
  unit: "ms",
  series: [
    { name: "p95", points: [{ t: 0, v: 100, ok: true }, { t: 5000, v: 450, ok: false }, { t: 10000, v: 120, ok: true }] },
    { name: "p99", points: [{ t: 0, v: 200, ok: true }, { t: 10000, v: 260, ok: true }] },
  ],
  constants: [],
};

function parse(svg: string) {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(svg).svg;
}

describe("SVG line charts", () => {
  it("draws one group per series with one point per reading, failed readings marked, as well-formed XML with the title escaped", () => {
    const svg = parse(renderChart(chart, { events: [{ t: 2000, kind: "fault-start", label: "kill <tasks>" }], chaosWindow: { start: 2000, end: 8000 } }));
    expect(svg["data-chart"]).toBe("web-slo/on-chaos/ms");
    expect(svg.title).toBe("web-slo <latency> & more");
    const groups = svg.g as { "data-series": string; circle: { "data-t": string; "data-v": string; class: string }[] | { "data-t": string } }[];
    expect(groups.map((g) => g["data-series"])).toEqual(["p95", "p99"]);
    const p95 = groups[0]!.circle as { "data-t": string; "data-v": string; class: string }[];
    expect(p95.map((c) => [Number(c["data-t"]), Number(c["data-v"]), c.class])).toEqual([
      [0, 100, "point"],
      [5000, 450, "point failed"],
      [10000, 120, "point"],
    ]);
    expect(svg.rect.class).toBe("chaos-window");
  });

  it("places higher values higher and later readings further right", () => {
    const svg = parse(renderChart(chart));
    const circles = (svg.g[0].circle as { cx: string; cy: string }[]).map((c) => [Number(c.cx), Number(c.cy)] as [number, number]);
    expect(circles[1]![0]).toBeGreaterThan(circles[0]![0]);
    expect(circles[2]![0]).toBeGreaterThan(circles[1]![0]);
    // SVG's y grows downwards: 450 ms sits above 100 ms.
    expect(circles[1]![1]).toBeLessThan(circles[0]![1]);
  });

  it("has round ticks that cover the data, and elapsed times as a timeline shows them", () => {
    expect(niceTicks(0, 450)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(elapsed(0)).toBe("+0:00");
    expect(elapsed(65_000)).toBe("+1:05");
    expect(elapsed(17 * 3600_000 + 61_000)).toBe("+17:01:01");
  });
});
