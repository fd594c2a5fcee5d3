import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { CLI, scratch } from "../e2e/cli.js";
import { HEAP_GROWING_PERCENT, LONG_RUN_LIVE_BYTES } from "../../src/cli/heap.js";

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

describe("the CLI keeps a long run's heap near its live set", () => {
  it("fixes V8's heap growing factor once a full collection leaves a long run's live heap, then collects so that the factor sets the next limit", () => {
    // A process that keeps more than LONG_RUN_LIVE_BYTES live, as the 17-hour outage does.
    const dir = scratch();
    const script = join(dir, "long.mjs");
    const out = join(dir, "flags.txt");
    writeFileSync(
      script,
      `import { keepHeapNearLiveSet } from ${JSON.stringify(pathToFileURL(join(dirname(CLI), "heap.js")).href)};
import { appendFileSync, readFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
keepHeapNearLiveSet([], (f) => appendFileSync(${JSON.stringify(out)}, f + "\\n"), () => appendFileSync(${JSON.stringify(out)}, "collect\\n"));
const live = [];
let n = 0;
// Grow past the threshold as measured, not estimated, then force the full collection V8 would
// otherwise run only when it sees fit (on a busy machine, perhaps never before this script ends).
while (getHeapStatistics().used_heap_size < ${LONG_RUN_LIVE_BYTES} * 1.5) {
  for (let i = 0; i < 20000; i++) live.push({ n: n++, s: "x".repeat(8) + n });
}
globalThis.gc();
// GC entries reach observers asynchronously: give them turns of the event loop, a bounded number.
let turns = 0;
const wait = () => {
  if (readFileSync(${JSON.stringify(out)}, "utf8") !== "" || ++turns > 200) return void live.length;
  setTimeout(wait, 10);
};
setTimeout(wait, 10);
`,
    );
    writeFileSync(out, "");
    execFileSync(process.execPath, ["--expose-gc", script], { cwd: dir, stdio: "pipe" });
    expect(readFileSync(out, "utf8").split("\n").filter(Boolean)).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`, "collect"]);
  });

  it("runs a full collection in a process started without --expose-gc", () => {
    const dir = scratch();
    const script = join(dir, "collect.mjs");
    writeFileSync(
      script,
      `import { collectGarbage } from ${JSON.stringify(pathToFileURL(join(dirname(CLI), "heap.js")).href)};
import { PerformanceObserver, constants } from "node:perf_hooks";
let majors = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++; }).observe({ entryTypes: ["gc"] });
const before = typeof globalThis.gc;
collectGarbage();
// GC entries reach observers asynchronously: a bounded number of turns.
let turns = 0;
const wait = () => {
  if (majors > 0 || ++turns > 200) return void process.stdout.write(JSON.stringify({ before, majors }));
  setTimeout(wait, 10);
};
setTimeout(wait, 10);
`,
    );
    const out = JSON.parse(execFileSync(process.execPath, [script], { cwd: dir, encoding: "utf8" })) as { before: string; majors: number };
    expect(out.before).toBe("undefined");
    expect(out.majors).toBeGreaterThan(0);
  });

  // Heap flags only: the CLI also sets its own tiering flag at start (src/cli/tiering.ts).
  const heapFlags = (flags: string[]) => flags.filter((f) => /heap/.test(f));

  it("leaves a short command's heap to V8", () => {
    expect(heapFlags(flagsSetBy([], ["--version"]))).toEqual([]);
  });

  it("leaves the factor alone when node was started with one", () => {
    expect(heapFlags(flagsSetBy(["--heap-growing-percent=0"], ["--version"]))).toEqual([]);
  });
});
