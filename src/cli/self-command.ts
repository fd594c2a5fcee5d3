/**
 * How this CLI starts itself again as a child process (`chaos gameday`, `schedule run-due`, `gate`
 * and the game day's `chaos` pre-checks). Started from the V8 startup snapshot (bin/chaos), the
 * children are started through the same launcher, so that each skips loading the modules as the
 * parent did (about 0.4 s a run here); the launcher still decides, with its checks of the blob's
 * stamp, whether the snapshot may be used. Started as `node dist/src/cli/main.js`, they are too.
 */
import { dirname, join, resolve } from "node:path";

/** The blob this process started from: `--snapshot-blob <file>` (or `=file`) among Node's own options. */
export function blobPathOf(execArgv: readonly string[]): string | undefined {
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a === "--snapshot-blob") return execArgv[i + 1];
    if (a.startsWith("--snapshot-blob=")) return a.slice("--snapshot-blob=".length);
  }
  return undefined;
}

/**
 * The command line, before chaos's own arguments, that starts this CLI: bin/chaos of the checkout
 * whose snapshot (dist/snapshot/chaos.blob) this process started from, else node with the entry
 * script this process runs (`cli`, process.argv[1]).
 */
export function selfCommand(cli: string, execArgv: readonly string[] = process.execArgv, execPath = process.execPath): string[] {
  const blob = blobPathOf(execArgv);
  if (blob !== undefined) return [join(dirname(dirname(dirname(resolve(blob)))), "bin", "chaos")];
  return [execPath, cli];
}
