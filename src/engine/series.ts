/**
 * The readings of one probe in one mode over time, as numbers a report can chart: the numeric
 * fields of each value (a bare number is the field "value"), with the time it was read and whether
 * it passed. Kept in the journal under `gameday.probes[].series` (gameday's own key: Chaos Toolkit
 * readers ignore it). Bounded: past MAX_POINTS the passing points are thinned to every other one,
 * so a 17-hour run keeps its shape in a few hundred points; failed readings are kept first.
 */
import type { OutputUnit, ProbeOutput } from "../experiment/probe-output.js";
import { NUMERIC_UNITS } from "../experiment/probe-output.js";

export const MAX_POINTS = 600;

/** One reading: its time (ISO 8601), whether it passed, and its numeric fields. */
export interface SeriesPoint {
  at: string;
  ok: boolean;
  values: Record<string, number>;
}

export interface SeriesRecord {
  /** The declared unit of each field that appears in `points` ("number" when the probe declares none). */
  units: Record<string, OutputUnit>;
  points: SeriesPoint[];
  /** Readings left out to keep the series bounded (every failed one is kept while room allows). */
  thinned?: number;
}

interface RawPoint {
  at: number;
  ok: boolean;
  values: Record<string, number>;
}

/** The numeric fields of a probe's value; fields the probe declares as non-numeric are left out. */
export function numericFields(value: unknown, output?: ProbeOutput): Record<string, number> {
  if (typeof value === "number") return Number.isFinite(value) ? { value } : {};
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  const declared = output && "fields" in output ? output.fields : undefined;
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    const unit = declared?.[name]?.unit;
    if (unit !== undefined && !NUMERIC_UNITS.has(unit)) continue;
    out[name] = v;
  }
  return out;
}

export class ReadingSeries {
  private points: RawPoint[] = [];
  private readonly units: Record<string, OutputUnit> = {};
  private stride = 1;
  private seen = 0;
  private thinned = 0;

  constructor(private readonly output?: ProbeOutput) {}

  add(at: number, ok: boolean, value: unknown): void {
    const values = numericFields(value, this.output);
    const names = Object.keys(values);
    if (names.length === 0) return;
    for (const name of names) this.units[name] ??= this.unitOf(name);
    const index = this.seen++;
    // Between thinnings only every stride-th passing reading is kept; a failure always is.
    if (ok && index % this.stride !== 0) {
      this.thinned++;
      return;
    }
    this.points.push({ at, ok, values });
    if (this.points.length > MAX_POINTS) this.thin();
  }

  private unitOf(name: string): OutputUnit {
    if (!this.output) return "number";
    if ("value" in this.output) return this.output.value.unit;
    return this.output.fields[name]?.unit ?? "number";
  }

  /** Halves the passing points (keeping the first and last), then, if still too many, every point. */
  private thin(): void {
    this.stride *= 2;
    const last = this.points.length - 1;
    let kept = this.points.filter((p, i) => !p.ok || i % 2 === 0 || i === last);
    if (kept.length > MAX_POINTS) kept = kept.filter((_, i) => i % 2 === 0 || i === kept.length - 1);
    this.thinned += this.points.length - kept.length;
    this.points = kept;
  }

  get empty(): boolean {
    return this.points.length === 0;
  }

  record(iso: (at: number) => string): SeriesRecord {
    return {
      units: { ...this.units },
      points: this.points.map((p) => ({ at: iso(p.at), ok: p.ok, values: p.values })),
      ...(this.thinned > 0 ? { thinned: this.thinned } : {}),
    };
  }
}
