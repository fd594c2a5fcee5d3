/**
 * Emergency stop: every FIS experiment gameday started (tagged gameday:run) that is still going,
 * found with ListExperiments (whose summaries carry the tags) and stopped with StopExperiment. It
 * needs nothing from the machine that started them: the tags are on the experiments in the account.
 */
import { DeleteExperimentTemplateCommand, GetExperimentCommand, ListExperimentTemplatesCommand, ListExperimentsCommand, StopExperimentCommand, type FisClient } from "./sdk/fis.js";
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

/** Stops the going experiments tagged gameday:run (only `runId`'s when given; none of the runs `keep` says to keep). */
export async function stopTaggedExperiments(fis: FisClient, o: { runId?: string; keep?: (runId: string) => boolean } = {}): Promise<StoppedExperiment[]> {
  const out: StoppedExperiment[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new ListExperimentsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    for (const e of page.experiments ?? []) {
      const runId = e.tags?.[RUN_TAG];
      const status = e.state?.status ?? "unknown";
      if (!e.id || runId === undefined || !GOING.has(status)) continue;
      if (o.runId !== undefined && runId !== o.runId) continue;
      if (o.keep?.(runId)) continue;
      const step = e.tags?.["gameday:step"];
      try {
        await fis.send(new StopExperimentCommand({ id: e.id }));
        out.push({ id: e.id, runId, ...(step ? { step } : {}), was: status, ok: true });
      } catch (err) {
        // FIS refuses to stop an experiment that is no longer going. Stopping or stopped, it is what
        // was asked (a timed-out attempt of ours that went through, a retry refused, or another
        // stop first), and is reported as stopped; ended on its own, nothing was left to stop.
        const now = await stateNow(fis, e.id);
        if (now === "stopping" || now === "stopped") out.push({ id: e.id, runId, ...(step ? { step } : {}), was: status, ok: true });
        else if (now === undefined || GOING.has(now)) out.push({ id: e.id, runId, ...(step ? { step } : {}), was: status, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** The experiment's state now, or undefined when FIS cannot say (the stop's error then stands). */
async function stateNow(fis: FisClient, id: string): Promise<string | undefined> {
  try {
    return (await fis.send(new GetExperimentCommand({ id }))).experiment?.state?.status;
  } catch {
    return undefined;
  }
}

export interface DeletedTemplate {
  id: string;
  runId: string;
  ok: boolean;
  error?: string;
}

/** Deletes the experiment templates tagged gameday:run, except those of the runs `keep` says to keep. */
export async function deleteTaggedTemplates(fis: FisClient, keep: (runId: string) => boolean): Promise<DeletedTemplate[]> {
  const found: { id: string; runId: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new ListExperimentTemplatesCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    for (const t of page.experimentTemplates ?? []) {
      const runId = t.tags?.[RUN_TAG];
      if (t.id && runId !== undefined && !keep(runId)) found.push({ id: t.id, runId });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  // Listed first, deleted after: deleting while paging could shift the pages.
  const out: DeletedTemplate[] = [];
  for (const t of found) {
    try {
      await fis.send(new DeleteExperimentTemplateCommand({ id: t.id }));
      out.push({ ...t, ok: true });
    } catch (err) {
      if ((err as { name?: string }).name === "ResourceNotFoundException") continue;
      out.push({ ...t, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
