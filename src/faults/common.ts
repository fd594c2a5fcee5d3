/**
 * Pieces several faults share: FIS duration and selection grammar, and reading an action's state.
 */
import { z } from "zod";
import { parseDuration, readDuration } from "../experiment/duration.js";
import { GetExperimentCommand } from "@aws-sdk/client-fis";
import type { RunServices } from "../engine/ports.js";

/**
 * An ISO 8601 duration as FIS takes it (PT2M, PT1H30M): kept as the string FIS gets, checked with
 * the experiment loader's parser (the short forms like "2m" it also reads are not FIS's). `range`
 * adds FIS's limits for the parameter, checked here on the field so that a value that is no
 * duration at all never reaches a range check (which would have nothing to compare).
 */
export function isoDuration(range?: { minMs?: number; maxMs?: number; expected: string; tooLong?: string }) {
  // The type in words for `chaos describe` and `chaos schema` (JSON Schema can only say "string").
  const limits = range?.minMs !== undefined && range.maxMs !== undefined ? `, ${isoText(range.minMs)} to ${isoText(range.maxMs)}` : range?.maxMs !== undefined ? `, at most ${isoText(range.maxMs)}` : range?.minMs !== undefined ? `, at least ${isoText(range.minMs)}` : "";
  const typed = z.string().meta({ gamedayType: `ISO 8601 duration (PT2M)${limits}` });
  const schema = typed.superRefine((text, ctx) => {
    const reading = text.startsWith("P") ? readDuration(text) : { problem: "not an ISO 8601 duration (FIS takes PT2M, not 2m)" };
    if (!("ms" in reading)) {
      const expected = range?.expected ?? ISO_EXPECTED;
      ctx.addIssue({ code: "custom", message: expected, params: { expected, found: `${JSON.stringify(text)}: ${reading.problem}` } });
      return;
    }
    if (!range) return;
    const tooShort = range.minMs !== undefined && reading.ms < range.minMs;
    const tooLong = range.maxMs !== undefined && reading.ms > range.maxMs;
    if (tooShort || tooLong) {
      const expected = (tooLong && range.tooLong) || range.expected;
      ctx.addIssue({ code: "custom", message: expected, params: { expected, found: JSON.stringify(text) } });
    }
  });
  if (range) durationRanges.set(schema, { ...(range.minMs !== undefined ? { minMs: range.minMs } : {}), ...(range.maxMs !== undefined ? { maxMs: range.maxMs } : {}) });
  return schema;
}

/**
 * The limits of each isoDuration schema as numbers, for `chaos explore`, which searches within
 * them. Kept beside the schema rather than in its metadata, which becomes JSON Schema keywords.
 */
export const durationRanges = new WeakMap<z.ZodType, { minMs?: number; maxMs?: number }>();

const ISO_EXPECTED = "an ISO 8601 duration such as PT2M";

/** Whole minutes or hours as FIS writes them: PT15M, PT12H. */
function isoText(ms: number): string {
  return ms % 3_600_000 === 0 ? `PT${ms / 3_600_000}H` : ms % 60_000 === 0 ? `PT${ms / 60_000}M` : `PT${ms / 1000}S`;
}

/** Milliseconds of a duration isoDuration accepted; only for values that passed it. */
export function isoToMs(iso: string): number {
  const ms = parseDuration(iso);
  // Parameters are validated before any fault code runs; reaching this is a gameday bug.
  if (ms === undefined) throw new Error(`internal: ${JSON.stringify(iso)} was not validated as an ISO 8601 duration`);
  return ms;
}

const SELECTION = /^(?:ALL|COUNT\((\d+)\)|PERCENT\((\d+)\))$/;

/** What a selectionMode should have been, or undefined when it is one FIS can act on. */
function selectionProblem(text: string): string | undefined {
  const m = SELECTION.exec(text);
  if (!m) return "ALL, COUNT(n) or PERCENT(n)";
  const [, count, percent] = m;
  if (count !== undefined && !(Number(count) >= 1 && Number.isSafeInteger(Number(count)))) return `COUNT(n) with n from 1 to ${Number.MAX_SAFE_INTEGER}`;
  if (percent !== undefined && !(Number(percent) >= 1 && Number(percent) <= 100)) return "PERCENT(n) with n from 1 to 100";
  return undefined;
}

/**
 * FIS's selectionMode grammar, with numbers that select something: COUNT(n) of at least one
 * resource (and a count a number can hold exactly), PERCENT(n) from 1 to 100.
 */
export const selectionModeText = z.string().meta({ gamedayType: "ALL, COUNT(n) or PERCENT(n)" }).superRefine((text, ctx) => {
  const expected = selectionProblem(text);
  if (expected !== undefined) ctx.addIssue({ code: "custom", message: expected, params: { expected, found: JSON.stringify(text) } });
});

/** selectionMode, COUNT(1) when not given. */
export const selectionMode = selectionModeText.default("COUNT(1)");

/** FIS limits an action and an experiment to 12 hours. */
export const FIS_MAX_MS = 12 * 3_600_000;

/** Polls the experiment until the named action has left pending/initiating; returns its status. */
export async function actionStatus(services: RunServices, experimentId: string, action: string, signal: AbortSignal): Promise<{ status: string; reason?: string }> {
  const fis = await services.aws.fis();
  for (;;) {
    const got = await fis.send(new GetExperimentCommand({ id: experimentId }), { abortSignal: signal as never });
    const state = got.experiment?.actions?.[action]?.state;
    const status = state?.status ?? "unknown";
    if (!["pending", "initiating", "unknown"].includes(status)) return state?.reason ? { status, reason: state.reason } : { status };
    await services.clock.sleep(1_000, signal);
  }
}

/** The id at the end of an ARN: ".../i-0abc" -> "i-0abc". */
export function arnId(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/**
 * How many of `n` resources a selectionMode hits: ALL all of them, COUNT(k) k (at most n),
 * PERCENT(p) p% rounded down, as the sandbox's FIS rounds (selection-words.ts).
 */
export function selectedCount(select: string, n: number): number {
  const m = SELECTION.exec(select);
  if (!m || select === "ALL") return n;
  if (m[1] !== undefined) return Math.min(Number(m[1]), n);
  return Math.floor((n * Number(m[2])) / 100);
}
