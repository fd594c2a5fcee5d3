/**
 * `chaos recover --orphans --target ...`: what gameday left in the account for runs that have no
 * ledger in this directory (killed on a machine that is gone, or before the ledger reached the
 * disk): FIS experiments still going and experiment templates, found by their gameday:run tag.
 * Opt-in, because a run going on another machine has no ledger here either: its faults would be
 * stopped under it.
 */
import { existsSync, readdirSync } from "node:fs";
import { deleteTaggedTemplates, stopTaggedExperiments } from "../aws/fis-stop.js";
import { runsDir } from "../engine/ledger.js";
import type { AwsClients } from "../aws/clients.js";
import { accountClients } from "./account-connection.js";
import { targetError } from "./errors.js";

/**
 * The account --orphans looks in; an error (nothing done) when --target or --region is missing or
 * wrong, or names another region than the one a served sandbox serves.
 */
export function orphansAccount(flags: { target?: string; region?: string; profile?: string }): Promise<AwsClients> {
  return accountClients("recover --orphans", flags);
}

export async function recoverOrphans(aws: AwsClients, cwd: string): Promise<number> {
  const root = runsDir(cwd);
  const known = new Set(existsSync(root) ? readdirSync(root) : []);
  const keep = (runId: string) => known.has(runId);
  let failures = 0;
  try {
    const fis = await aws.fis();
    // Experiments first: a template cannot go while an experiment of it still runs.
    const stopped = await stopTaggedExperiments(fis, { keep });
    const deleted = await deleteTaggedTemplates(fis, keep);
    if (stopped.length === 0 && deleted.length === 0) process.stdout.write(`no FIS experiment or template tagged gameday:run of a run without a ledger here\n`);
    for (const s of stopped) {
      process.stdout.write(s.ok ? `  ↺ stopped FIS experiment ${s.id} of run ${s.runId} (no ledger here)\n` : `  ✗ could not stop FIS experiment ${s.id} of run ${s.runId}: ${s.error}\n`);
      if (!s.ok) failures++;
    }
    for (const d of deleted) {
      process.stdout.write(d.ok ? `  ↺ deleted FIS experiment template ${d.id} of run ${d.runId} (no ledger here)\n` : `  ✗ could not delete FIS experiment template ${d.id} of run ${d.runId}: ${d.error}\n`);
      if (!d.ok) failures++;
    }
  } catch (err) {
    throw targetError(`recover --orphans: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await aws.destroy();
  }
  return failures > 0 ? 4 : 0;
}
