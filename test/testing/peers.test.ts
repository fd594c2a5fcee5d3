import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { importPeers, loadPeers, PEER_RANGES, type PeerName } from "../../src/testing/peers.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const NODE_MODULES = join(REPO, "node_modules");

/** What import() and require() throw for a package that is not installed. */
const notImported = (what: string) => Object.assign(new Error(`Cannot find package '${what}' imported from /app/node_modules/gameday/dist/src/testing/index.js`), { code: "ERR_MODULE_NOT_FOUND" });
const notRequired = (what: string) => Object.assign(new Error(`Cannot find module '${what}'\nRequire stack:\n- /app/node_modules/gameday/dist/src/testing/require.js`), { code: "MODULE_NOT_FOUND" });

/** What loadPeers or importPeers throws, or returns, when `fails` says how a peer fails to load. */
async function outcomes(fails: (name: PeerName) => unknown): Promise<unknown[]> {
  const load = (name: PeerName) => {
    const error = fails(name);
    if (error !== undefined) throw error;
    return { name };
  };
  const sync = (() => {
    try {
      return loadPeers(load);
    } catch (err) {
      return err;
    }
  })();
  const async = await importPeers(async (name) => load(name)).catch((err: unknown) => err);
  return [sync, async];
}

describe("gameday/testing's peer dependencies", () => {
  it("are named, with the command that installs them in the supported ranges, when they are not installed; other errors go through as they are", async () => {
    const pkg = JSON.parse(readFileSync(`${REPO}package.json`, "utf8")) as { peerDependencies: Record<string, string> };
    expect(PEER_RANGES).toEqual(pkg.peerDependencies);
    for (const notFound of [notImported, notRequired]) {
      const without = (...absent: string[]) => outcomes((name) => (absent.includes(name) ? notFound(name) : undefined));
      for (const [absent, message] of [
        [["fast-check"], "gameday/testing needs fast-check (a peer dependency): npm install --save-dev fast-check@^4.0.0"],
        [["msw"], "gameday/testing needs msw (a peer dependency): npm install --save-dev msw@^2.0.0"],
        [["fast-check", "msw"], "gameday/testing needs fast-check and msw (peer dependencies): npm install --save-dev fast-check@^4.0.0 msw@^2.0.0"],
      ] as const) {
        for (const thrown of await without(...absent)) expect(thrown).toEqual(new Error(message));
      }
      for (const loaded of await without()) expect(loaded).toEqual({ "fast-check": { name: "fast-check" }, msw: { name: "msw" } });
    }
    // Installed but broken: a file missing inside the package, a dependency of its own missing, an error of its own.
    const broken = [
      Object.assign(new Error("Cannot find module '/app/node_modules/fast-check/lib/fast-check.js' imported from /app/node_modules/gameday/dist/src/testing/index.js"), { code: "ERR_MODULE_NOT_FOUND" }),
      notImported("fast-check-extra"),
      notRequired("fast-check/lib/cjs/fast-check.js"),
      new SyntaxError("Unexpected token"),
    ];
    for (const error of broken) for (const thrown of await outcomes((name) => (name === "fast-check" ? error : undefined))) expect(thrown).toBe(error);
  });

  describe("in a project that imports or requires gameday/testing as built", () => {
    const dirs: string[] = [];
    afterAll(() => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    /** A project whose node_modules holds gameday (this repo's package.json and dist/src/testing, copied: a symlink would resolve the peers from this repo) and the peers given. */
    function project(peers: Record<string, "installed" | "broken">): string {
      const dir = mkdtempSync(join(tmpdir(), "gameday-peers-"));
      dirs.push(dir);
      const pkg = join(dir, "node_modules", "gameday");
      mkdirSync(join(pkg, "dist", "src", "testing"), { recursive: true });
      for (const f of readdirSync(join(REPO, "dist", "src", "testing")).filter((f) => f.endsWith(".js"))) copyFileSync(join(REPO, "dist", "src", "testing", f), join(pkg, "dist", "src", "testing", f));
      // package.json as it is: its exports choose the entry for import and for require.
      copyFileSync(join(REPO, "package.json"), join(pkg, "package.json"));
      for (const [name, state] of Object.entries(peers)) {
        if (state === "installed") {
          symlinkSync(join(NODE_MODULES, name), join(dir, "node_modules", name), "dir");
        } else {
          mkdirSync(join(dir, "node_modules", name));
          writeFileSync(join(dir, "node_modules", name, "package.json"), JSON.stringify({ name, type: "module", exports: "./index.js" }));
          writeFileSync(join(dir, "node_modules", name, "index.js"), `throw new Error("${name} is broken");\n`);
        }
      }
      return dir;
    }

    const importIt = (cwd: string) => spawnSync(process.execPath, ["--input-type=module", "-e", "const m = await import('gameday/testing'); console.log(typeof m.awsFaults, typeof m.failureSequence)"], { cwd, encoding: "utf8" });
    const requireIt = (cwd: string) => spawnSync(process.execPath, ["-e", "const m = require('gameday/testing'); console.log(typeof m.awsFaults, typeof m.failureSequence)"], { cwd, encoding: "utf8" });

    /** The error Node prints (after its source line and caret): its first line, and whether Node's own not-found error shows. */
    function failure(out: ReturnType<typeof spawnSync>) {
      const stderr = String(out.stderr);
      return { status: out.status, error: stderr.split("\n").find((l) => /^\w*Error\b/.test(l)), nodeNotFound: stderr.includes("ERR_MODULE_NOT_FOUND") };
    }

    it("without fast-check, or msw, or both, fails at once, naming what to install (import and require alike)", () => {
      const cases = [
        [{ msw: "installed" }, "gameday/testing needs fast-check (a peer dependency): npm install --save-dev fast-check@^4.0.0"],
        [{ "fast-check": "installed" }, "gameday/testing needs msw (a peer dependency): npm install --save-dev msw@^2.0.0"],
        [{}, "gameday/testing needs fast-check and msw (peer dependencies): npm install --save-dev fast-check@^4.0.0 msw@^2.0.0"],
      ] as const;
      for (const [peers, message] of cases) {
        const dir = project(peers);
        for (const run of [importIt, requireIt]) expect(failure(run(dir)), JSON.stringify(peers)).toEqual({ status: 1, error: `Error: ${message}`, nodeNotFound: false });
      }
    });

    it("with both loads, from the project's copies, by import and by require; a broken peer's own error goes through", () => {
      const dir = project({ "fast-check": "installed", msw: "installed" });
      for (const run of [importIt, requireIt]) {
        const out = run(dir);
        expect(out.stderr).toBe("");
        expect(out.stdout.trim()).toBe("function function");
      }
      expect(failure(importIt(project({ "fast-check": "broken", msw: "installed" })))).toEqual({ status: 1, error: "Error: fast-check is broken", nodeNotFound: false });
    });
  });
});
