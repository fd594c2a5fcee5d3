/**
 * Pieces several faults share: FIS duration and selection grammar, and reading an action's state.
 */
import { z } from "zod";
import { parseDuration } from "../experiment/duration.js";
import { GetExperimentCommand } from "@aws-sdk/client-fis";
import type { RunServices } from "../engine/ports.js";

/**
 * An ISO 8601 duration as FIS takes it (PT2M, PT1H30M): kept as the string FIS gets, checked with
 * the experiment loader's parser (the short forms like "2m" it also reads are not FIS's).
 */
export const isoDuration = z.string().refine((s) => s.startsWith("P") && parseDuration(s) !== undefined, "an ISO 8601 duration such as PT2M");

/** Milliseconds of a duration isoDuration accepted. */
export function isoToMs(iso: string): number {
  const ms = parseDuration(iso);
  if (ms === undefined) throw new Error(`not an ISO 8601 duration: ${iso}`);
  return ms;
}

/** FIS's selectionMode grammar. */
export const selectionModeText = z.string().regex(/^(ALL|COUNT\(\d+\)|PERCENT\(\d+\))$/, "ALL, COUNT(n) or PERCENT(n)");

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
