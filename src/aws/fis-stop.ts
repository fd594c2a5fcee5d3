/**
 * Emergency stop: every FIS experiment gameday started (tagged gameday:run) that is still going,
 * found with ListExperiments (whose summaries carry the tags) and stopped with StopExperiment. It
 * needs nothing from the machine that started them: the tags are on the experiments in the account.
 */
import { GetExperimentCommand, ListExperimentsCommand, StopExperimentCommand, type FisClient } from "@aws-sdk/client-fis";
import { RUN_TAG } from "../iam/permission.js";

/** States in which an experiment may still act on the target. */
const GOING = new Set(["pending", "initiating", "running"]);

export interface StoppedExperiment {
  id: string;
  runId: string;
  step?: string;
  /** The state it was in, or the error StopExperiment gave. */
  was: string;
  ok: boolean;
  error?: string;
}

/** Stops the going experiments tagged gameday:run (only `runId`'s when given). */
export async function stopTaggedExperiments(fis: FisClient, o: { runId?: string } = {}): Promise<StoppedExperiment[]> {
  const out: StoppedExperiment[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new ListExperimentsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    for (const e of page.experiments ?? []) {
      const runId = e.tags?.[RUN_TAG];
      const status = e.state?.status ?? "unknown";
      if (!e.id || runId === undefined || !GOING.has(status)) continue;
      if (o.runId !== undefined && runId !== o.runId) continue;
      const step = e.tags?.["gameday:step"];
      try {
        await fis.send(new StopExperimentCommand({ id: e.id }));
        out.push({ id: e.id, runId, ...(step ? { step } : {}), was: status, ok: true });
      } catch (err) {
        // Ended between the listing and the stop: nothing left to stop.
        if (await ended(fis, e.id)) continue;
        out.push({ id: e.id, runId, ...(step ? { step } : {}), was: status, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

async function ended(fis: FisClient, id: string): Promise<boolean> {
  try {
    return !GOING.has((await fis.send(new GetExperimentCommand({ id }))).experiment?.state?.status ?? "unknown");
  } catch {
    return false;
  }
}
