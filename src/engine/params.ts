/**
 * zod helpers for probe and fault parameters, so every module reads durations the same way.
 */
import { z } from "zod";
import { readDuration } from "../experiment/duration.js";

const EXPECTED = "an ISO 8601 duration (PT2M) or 30s/300ms";

function toMs(text: string, ctx: z.core.$RefinementCtx<string>): number {
  const reading = readDuration(text);
  if ("problem" in reading) {
    ctx.addIssue({ code: "custom", message: EXPECTED, params: { expected: EXPECTED, found: `${JSON.stringify(text)}: ${reading.problem}` } });
    return z.NEVER;
  }
  return reading.ms;
}

/** A duration as people write it (PT2M, 30s, 300ms), read as milliseconds. */
export function duration(defaultValue?: string) {
  const text = z.string().meta({ gamedayType: "duration (PT2M, 30s, 300ms)" });
  return defaultValue === undefined ? text.transform(toMs) : text.default(defaultValue).transform(toMs);
}
