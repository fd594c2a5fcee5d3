import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadPeers, PEER_RANGES } from "../../src/testing/peers.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const NODE_MODULES = join(REPO, "node_modules");

/** Node's error for a package that is not installed, as import.meta.resolve throws it. */
const notFound = (what: string) => Object.assign(new Error(`Cannot find package '${what}' imported from /app/node_modules/gameday/dist/src/testing/peers.js`), { code: "ERR_MODULE_NOT_FOUND" });

describe("gameday/testing's peer dependencies", () => {
  it("are named, with the command that installs them in the supported ranges, when they are not installed; other errors go through as they are", () => {
    const pkg = JSON.parse(readFileSync(`${REPO}package.json`, "utf8")) as { peerDependencies: Record<string, string> };
    expect(PEER_RANGES).toEqual(pkg.peerDependencies);
    const without = (...absent: string[]) => () =>
      loadPeers(
        (name) => {
          if (absent.includes(name)) throw notFound(name);
          return `file:///app/node_modules/${name}/index.mjs`;
        },
        (url) => ({ url }),
      );
    expect(without("fast-check")).toThrow(new Error("gameday/testing needs fast-check (a peer dependency): npm install --save-dev fast-check@^4.0.0"));
    expect(without("msw")).toThrow(new Error("gameday/testing needs msw (a peer dependency): npm install --save-dev msw@^2.0.0"));
    expect(without("fast-check", "msw")).toThrow(new Error("gameday/testing needs fast-check and msw (peer dependencies): npm install --save-dev fast-check@^4.0.0 msw@^2.0.0"));
    expect(without()()).toEqual({ fc: { url: "file:///app/node_modules/fast-check/index.mjs" }, msw: { url: "file:///app/node_modules/msw/index.mjs" } });
    // Installed but broken: a file missing inside the package, a dependency of msw's missing, an error of its own.
    for (const broken of [Object.assign(new Error("Cannot find module '/app/node_modules/fast-check/lib/fast-check.js' imported from /app/x.js"), { code: "ERR_MODULE_NOT_FOUND" }), notFound("@mswjs/interceptors"), new SyntaxError("Unexpected token")]) {
      const thrown = (() => {
        try {
          loadPeers(
            () => "file:///app/node_modules/fast-check/lib/fast-check.js",
            () => {
              throw broken;
            },
          );
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(thrown).toBe(broken);
    }
  });

  describe("in a project that imports or requires gameday/testing as built", () => {
    const dirs: string[] = [];
    afterAll(() => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    /** A project whose node_modules holds gameday (this repo's dist/src/testing, copied: a symlink would resolve the peers from this repo) and the peers given. */
    function project(peers: Record<string, "installed" | "broken">): string {
      const dir = mkdtempSync(join(tmpdir(), "gameday-peers-"));
      dirs.push(dir);
      const pkg = join(dir, "node_modules", "gameday");
      mkdirSync(join(pkg, "dist", "src", "testing"), { recursive: true });
      for (const f of readdirSync(join(REPO, "dist", "src", "testing")).filter((f) => f.endsWith(".js"))) copyFileSync(join(REPO, "dist", "src", "testing", f), join(pkg, "dist", "src", "testing", f));
      writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "gameday", type: "module", exports: { "./testing": "./dist/src/testing/index.js" } }));
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
