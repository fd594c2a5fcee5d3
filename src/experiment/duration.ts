/**
 * Durations as experiment files write them, normalised to milliseconds.
 *
 * Two spellings are accepted:
 * - ISO 8601 (`PT2M`, `PT0.5S`, `P1DT2H`, `P2W`), the language of FIS parameters. Years and months
 *   are rejected: they have no fixed length, so "P1M" could mean 28 to 31 days (or, to a reader
 *   who meant minutes, one minute).
 * - Short forms people type (`300ms`, `5s`, `2m`, `1h`, `1d`, and runs such as `1m30s`).
 *
 * A bare number is never a duration here: it is ambiguous between seconds and milliseconds.
 * Chaos Toolkit's numeric fields (pauses, timeouts) are seconds, and the schema converts those.
 */
import { parse as parseIso, pattern as isoPattern } from "iso8601-duration";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const SHORT_UNITS: Readonly<Record<string, number>> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };
// Largest unit first: a short-form run must name each unit at most once, in this order.
const SHORT_ORDER = ["d", "h", "m", "s", "ms"];

// The library's pattern is unanchored ("xPT2Mx" would match), so anchor it here.
const ISO_ANCHORED = new RegExp(`^(?:${isoPattern.source})$`);
const SHORT_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Why a text is not a duration, or its length in milliseconds. */
export type DurationReading = { ms: number } | { problem: string };

/** Rounds away binary noise (0.3 * 1000 = 300.00000000000006) while keeping microseconds. */
function tidy(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function bounded(ms: number): DurationReading {
  return ms <= Number.MAX_SAFE_INTEGER ? { ms: tidy(ms) } : { problem: "longer than any timer can wait" };
}

function readIso(text: string): DurationReading {
  const upper = text.toUpperCase();
  if (!ISO_ANCHORED.test(upper)) return { problem: "not an ISO 8601 duration" };
  let parts;
  try {
    parts = parseIso(upper);
  } catch (err) {
    return { problem: err instanceof Error ? err.message : "not an ISO 8601 duration" };
  }
  if (upper.endsWith("T")) return { problem: "a `T` with no hours, minutes or seconds after it" };
  if (parts.years || parts.months) {
    return { problem: "years and months have no fixed length; write days (P30D) or weeks (P4W) instead" };
  }
  const ms =
    (parts.weeks ?? 0) * WEEK +
    (parts.days ?? 0) * DAY +
    (parts.hours ?? 0) * HOUR +
    (parts.minutes ?? 0) * MINUTE +
    (parts.seconds ?? 0) * SECOND;
  return bounded(ms);
}

function readShort(text: string): DurationReading | undefined {
  SHORT_PART.lastIndex = 0;
  let total = 0;
  let lastRank = -1;
  let matched = false;
  while (SHORT_PART.lastIndex < text.length) {
    const m = SHORT_PART.exec(text);
    if (!m) return matched ? { problem: "units must follow each other without gaps, as in 1m30s" } : undefined;
    const [, amount, unit] = m as unknown as [string, string, string];
    const rank = SHORT_ORDER.indexOf(unit);
    if (rank <= lastRank) return { problem: "units must go from largest to smallest, each once, as in 1h30m" };
    lastRank = rank;
    matched = true;
    total += Number(amount) * (SHORT_UNITS[unit] ?? Number.NaN);
  }
  if (!matched) return undefined;
  return bounded(total);
}

/** Reads a duration and says what is wrong when it is not one. */
export function readDuration(text: string): DurationReading {
  const trimmed = text.trim();
  if (trimmed === "") return { problem: "an empty string" };
  if (/^[+-]?\d+(\.\d+)?$/.test(trimmed)) {
    return { problem: "a number without a unit (write 5s, 300ms or PT5S)" };
  }
  if (/^[pP]/.test(trimmed)) return readIso(trimmed);
  return readShort(trimmed) ?? { problem: "not a duration" };
}

/** Milliseconds for an ISO 8601 or short-form duration; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const reading = readDuration(text);
  return "ms" in reading ? reading.ms : undefined;
}

/**
 * A compact form that `parseDuration` reads back to the same number: "300ms", "1.5s", "2m",
 * "1h30m", "1d2h". Used in messages and journals.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return "0s";
  if (ms < SECOND) return `${tidy(ms)}ms`;
  let rest = ms;
  let out = "";
  for (const [unit, size] of [["d", DAY], ["h", HOUR], ["m", MINUTE]] as const) {
    const whole = Math.floor(rest / size);
    if (whole > 0) {
      out += `${whole}${unit}`;
      rest -= whole * size;
    }
  }
  rest = tidy(rest);
  // Six decimals of a second keep the microseconds that `tidy` keeps.
  if (rest > 0 || out === "") out += `${Number((rest / SECOND).toFixed(6))}s`;
  return out;
}
