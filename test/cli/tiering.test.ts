/**
 * The CLI runs short commands without V8's optimizing compiler and switches it on once a run has
 * used OPTIMIZE_AFTER_CPU_MS of CPU (src/cli/tiering.ts); a tiering flag given to node wins.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { optimizeFromNow, optimizeLongRunsOnly } from "../../src/cli/tiering.js";

/** Allocates until a few garbage collections have run and their observers been told. */
async function collectSomeGarbage(): Promise<void> {
  for (let round = 0; round < 5; round++) {
    let keep: number[][] = [];
    for (let i = 0; i < 200_000; i++) keep.push([i]);
    keep = [];
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("optimizeLongRunsOnly", () => {
  it("starts with TurboFan off and switches it on at the first collection after the CPU threshold, once", async () => {
    const flags: string[] = [];
    let cpu = 0;
    expect(optimizeLongRunsOnly([], (f) => flags.push(f), () => cpu, 1_000)).toBe(true);
    expect(flags).toEqual(["--no-opt"]);
    await collectSomeGarbage();
    expect(flags).toEqual(["--no-opt"]);
    cpu = 1_000;
    await collectSomeGarbage();
    await collectSomeGarbage();
    expect(flags).toEqual(["--no-opt", "--opt"]);
  });

  it("switches TurboFan on at once for a command that runs long (sandbox serve), and only once", async () => {
    const flags: string[] = [];
    expect(optimizeLongRunsOnly([], (f) => flags.push(f), () => 0, 1_000)).toBe(true);
    optimizeFromNow();
    expect(flags).toEqual(["--no-opt", "--opt"]);
    optimizeFromNow();
    await collectSomeGarbage();
    expect(flags).toEqual(["--no-opt", "--opt"]);
  });

  it("leaves V8 alone when node was given a tiering flag", () => {
    for (const given of ["--no-opt", "--turbofan", "--max-opt=1", "--maglev"]) {
      const flags: string[] = [];
      expect(optimizeLongRunsOnly([given], (f) => flags.push(f), () => 0, 1_000)).toBe(false);
      expect(flags).toEqual([]);
    }
  });

  it("switching the flag from inside the process takes effect: a hot function is optimized only after it", () => {
    const script = `
      import { setFlagsFromString } from "node:v8";
      setFlagsFromString("--no-opt");
      function hot(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i * 7) % 1000003; return s; }
      const optimized = () => (%GetOptimizationStatus(hot) & 16) !== 0;
      for (let k = 0; k < 200; k++) hot(20000);
      const before = optimized();
      setFlagsFromString("--opt");
      for (let k = 0; k < 2000 && !optimized(); k++) hot(20000);
      console.log(JSON.stringify({ before, after: optimized() }));
    `;
    const out = execFileSync(process.execPath, ["--allow-natives-syntax", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(JSON.parse(out.trim())).toEqual({ before: false, after: true });
  });
});
