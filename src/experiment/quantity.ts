/**
 * Numbers with units, as tolerances write them: `300ms`, `2s`, `99.9%`, `64MiB`, `5`.
 * Values are normalised to what probes report: milliseconds for time, a fraction for percent
 * (99.9% is 0.999) and bytes for sizes. The authored unit is kept for messages.
 */
import { parseDuration } from "./duration.js";

export type Dimension = "number" | "duration" | "fraction" | "bytes";

export interface Quantity {
  /** In the dimension's base unit: ms, fraction or bytes. */
  value: number;
  /** As authored, for messages; absent for plain numbers. */
  unit?: string;
  dimension: Dimension;
}

const UNITS: Readonly<Record<string, { dimension: Dimension; factor: number }>> = {
  ms: { dimension: "duration", factor: 1 },
  s: { dimension: "duration", factor: 1000 },
  m: { dimension: "duration", factor: 60_000 },
  h: { dimension: "duration", factor: 3_600_000 },
  d: { dimension: "duration", factor: 86_400_000 },
  "%": { dimension: "fraction", factor: 0.01 },
  B: { dimension: "bytes", factor: 1 },
  kB: { dimension: "bytes", factor: 1e3 },
  KB: { dimension: "bytes", factor: 1e3 },
  MB: { dimension: "bytes", factor: 1e6 },
  GB: { dimension: "bytes", factor: 1e9 },
  TB: { dimension: "bytes", factor: 1e12 },
  KiB: { dimension: "bytes", factor: 1024 },
  MiB: { dimension: "bytes", factor: 1024 ** 2 },
  GiB: { dimension: "bytes", factor: 1024 ** 3 },
  TiB: { dimension: "bytes", factor: 1024 ** 4 },
};

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z%]*)$/;

/** A number with an optional unit, or why the text is not one. */
export function parseQuantity(text: string): Quantity | { problem: string } {
  const trimmed = text.trim();
  const m = QUANTITY.exec(trimmed);
  if (!m) {
    // ISO 8601 durations are quantities too: "<= PT2S".
    const iso = /^P/i.test(trimmed) ? parseDuration(trimmed) : undefined;
    if (iso !== undefined) return { value: iso, unit: "ms", dimension: "duration" };
    return { problem: "not a number with an optional unit" };
  }
  const [, amount, unit] = m as unknown as [string, string, string];
  const value = Number(amount);
  if (!Number.isFinite(value)) return { problem: "a number too large to compare" };
  if (unit === "") return { value, dimension: "number" };
  const known = Object.hasOwn(UNITS, unit) ? UNITS[unit] : undefined;
  if (!known) return { problem: `the unknown unit \`${unit}\`` };
  // Twelve significant digits drop binary noise: 99.9% must be exactly 0.999, not 0.9990000000000001.
  return { value: Number((value * known.factor).toPrecision(12)), unit, dimension: known.dimension };
}

function factorOf(unit: string | undefined): number {
  return unit !== undefined && Object.hasOwn(UNITS, unit) ? (UNITS[unit]?.factor ?? 1) : 1;
}

/** The dimension of an authored unit; a plain number (no unit) is "number". */
export function dimensionOf(unit: string | undefined): Dimension {
  return unit !== undefined && Object.hasOwn(UNITS, unit) ? (UNITS[unit]?.dimension ?? "number") : "number";
}

/** The smaller of two units, so that a value shown in it loses nothing. */
export function finerUnit(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return factorOf(a) <= factorOf(b) ? a : b;
}

function roundForDisplay(n: number): string {
  return String(Number(n.toPrecision(6)));
}

/** A base-unit value shown in the authored unit: "412 ms", "99.1%", "64 MiB", "5". */
export function formatQuantity(value: number, unit?: string): string {
  if (unit === undefined) return roundForDisplay(value);
  const shown = roundForDisplay(value / factorOf(unit));
  return unit === "%" ? `${shown}%` : `${shown} ${unit}`;
}
