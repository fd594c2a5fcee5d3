/**
 * End-to-end tests run the compiled CLI (dist/) as a user would; build it once before the suite so
 * they never test stale code (and gameday/testing's CommonJS type twins from its declarations). tsc emits even when a type error exists elsewhere; the typecheck step
 * of CI is what fails on those. Then the startup snapshot the `chaos` launcher starts from (bin/chaos,
 * scripts/snapshot/build.mjs), which the build skips when dist/ and the packages are unchanged.
 *
 * The suite's temporary files go into one directory, removed when the suite ends: many tests leave
 * theirs (a sandbox never closed keeps its shippers' spool directory, a run killed with SIGKILL
 * cannot clean up), and a CI machine would collect them run after run. TMPDIR is what os.tmpdir()
 * reads, in the test workers and in the CLI processes they start alike.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): () => void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
  const out = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  if (out.error) throw out.error;
  if (out.status !== 0 && !/error TS/.test(out.stdout)) throw new Error(`build failed: ${out.stdout}${out.stderr}`);
  // gameday/testing's CommonJS type twins, made from the declarations tsc just wrote (as npm run build does).
  const cts = spawnSync(process.execPath, [fileURLToPath(new URL("../scripts/testing-cts-types.mjs", import.meta.url)), "--quiet"], { cwd: root, encoding: "utf8" });
  if (cts.error) throw cts.error;
  if (cts.status !== 0) throw new Error(`gameday/testing's CommonJS types could not be written: ${cts.stdout}${cts.stderr}`);
  const snapshot = spawnSync(process.execPath, [fileURLToPath(new URL("../scripts/snapshot/build.mjs", import.meta.url))], { cwd: root, encoding: "utf8" });
  if (snapshot.error) throw snapshot.error;
  if (snapshot.status !== 0) throw new Error(`startup snapshot build failed: ${snapshot.stdout}${snapshot.stderr}`);
  const scratch = mkdtempSync(join(tmpdir(), "gameday-tests-"));
  process.env.TMPDIR = scratch;
  return () => rmSync(scratch, { recursive: true, force: true });
}
