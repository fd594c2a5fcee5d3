/**
 * The main of a process started from the CLI's startup snapshot (built by scripts/snapshot/build.mjs
 * from a bundle whose entry imports this file, started by bin/chaos). Building the snapshot loads
 * the CLI and what a run uses; everything that belongs to one process (argv, env, cwd, the clock,
 * TTYs, V8 flags) is read here, when a process starts from it, by the same runCli a plain
 * `node dist/src/cli/main.js` runs.
 */
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { startupSnapshot } from "node:v8";
import { runCli } from "./main.js";
import { blobPathOf } from "./self-command.js";

/** Where the bundle's modules take their import.meta.url from (scripts/snapshot/build.mjs). */
const DIST_ROOT = Symbol.for("gameday.snapshot.distRoot");

/**
 * The argv runCli and the commands expect, from a snapshot process's: Node gives it as
 * [node, ...arguments], with no script; the script is main.js, which commands that start the CLI
 * again (gameday, schedule run-due) run.
 */
export function cliArgv(argv: readonly string[], distDir: string): string[] {
  return [argv[0]!, join(distDir, "src", "cli", "main.js"), ...argv.slice(1)];
}

/** Registers the snapshot's main: the dist directory is the blob's parent's parent (dist/snapshot/chaos.blob). */
export function setSnapshotMain(): void {
  startupSnapshot.setDeserializeMainFunction(() => {
    const blob = blobPathOf(process.execArgv);
    if (blob === undefined) throw new Error("started from a snapshot without --snapshot-blob");
    const distDir = dirname(dirname(resolve(blob)));
    (globalThis as Record<symbol, unknown>)[DIST_ROOT] = pathToFileURL(`${distDir}/`).href;
    process.argv = cliArgv(process.argv, distDir);
    void runCli(process.argv);
  });
}
