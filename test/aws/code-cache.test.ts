/**
 * The V8 code cache for the SDK's CommonJS files (src/aws/sdk/code-cache.ts): a later load uses
 * what an earlier one saved, the modules behave exactly as when Node compiles them itself, a
 * changed file or a damaged entry is compiled afresh, and a cache that cannot be written never
 * breaks a load. Each module here is a small CommonJS package under a temporary node_modules,
 * loaded in a new process each time (fixtures/code-cache-load.ts), as each `chaos` run is.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CodeCache, codeCacheDir } from "../../src/aws/sdk/code-cache.js";

let root: string;
let pkg: string;
const requireHere = createRequire(import.meta.url);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "gameday-code-cache-"));
  pkg = join(root, "node_modules", "demo");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "helper.js"), `exports.twice = (n) => 2 * n;\n`);
  writeFileSync(
    join(pkg, "index.js"),
    `"use strict";\nconst { twice } = require("./helper.js");\nmodule.exports = { four: twice(2), file: __filename, dir: __dirname, self: this === module.exports, where: () => new Error("here").stack };\n`,
  );
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const CHILD = fileURLToPath(new URL("./fixtures/code-cache-load.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));

interface Loaded {
  stats: { hits: number; misses: number };
  four: number;
  file: string;
  dir: string;
  self: boolean;
  where: string;
}

/** Loads the demo package through a cache in `dir` in a new process, as a new `chaos` run would. */
function load(dir: string, nodeFlags: string[] = []): Loaded {
  const out = execFileSync(process.execPath, [...nodeFlags, "--import", "tsx", CHILD, dir, join(pkg, "index.js")], { cwd: REPO, encoding: "utf8" });
  return JSON.parse(out) as Loaded;
}

describe("the SDK code cache", () => {
  it("saves each file's code, and a later load compiles from it with the same module behaviour", () => {
    const dir = join(root, "cache");
    const a = load(dir);
    expect(a.stats).toEqual({ hits: 0, misses: 2 });
    expect(readdirSync(dir).filter((f) => f.endsWith(".bin"))).toHaveLength(2);
    const b = load(dir);
    expect(b.stats).toEqual({ hits: 2, misses: 0 });
    for (const m of [a, b]) {
      expect(m.four).toBe(4);
      expect(m.file).toBe(join(pkg, "index.js"));
      expect(m.dir).toBe(pkg);
      expect(m.self).toBe(true);
      // Stack traces still name the file and its line.
      expect(m.where).toContain(`${join(pkg, "index.js")}:3`);
    }
  });

  it("keeps entries made under other V8 flags apart, so that two flag sets in turn do not undo each other's", () => {
    // The CLI starts with TurboFan off (src/cli/tiering.ts); another build, or a long run, has other flags.
    const dir = join(root, "cache");
    expect(load(dir).stats).toEqual({ hits: 0, misses: 2 });
    expect(load(dir, ["--no-opt"]).stats).toEqual({ hits: 0, misses: 2 });
    expect(readdirSync(dir).filter((f) => f.endsWith(".bin"))).toHaveLength(4);
    expect(load(dir).stats).toEqual({ hits: 2, misses: 0 });
    expect(load(dir, ["--no-opt"]).stats).toEqual({ hits: 2, misses: 0 });
  });

  it("compiles a changed file afresh instead of using its old entry", () => {
    const dir = join(root, "cache");
    load(dir);
    writeFileSync(join(pkg, "helper.js"), `exports.twice = (n) => n + n + 1;\n`);
    const second = load(dir);
    expect(second.four).toBe(5);
    expect(second.stats).toEqual({ hits: 1, misses: 1 });
  });

  it("compiles from source when an entry is damaged, and replaces the entry", () => {
    const dir = join(root, "cache");
    load(dir);
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), "not V8 code");
    const second = load(dir);
    expect(second.four).toBe(4);
    expect(second.stats).toEqual({ hits: 0, misses: 2 });
    expect(load(dir).stats).toEqual({ hits: 2, misses: 0 });
  });

  it("loads as usual when the cache directory cannot be created", () => {
    const blocker = join(root, "a-file");
    writeFileSync(blocker, "");
    const loaded = load(join(blocker, "cache"));
    expect(loaded.four).toBe(4);
    expect(loaded.stats).toEqual({ hits: 0, misses: 2 });
  });

  it("leaves files outside node_modules to Node", () => {
    const own = join(root, "own.cjs");
    writeFileSync(own, `module.exports = 7;\n`);
    const cache = new CodeCache(join(root, "cache"));
    expect(cache.around(() => requireHere(own))).toBe(7);
    expect(cache.stats).toEqual({ hits: 0, misses: 0 });
  });
});

describe("the code cache installed for the whole process (the CLI's commands)", () => {
  const INSTALL = fileURLToPath(new URL("./fixtures/code-cache-install.ts", import.meta.url));
  const importThrough = (dir: string, file: string) =>
    JSON.parse(execFileSync(process.execPath, ["--import", "tsx", INSTALL, dir, file], { cwd: REPO, encoding: "utf8" })) as { stats: { hits: number; misses: number }; four: number; file: string; self: boolean };

  it("covers a CommonJS package that an ES module imports: a later process compiles it from the cache", () => {
    const dir = join(root, "cache");
    const first = importThrough(dir, join(pkg, "index.js"));
    expect(first.stats).toEqual({ hits: 0, misses: 2 });
    const second = importThrough(dir, join(pkg, "index.js"));
    expect(second.stats).toEqual({ hits: 2, misses: 0 });
    for (const m of [first, second]) {
      // A named export still reaches the importer, and the module is its own `this`.
      expect(m.four).toBe(4);
      expect(m.file).toBe(join(pkg, "index.js"));
      expect(m.self).toBe(true);
    }
  });

  it("leaves a file that starts with a hashbang to Node, which strips it", () => {
    writeFileSync(join(pkg, "cli.js"), `#!/usr/bin/env node\n"use strict";\nconst { twice } = require("./helper.js");\nmodule.exports = { four: twice(2), file: __filename, self: this === module.exports };\n`);
    const loaded = importThrough(join(root, "cache"), join(pkg, "cli.js"));
    expect(loaded.four).toBe(4);
    // helper.js through the cache; cli.js compiled by Node itself.
    expect(loaded.stats).toEqual({ hits: 0, misses: 1 });
  });
});

describe("the lookups of what node_modules files require, remembered between runs", () => {
  const modules = () => join(root, "node_modules");
  /** npm's record of the tree; npm rewrites it whenever it changes node_modules. */
  const npmRecord = (text: string) => writeFileSync(join(modules(), ".package-lock.json"), text);
  const dep = (dir: string, main: string, value: number) => {
    mkdirSync(join(dir, "dep", dirname(main)), { recursive: true });
    writeFileSync(join(dir, "dep", "package.json"), JSON.stringify({ name: "dep", main }));
    writeFileSync(join(dir, "dep", main), `module.exports = ${value};\n`);
  };
  const run = (dir: string) => {
    const out = load(dir) as Loaded & { resolved: { hits: number; misses: number } };
    return { resolved: out.resolved, four: out.four };
  };

  beforeEach(() => {
    // demo/index.js requires a file of its own, a package and a builtin: four is 2 * dep.
    writeFileSync(join(pkg, "index.js"), `"use strict";\nconst { twice } = require("./helper.js");\nrequire("path");\nmodule.exports = { four: twice(require("dep")), file: __filename, dir: __dirname, self: this === module.exports, where: () => "" };\n`);
    dep(modules(), "lib/main.js", 2);
    npmRecord(`{"lockfileVersion":3}`);
  });

  it("answers a later process from what an earlier one looked up, with the same modules", () => {
    const dir = join(root, "cache");
    expect(run(dir)).toEqual({ resolved: { hits: 0, misses: 3 }, four: 4 });
    expect(run(dir)).toEqual({ resolved: { hits: 3, misses: 0 }, four: 4 });
  });

  it("looks everything up afresh once npm has changed the tree", () => {
    const dir = join(root, "cache");
    run(dir);
    // npm installs another dep inside demo: from demo, that is the one require must find now.
    dep(join(pkg, "node_modules"), "index.js", 5);
    npmRecord(`{"lockfileVersion":3,"packages":{}}`);
    expect(run(dir)).toEqual({ resolved: { hits: 0, misses: 3 }, four: 10 });
  });

  it("asks Node again for a remembered file that is gone", () => {
    const dir = join(root, "cache");
    run(dir);
    rmSync(join(modules(), "dep"), { recursive: true });
    dep(modules(), "dist/index.js", 3);
    expect(run(dir)).toEqual({ resolved: { hits: 2, misses: 1 }, four: 6 });
  });

  it("remembers nothing for a tree npm keeps no record of", () => {
    rmSync(join(modules(), ".package-lock.json"));
    const dir = join(root, "cache");
    expect(run(dir)).toEqual({ resolved: { hits: 0, misses: 0 }, four: 4 });
    expect(run(dir)).toEqual({ resolved: { hits: 0, misses: 0 }, four: 4 });
  });
});

describe("where the cache lives", () => {
  it("is the user's cache directory, per Node version and architecture", () => {
    expect(codeCacheDir({})).toBe(join(homedir(), ".cache", "gameday", "v8-code-cache", `node-${process.version}-${process.arch}`));
    expect(codeCacheDir({ XDG_CACHE_HOME: "/x" })).toBe(join("/x", "gameday", "v8-code-cache", `node-${process.version}-${process.arch}`));
  });

  it("is the directory GAMEDAY_CODE_CACHE names, or none when it says off", () => {
    expect(codeCacheDir({ GAMEDAY_CODE_CACHE: "/tmp/cc" })).toBe(join("/tmp/cc", `node-${process.version}-${process.arch}`));
    expect(codeCacheDir({ GAMEDAY_CODE_CACHE: "off" })).toBeUndefined();
  });

  it("is none, rather than an error, when the user has no home directory", () => {
    const noHome = () => {
      throw new Error("no passwd entry");
    };
    expect(codeCacheDir({}, noHome)).toBeUndefined();
    expect(codeCacheDir({ XDG_CACHE_HOME: "/x" }, noHome)).toBe(join("/x", "gameday", "v8-code-cache", `node-${process.version}-${process.arch}`));
  });
});
