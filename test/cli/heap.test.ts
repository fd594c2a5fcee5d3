import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, scratch } from "../e2e/cli.js";
import { HEAP_GROWING_PERCENT } from "../../src/cli/heap.js";

/**
 * Runs the compiled CLI with a preload that records every V8 flag the process sets on itself:
 * V8 gives no way to read a flag back.
 */
function flagsSetBy(nodeFlags: string[], args: string[]): string[] {
  const dir = scratch();
  const preload = join(dir, "spy.cjs");
  const out = join(dir, "flags.txt");
  writeFileSync(out, "");
  writeFileSync(
    preload,
    `const v8 = require("v8"); const set = v8.setFlagsFromString;
v8.setFlagsFromString = (f) => { require("fs").appendFileSync(${JSON.stringify(out)}, f + "\\n"); return set(f); };\n`,
  );
  execFileSync(process.execPath, [...nodeFlags, "--require", preload, CLI, ...args], { cwd: dir, stdio: "ignore" });
  return readFileSync(out, "utf8").split("\n").filter(Boolean);
}

describe("the CLI keeps the heap near its live set", () => {
  it("fixes V8's heap growing factor when it starts, so a long run's peak memory follows what it holds", () => {
    expect(flagsSetBy([], ["--version"])).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(HEAP_GROWING_PERCENT).toBeGreaterThan(0);
  });

  it("leaves the factor alone when node was started with one", () => {
    expect(flagsSetBy(["--heap-growing-percent=0"], ["--version"])).toEqual([]);
    expect(flagsSetBy(["--heap_growing_percent=80"], ["--version"])).toEqual([]);
  });
});
