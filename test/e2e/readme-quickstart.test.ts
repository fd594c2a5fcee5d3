/**
 * The README's quick start, run as written: its first command (after `npm ci`, which set up this
 * test's own node_modules) in a directory laid out as the checkout is, through the launcher. It
 * must run the spot-interruption experiment on the embedded sandbox and hold. The quick start runs
 * `./bin/chaos`, not `npx chaos`: in a checkout, npm 11 installs the checkout into its cache to run
 * its command, rebuilding it (tens of seconds).
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { REPO, scratch } from "./cli.js";

const readme = readFileSync(join(REPO, "README.md"), "utf8");

/** The command lines of the first sh block under "## Quick start", comments dropped. */
function quickStart(): string[] {
  const section = readme.slice(readme.indexOf("## Quick start"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
}

describe("the README's quick start", () => {
  it("is two commands: install and run spot-interrupt on the embedded sandbox, then the tests", () => {
    expect(quickStart()).toEqual(["npm ci && ./bin/chaos run spot-interrupt", "npm test"]);
  });

  it("runs spot-interrupt as written, in a checkout, and the steady state holds", () => {
    const checkout = scratch();
    symlinkSync(join(REPO, "bin"), join(checkout, "bin"));
    const command = quickStart()[0]!.replace(/^npm ci && /, "");
    const r = spawnSync("sh", ["-c", command], { cwd: checkout, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^run spot-interrupt-[0-9a-f]{8} {2}seed \d+ {2}target sandbox {2}clock virtual$/m);
    expect(r.stdout).toMatch(/^verdict: held \(exit 0\)/m);
    expect(r.stdout).toMatch(/^journal: \.gameday\/runs\/spot-interrupt-[0-9a-f]{8}\/journal\.json/m);
  });
});
