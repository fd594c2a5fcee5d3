/**
 * The per-run scratch disk of the sandbox's log shippers (sandbox-logs.ts): a directory in the
 * system's temp directory, removed when the run closes its sandbox. A run killed with SIGKILL (or by
 * the OOM killer) cannot remove its own, and its spools mean nothing once the process and the
 * sandbox's stream are gone, so each new one removes those whose run is dead. A directory names
 * its run in an `owner` file (pid, host and start, as a run's lock does, so that a reused pid or a
 * zombie is told from a live run); one without (an older release's) is left alone.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { liveness, thisProcess, type ProcessIdentity } from "../engine/ledger.js";

const PREFIX = "gameday-spools-";
const OWNER = "owner";

/** A new scratch directory owned by this process, after removing those of runs that died. */
export function makeSpoolRoot(parent = tmpdir()): string {
  sweepDeadSpoolRoots(parent);
  const root = mkdtempSync(join(parent, PREFIX));
  writeFileSync(join(root, OWNER), `${JSON.stringify(thisProcess())}\n`);
  return root;
}

/** Removes the scratch directories under `parent` whose owning process is dead; returns their names. */
export function sweepDeadSpoolRoots(parent: string, state: (owner: ProcessIdentity) => ReturnType<typeof liveness> = liveness): string[] {
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    let owner: ProcessIdentity;
    try {
      owner = JSON.parse(readFileSync(join(parent, name, OWNER), "utf8")) as ProcessIdentity;
    } catch {
      continue; // no owner file, or not one we wrote: not ours to judge
    }
    // "unknown" (another host's run, a pid that is not one) is left alone, as `chaos recover` does.
    if (typeof owner !== "object" || owner === null || state(owner) !== "dead") continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
