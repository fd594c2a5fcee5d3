/**
 * A `chaos run spot-interrupt` (the README's main job) inside the startup snapshot's builder
 * (scripts/snapshot/build.mjs), before the snapshot is taken. V8 keeps the bytecode of every
 * function compiled by then in the snapshot (not optimized code, not type feedback), so a process
 * started from it does not compile again, on first call, the functions a run executes: the
 * target's boot, the engine, the probes, the in-process SDK calls. Measured against the snapshot
 * without it, run for run (`COMPARE=… RUNS=7 node bench/whole-process.mjs spot-interrupt task-kill`):
 * spot-interrupt 1.09 s -> 0.94 s (0.86x wall and CPU), task-kill 0.91 s -> 0.79 s; the stack's
 * boot inside the process about 210 -> 120 ms.
 *
 * The run is the real command (runCommand), in a scratch directory that is removed after it, with
 * its output dropped and its signals from an emitter of its own: nothing of the process (stdout,
 * signal handlers, cwd) is touched, so nothing of it is in the snapshot. warmUp() then checks that
 * the run left nothing behind (a timer, a handle, a listener on the process) that a process started
 * from the snapshot would inherit; a run's results depend only on its seed (the e2e snapshot test
 * compares journals with `node main.js`'s).
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "./run-command.js";

const PROCESS_EVENTS = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "uncaughtException", "unhandledRejection", "warning"] as const;

/** Runs `experiment` (a catalog name) on the embedded sandbox; rejects with what went wrong or what the run left behind. */
export async function warmUp(experiment: string): Promise<void> {
  const listeners = PROCESS_EVENTS.map((e) => process.listenerCount(e));
  const resources = process.getActiveResourcesInfo();
  // The pid in the name tells this process's scratch from a concurrent build's.
  const dir = mkdtempSync(join(tmpdir(), `gameday-snapshot-warmup-${process.pid}-`));
  let output = "";
  const sink = { write: (t: string) => (output += t) };
  try {
    const code = await runCommand(experiment, { target: "sandbox", seed: "1", logFormat: "plain" }, { cwd: dir, stdout: sink, stderr: sink, env: {}, signals: new EventEmitter() });
    if (code !== 0) throw new Error(`chaos run ${experiment} exited ${code}:\n${output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Give closed handles the turn they take to go.
  await new Promise((r) => setImmediate(r));
  const added = PROCESS_EVENTS.filter((e, i) => process.listenerCount(e) !== listeners[i]);
  if (added.length > 0) throw new Error(`the warm-up run left listeners on the process: ${added.join(", ")}`);
  // Each resource there before the run takes one of its kind off the list: what remains is the run's.
  const left = process.getActiveResourcesInfo();
  for (const r of resources) {
    const i = left.indexOf(r);
    if (i >= 0) left.splice(i, 1);
  }
  if (left.length > 0) throw new Error(`the warm-up run left active resources: ${left.sort().join(", ")}`);
}
