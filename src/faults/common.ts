/**
 * Pieces several faults share: FIS duration and selection grammar, and reading an action's state.
 */
import { z } from "zod";
import { GetExperimentCommand } from "@aws-sdk/client-fis";
import type { RunServices } from "../engine/ports.js";

/** ISO 8601 duration as FIS takes it (PT2M, PT1H30M); converted to ms for our own waits. */
export const isoDuration = z
  .string()
  .regex(/^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/, "an ISO 8601 duration such as PT2M")
  .refine((s) => s !== "P" && s !== "PT", "an ISO 8601 duration such as PT2M");

export function isoToMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso);
  if (!m) throw new Error(`not an ISO 8601 duration: ${iso}`);
  const [, d, h, min, sec] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(sec ?? 0) * 1000;
}

/** FIS's selectionMode grammar. */
export const selectionMode = z
  .string()
  .regex(/^(ALL|COUNT\(\d+\)|PERCENT\(\d+\))$/, "ALL, COUNT(n) or PERCENT(n)")
  .default("COUNT(1)");

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
