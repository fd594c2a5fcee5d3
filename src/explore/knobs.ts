/**
 * The knobs of a fault a search may turn: its numeric and duration parameters, with the ranges its
 * zod schema declares (`min`/`max` on numbers, the limits of FIS durations kept in
 * faults/common.ts durationRanges). A knob is set by a whole number of grid steps above its minimum, so that
 * shrinking a step count toward 0 shrinks the parameter toward its smallest value.
 */
import type { z } from "zod";
import { durationRanges } from "../faults/common.js";

export interface Knob {
  /** The `with:` key. */
  param: string;
  kind: "number" | "duration";
  min: number;
  max: number;
  /** Grid step: 1 for integers, whole seconds for durations. */
  step: number;
}

/** Durations move in steps of this many milliseconds: finer timing changes nothing a probe sees. */
const DURATION_STEP_MS = 30_000;

/** The innermost schema under defaults, optionals and the like. */
function unwrap(schema: z.ZodType): z.ZodType {
  let inner = schema as z.ZodType & { _zod: { def: { innerType?: z.ZodType } } };
  while (inner._zod.def.innerType) inner = inner._zod.def.innerType as typeof inner;
  return inner;
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const inner = unwrap(schema) as z.ZodType & { _zod: { def: { shape?: Record<string, z.ZodType> } } };
  return inner._zod.def.shape ?? {};
}

/**
 * A bound the schema set. zod's `.int()` alone bounds a number by ±Number.MAX_SAFE_INTEGER, which
 * is no range to search: a count or a concurrency without a written maximum is not a knob (a search
 * of it tried counts near 9e15, which every target refused).
 */
function bounded(v: number | null | undefined): v is number {
  return typeof v === "number" && Number.isFinite(v) && Math.abs(v) < Number.MAX_SAFE_INTEGER;
}

/**
 * The knobs of a fault's `with:` schema. `maxDurationMs` bounds durations the schema allows to
 * run for hours (FIS's 12 hours): a search candidate has to finish in seconds of real time.
 */
export function knobsOf(params: z.ZodType, maxDurationMs: number): Knob[] {
  const knobs: Knob[] = [];
  for (const [param, field] of Object.entries(shapeOf(params))) {
    const inner = unwrap(field) as z.ZodType & { minValue?: number | null; maxValue?: number | null; _zod: { def: { type: string } } };
    const range = durationRanges.get(inner);
    if (range?.minMs !== undefined && range.maxMs !== undefined) {
      const max = Math.max(range.minMs, Math.min(range.maxMs, maxDurationMs));
      knobs.push({ param, kind: "duration", min: range.minMs, max, step: DURATION_STEP_MS });
    } else if (inner._zod.def.type === "number" && bounded(inner.minValue) && bounded(inner.maxValue)) {
      knobs.push({ param, kind: "number", min: inner.minValue!, max: inner.maxValue!, step: 1 });
    }
  }
  return knobs;
}

/** How many grid steps above its minimum a knob can go. */
export function knobSteps(k: Knob): number {
  return Math.floor((k.max - k.min) / k.step);
}

/** The `with:` value for a knob set `steps` above its minimum (clamped to its range). */
export function knobValue(k: Knob, steps: number): string | number {
  const value = Math.min(k.max, k.min + Math.max(0, Math.min(steps, knobSteps(k))) * k.step);
  return k.kind === "duration" ? isoSeconds(value) : value;
}

/** PT2M30S: whole seconds as FIS writes durations. */
export function isoSeconds(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s || total === 0 ? `${s}S` : ""}`;
}
