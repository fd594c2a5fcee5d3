/**
 * ISO 8601 durations as FIS action parameters take them ("PT2M", "PT12H"). Parsing is
 * iso8601-duration's; this module adds what FIS needs on top: a length in milliseconds and a
 * parameter spec that checks a value lies within an action's documented range.
 */
import { parse } from "iso8601-duration";
import type { FisParameterSpec } from "./descriptions.js";

const SECOND = 1000;
const UNIT_MS = { weeks: 604_800 * SECOND, days: 86_400 * SECOND, hours: 3_600 * SECOND, minutes: 60 * SECOND, seconds: SECOND } as const;

/**
 * The duration in milliseconds, or undefined when `value` is not an ISO 8601 duration. Years and
 * months are refused: their length depends on a calendar date, and no FIS range reaches them.
 */
export function durationMs(value: string): number | undefined {
  if (!/^P\S+$/.test(value)) return undefined;
  let parts;
  try {
    parts = parse(value);
  } catch {
    return undefined;
  }
  if (parts.years || parts.months) return undefined;
  let ms = 0;
  for (const [unit, size] of Object.entries(UNIT_MS)) ms += (parts[unit as keyof typeof UNIT_MS] ?? 0) * size;
  return ms;
}

export interface DurationParameterOptions {
  /** Inclusive bounds, as ISO 8601 durations: "PT1M", "PT12H". */
  min: string;
  max: string;
  required: boolean;
  description: string;
}

/** A FisParameterSpec for a duration within [min, max], e.g. aws:fis:wait's PT1M..PT12H. */
export function durationParameter(options: DurationParameterOptions): FisParameterSpec {
  const min = durationMs(options.min);
  const max = durationMs(options.max);
  if (min === undefined || max === undefined || min > max) {
    throw new RangeError(`duration bounds must be ISO 8601 durations with min <= max, got ${options.min}..${options.max}`);
  }
  const expected = `an ISO 8601 duration from ${options.min} to ${options.max}`;
  return {
    required: options.required,
    description: options.description,
    check(value: string): string | undefined {
      const ms = durationMs(value);
      if (ms === undefined) return `expected ${expected} (for example ${options.min}), found "${value}"`;
      if (ms < min || ms > max) return `expected ${expected}, found "${value}"`;
      return undefined;
    },
  };
}
