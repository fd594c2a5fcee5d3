/**
 * Line charts as inline SVG. Written by hand rather than with a charting library: the HTML report
 * must be one self-contained file that loads nothing from the network, no such library is among
 * the pinned dependencies, and a chart here is only polylines, dots, axes and a few markers.
 *
 * The DOM it produces is part of the report's contract (the browser tests query it):
 * `svg.chart[data-chart]`, one `g.series[data-series]` per series holding a `path.line` and one
 * `circle.point[data-t][data-v]` per reading (`.failed` when the reading missed its tolerance),
 * `rect.chaos-window` for the chaos window (first fault to the method's end), one
 * `rect.fault[data-step][data-start][data-end]` per fault for the span it was in force (ms since the
 * start), and `line.event[data-kind]` for each fault start, fault end and rollback.
 */
import type { Chart, TimelineEvent } from "./run-report.js";
import { escapeXml } from "./escape.js";

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { left: 64, right: 16, top: 16, bottom: 36 };
/** A colour-blind-safe palette (Okabe and Ito). */
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

export interface ChartOptions {
  events?: TimelineEvent[];
  chaosWindow?: { start: number; end: number };
  /** Each fault's span in force (ms since the start), shaded over the chaos window. */
  faults?: { step: string; start: number; end: number }[];
  /** The x range (ms since the start); by default the points' and events' range. */
  domain?: { start: number; end: number };
}

/** Round tick values covering [min, max] (about five of them). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (min === max) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/** Elapsed time as +m:ss or +h:mm:ss. */
export function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  const sign = s < 0 ? "-" : "+";
  const a = Math.abs(s);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const sec = String(a % 60).padStart(2, "0");
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, "0")}:${sec}` : `${sign}${m}:${sec}`;
}

function number(v: number): string {
  if (Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0)) return v.toExponential(2);
  return String(Number(v.toPrecision(6)));
}

function px(v: number): string {
  return v.toFixed(1);
}

export function renderChart(chart: Chart, options: ChartOptions = {}): string {
  const points = chart.series.flatMap((s) => s.points);
  const events = options.events ?? [];
  const ts = [...points.map((p) => p.t), ...events.map((e) => e.t)];
  const x0 = options.domain?.start ?? Math.min(...ts, 0);
  const x1 = Math.max(options.domain?.end ?? Math.max(...ts, 1), x0 + 1);
  const values = points.map((p) => p.v);
  // A ratio reads best on its whole scale; other units from zero (a floor hides the size of a drop).
  let y0 = Math.min(0, ...values);
  let y1 = Math.max(chart.unit === "ratio" ? 1 : 0, ...values);
  if (y0 === y1) y1 = y0 + 1;
  const yTicks = niceTicks(y0, y1);
  y0 = Math.min(y0, yTicks[0]!);
  y1 = Math.max(y1, yTicks[yTicks.length - 1]!);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (t: number) => MARGIN.left + ((t - x0) / (x1 - x0)) * plotW;
  const sy = (v: number) => MARGIN.top + plotH - ((v - y0) / (y1 - y0)) * plotH;

  const parts: string[] = [];
  parts.push(`<svg class="chart" data-chart="${escapeXml(chart.id)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeXml(chart.title)}">`);
  parts.push(`<title>${escapeXml(chart.title)}</title>`);
  if (options.chaosWindow) {
    const a = sx(Math.max(options.chaosWindow.start, x0));
    const b = sx(Math.min(options.chaosWindow.end, x1));
    parts.push(`<rect class="chaos-window" x="${px(a)}" y="${MARGIN.top}" width="${px(Math.max(b - a, 1))}" height="${plotH}"><title>chaos window ${elapsed(options.chaosWindow.start)} to ${elapsed(options.chaosWindow.end)}</title></rect>`);
  }
  for (const f of options.faults ?? []) {
    // A span outside the plotted range, or empty (a fault that never started), is not drawn.
    if (f.end <= f.start || f.end < x0 || f.start > x1) continue;
    const a = sx(Math.max(f.start, x0));
    const b = sx(Math.min(f.end, x1));
    parts.push(`<rect class="fault" data-step="${escapeXml(f.step)}" data-start="${f.start}" data-end="${f.end}" x="${px(a)}" y="${MARGIN.top}" width="${px(Math.max(b - a, 1))}" height="${plotH}"><title>${escapeXml(`${f.step} in force ${elapsed(f.start)} to ${elapsed(f.end)}`)}</title></rect>`);
  }
  for (const v of yTicks) {
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${px(sy(v))}" y2="${px(sy(v))}"/>`);
    parts.push(`<text class="tick y" x="${MARGIN.left - 6}" y="${px(sy(v) + 4)}" text-anchor="end">${escapeXml(number(v))}</text>`);
  }
  for (const t of niceTicks(x0 / 1000, x1 / 1000).map((s) => s * 1000).filter((t) => t >= x0 && t <= x1)) {
    parts.push(`<text class="tick x" x="${px(sx(t))}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${elapsed(t)}</text>`);
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/>`);
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}"/>`);
  for (const e of events) {
    parts.push(`<line class="event ${e.kind}" data-kind="${e.kind}" x1="${px(sx(e.t))}" x2="${px(sx(e.t))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"><title>${escapeXml(`${elapsed(e.t)} ${e.label}`)}</title></line>`);
  }
  chart.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const d = s.points.map((p, j) => `${j === 0 ? "M" : "L"}${px(sx(p.t))},${px(sy(p.v))}`).join("");
    parts.push(`<g class="series" data-series="${escapeXml(s.name)}" style="--c:${colour}">`);
    parts.push(`<path class="line" d="${d}" fill="none" stroke="${colour}"/>`);
    for (const p of s.points) {
      // Only a failed reading carries a tooltip: a long run has tens of thousands of points, and
      // a <title> each would make the file several times larger.
      if (p.ok) parts.push(`<circle class="point" data-t="${p.t}" data-v="${p.v}" cx="${px(sx(p.t))}" cy="${px(sy(p.v))}" r="1.8" fill="${colour}"/>`);
      else parts.push(`<circle class="point failed" data-t="${p.t}" data-v="${p.v}" cx="${px(sx(p.t))}" cy="${px(sy(p.v))}" r="3" fill="#D00000"><title>${escapeXml(`${s.name} ${number(p.v)} at ${elapsed(p.t)} (missed its tolerance)`)}</title></circle>`);
    }
    parts.push(`</g>`);
  });
  parts.push(`</svg>`);
  return parts.join("");
}

/** The legend of a chart, as HTML (clicking an entry hides or shows its series). */
export function renderLegend(chart: Chart): string {
  return `<ul class="legend">${chart.series
    .map((s, i) => `<li data-series="${escapeXml(s.name)}"><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${escapeXml(s.name)}</li>`)
    .join("")}</ul>`;
}
