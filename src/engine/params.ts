/**
 * zod helpers for probe and fault parameters, so every module reads durations the same way.
 */
import { z } from "zod";
import { parseDuration } from "../experiment/duration.js";

function toMs(text: string, ctx: z.core.$RefinementCtx<string>): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    // The error report adds what was found; the message says only what was expected.
    ctx.addIssue({ code: "custom", message: "an ISO 8601 duration (PT2M) or 30s/300ms", params: { expected: "an ISO 8601 duration (PT2M) or 30s/300ms" } });
    return z.NEVER;
  }
  return ms;
}

/** A duration as people write it (PT2M, 30s, 300ms), read as milliseconds. */
export function duration(defaultValue?: string) {
  const text = z.string().meta({ gamedayType: "duration (PT2M, 30s, 300ms)" });
  return defaultValue === undefined ? text.transform(toMs) : text.default(defaultValue).transform(toMs);
}
