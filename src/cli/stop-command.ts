/**
 * `chaos stop [run-id] [--all] --target aws|URL`: the emergency stop. First every FIS experiment
 * gameday started that is still going (tagged gameday:run; one run's, or --all), from any machine
 * that can reach the account; then the ledger undo of the runs recorded on this machine, as
 * `chaos recover` does it (runs whose process still lives are left to roll back themselves).
 * No allow-list check: stopping gameday's own experiments can only take a fault away.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runsDir } from "../engine/ledger.js";
import { stopTaggedExperiments } from "../aws/fis-stop.js";
import { accountClients } from "./account-connection.js";
import { recoverCommand } from "./recover-command.js";
import { targetError, usage } from "./errors.js";
import { checkReachable } from "./target.js";
import { endpointOf } from "../aws/target-form.js";
import { ScaledClock } from "../time/clock.js";

export interface StopFlags {
  all?: boolean;
  target?: string;
  region?: string;
  profile?: string;
}

export async function stopCommand(runId: string | undefined, flags: StopFlags): Promise<number> {
  if (runId === undefined && !flags.all) throw usage("stop: name a run id, or pass --all to stop every running FIS experiment gameday started");
  if (runId !== undefined && flags.all) throw usage("stop: either a run id or --all, not both");
  if (runId !== undefined && (!/^[A-Za-z0-9._-]+$/.test(runId) || runId === "." || runId === "..")) throw usage(`stop: expected a run id such as spot-interrupt-0000002a, found ${JSON.stringify(runId)}`);
  const aws = await accountClients("stop", flags);
  let stopped;
  try {
    stopped = await stopTaggedExperiments(await aws.fis(), runId === undefined ? {} : { runId });
  } catch (err) {
    // An endpoint that cannot be reached says so (the SDK's own word is often "UnknownError").
    const url = flags.target !== undefined ? endpointOf(flags.target) : undefined;
    if (url) await checkReachable(url, new ScaledClock()).catch((unreachable: unknown) => {
      throw targetError(`stop: could not list FIS experiments: ${unreachable instanceof Error ? unreachable.message : String(unreachable)}`);
    });
    throw targetError(`stop: could not list FIS experiments: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await aws.destroy();
  }
  if (stopped.length === 0) process.stdout.write(`no running FIS experiment tagged gameday:run${runId ? `=${runId}` : ""}\n`);
  for (const s of stopped) {
    const what = `FIS experiment ${s.id} (run ${s.runId}${s.step ? `, step ${s.step}` : ""}, was ${s.was})`;
    process.stdout.write(s.ok ? `stopped ${what}\n` : `✗ could not stop ${what}: ${s.error}\n`);
  }
  const failed = stopped.filter((s) => !s.ok).length;
  // Then what the ledgers here say beyond the experiments (a drain's instances, alarms, templates).
  if (runId !== undefined && !existsSync(join(runsDir(process.cwd()), runId, "ledger.jsonl"))) {
    // Nothing in the account and nothing here: most likely a mistyped id, which must not pass for a stop.
    if (stopped.length === 0) throw usage(`stop: no such run: no FIS experiment tagged gameday:run=${runId} is going, and no ledger of it is here (${runsDir(process.cwd())})`);
    process.stdout.write(`no ledger of run ${runId} here (${runsDir(process.cwd())}); recover it where it ran for what FIS does not revert\n`);
    return failed > 0 ? 4 : 0;
  }
  const recovered = await recoverCommand(runId, {});
  return failed > 0 ? 4 : recovered;
}
