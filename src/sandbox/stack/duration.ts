/**
 * Durations in stack files: ISO 8601 as FIS writes them ("PT5S", "PT2M30S"), parsed by the FIS
 * emulation's durationMs (iso8601-duration underneath), or a short form for latencies ("25ms",
 * "1.5s", "2m", "1h"), which ISO 8601 makes awkward ("PT0.025S"); that form is one regex.
 */
import { z } from "zod";
import { expecting } from "../../experiment/schema-kit.js";
import { durationMs } from "../../fis/duration.js";

const SHORT = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const SHORT_UNIT: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not a duration in either form. */
export function parseDuration(text: string): number | undefined {
  if (text.startsWith("P")) return durationMs(text);
  const short = SHORT.exec(text);
  if (short) return Number(short[1]) * SHORT_UNIT[short[2]!]!;
  return undefined;
}

/** A zod type for a duration field: accepts either form, yields milliseconds. */
export const duration = z.string(expecting('a duration such as "PT30S", "PT2M" or "250ms"')).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a duration such as "PT30S", "PT2M" or "250ms", found "${text}"` });
    return z.NEVER;
  }
  return ms;
});
