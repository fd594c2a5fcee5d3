/**
 * gameday/testing in a CommonJS TypeScript project: its `require` types (dist/src/testing/cjs/*.d.cts,
 * written at build by scripts/testing-cts-types.mjs) give fast-check's and msw's CommonJS types, as the project's own
 * imports get, where the ES module .d.ts gave TS2345 ("separate declarations of a private property").
 * Offline: the fixture's node_modules are links into this repo's.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ctsTypes, stale } from "../../scripts/testing-cts-types.mjs";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(REPO, "node_modules", "typescript", "bin", "tsc");

/** The user's test, as CommonJS TypeScript: fast-check's and msw's values meet gameday/testing's. */
const CJS_TEST = `import fc = require("fast-check");
import { setupServer } from "msw/node";
import { awsFailure, awsFaults, failureSequence, type AwsCall } from "gameday/testing";

const server = setupServer(awsFaults({ sequence: [], respond: (_call: AwsCall) => ({}) }).handler);
fc.assert(fc.property(failureSequence({ maxLength: 3 }), awsFailure({ kinds: ["throttling"] }), (s, f) => s.length <= 3 && f.kind === "throttling"), { numRuns: 25, seed: 1 });
console.log(fc.sample(failureSequence({ maxLength: 2 }), { numRuns: 3, seed: 1 }).length, typeof server.listen);
`;

/** The same as an ES module (.mts), which keeps the ES module types. */
const ESM_TEST = `import fc from "fast-check";
import { setupServer } from "msw/node";
import { awsFailure, awsFaults, failureSequence, type AwsCall } from "gameday/testing";

const server = setupServer(awsFaults({ sequence: [], respond: (_call: AwsCall) => ({}) }).handler);
fc.assert(fc.property(failureSequence({ maxLength: 3 }), awsFailure({ kinds: ["throttling"] }), (s, f) => s.length <= 3 && f.kind === "throttling"), { numRuns: 25, seed: 1 });
console.log(fc.sample(failureSequence({ maxLength: 2 }), { numRuns: 3, seed: 1 }).length, typeof server.listen);
`;

describe("gameday/testing's types in a CommonJS TypeScript project", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("the build writes dist/src/testing/cjs from this build's declarations, every module index.d.ts reaches", () => {
    const wanted = ctsTypes();
    expect([...wanted.keys()].sort()).toEqual(["arbitraries.d.cts", "failures.d.cts", "index.d.cts", "injector.d.cts"]);
    for (const text of wanted.values()) expect(text).not.toMatch(/from ["']\.\/[^"']+\.js["']/);
    expect(stale(wanted), "run `npm run build`").toEqual([]);
  });

  /**
   * A project with the user's test in both module systems, gameday installed as a link to this repo
   * (its package.json's exports pick the types), or as this repo's dist under a package.json whose
   * ./testing has no `require` condition (as before the twins).
   */
  function project(module: string, gameday: "this repo" | "without require types") {
    const dir = mkdtempSync(join(tmpdir(), `gameday-cjs-${module}-`));
    dirs.push(dir);
    mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
    for (const name of ["fast-check", "msw", "@types/node"]) symlinkSync(join(REPO, "node_modules", name), join(dir, "node_modules", name), "dir");
    if (gameday === "this repo") {
      symlinkSync(REPO, join(dir, "node_modules", "gameday"), "dir");
    } else {
      mkdirSync(join(dir, "node_modules", "gameday"));
      symlinkSync(join(REPO, "dist"), join(dir, "node_modules", "gameday", "dist"), "dir");
      writeFileSync(join(dir, "node_modules", "gameday", "package.json"), JSON.stringify({ name: "gameday", type: "module", exports: { "./testing": { types: "./dist/src/testing/index.d.ts", default: "./dist/src/testing/index.js" } } }));
    }
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "fixture", private: true, type: "commonjs" }));
    writeFileSync(join(dir, "retry.test.ts"), CJS_TEST);
    writeFileSync(join(dir, "retry.esm.test.mts"), ESM_TEST);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module, moduleResolution: module === "nodenext" ? "nodenext" : "node16", target: "ES2022", strict: true, types: ["node"], outDir: "out", skipLibCheck: true }, files: ["retry.test.ts", "retry.esm.test.mts"] }));
    return { dir, tsc: spawnSync(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" }) };
  }

  it("without the require types, the CommonJS test gets TS2345 (the ES module test compiles)", () => {
    const { tsc } = project("nodenext", "without require types");
    const errors = tsc.stdout.split("\n").filter((l) => /error TS/.test(l));
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e).toMatch(/^retry\.test\.ts\(\d+,\d+\): error TS2345/);
    expect(tsc.stdout).toContain("separate declarations of a private property");
  });

  it.each(["node16", "node20", "nodenext"])('compiles with module %s ("type": "commonjs"), and the compiled test runs a property with the project\'s own fast-check and msw', (module) => {
    const { dir, tsc } = project(module, "this repo");
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
    for (const compiled of ["retry.test.js", "retry.esm.test.mjs"]) {
      const run = spawnSync(process.execPath, [join(dir, "out", compiled)], { cwd: dir, encoding: "utf8" });
      expect({ stdout: run.stdout.trim(), stderr: run.stderr, status: run.status }, compiled).toEqual({ stdout: "3 function", stderr: "", status: 0 });
    }
  });
});
