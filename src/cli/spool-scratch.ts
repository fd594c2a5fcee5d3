/**
 * The per-run scratch disk of the sandbox's log shippers (sandbox-logs.ts): a directory in the
 * system's temp directory, removed when the run closes its sandbox. A run killed with SIGKILL (or by
 * the OOM killer) cannot remove its own, and its spools mean nothing once the process and the
 * sandbox's stream are gone, so each new one removes those whose run is no longer alive. A
 * directory names its run by pid in an `owner` file; one without (an older release's) is left alone.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "gameday-spools-";
const OWNER = "owner";

/** A new scratch directory owned by this process, after removing those of runs that died. */
export function makeSpoolRoot(parent = tmpdir()): string {
  sweepDeadSpoolRoots(parent);
  const root = mkdtempSync(join(parent, PREFIX));
  writeFileSync(join(root, OWNER), `${process.pid}\n`);
  return root;
}

/** Removes the scratch directories under `parent` whose owning process is gone; returns their names. */
export function sweepDeadSpoolRoots(parent: string, alive: (pid: number) => boolean = processAlive): string[] {
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    let pid: number;
    try {
      pid = Number(readFileSync(join(parent, name, OWNER), "utf8").trim());
    } catch {
      continue; // no owner file: not ours to judge
    }
    if (!Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Signal 0 checks that a process exists; EPERM means it exists under another user. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
