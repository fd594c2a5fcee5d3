/**
 * A handler module's timeout is kept on the wall clock, whose timers may fire a millisecond before
 * the clock that measures the invocation says the timeout has passed: the invocation that timed
 * out is still reported as lasting its whole timeout, never less.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModuleEnvironments } from "../../../src/sandbox/services/events/module-environments.js";
import type { Clock } from "../../../src/time/clock.js";

let dir: string | undefined;
let environments: ModuleEnvironments | undefined;
afterEach(async () => {
  await environments?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A wall clock whose timers fire when the test says, each when now() reads one millisecond short of its delay. */
function earlyWall(): Clock & { fire(ms: number): void } {
  const start = 5_000;
  let now = start;
  const timers = new Map<number, () => void>();
  return {
    now: () => now,
    setTimer: (ms: number, fn: () => void) => {
      timers.set(ms, fn);
      return () => timers.delete(ms);
    },
    fire: (ms: number) => {
      now = start + ms - 1;
      timers.get(ms)?.();
    },
  } as unknown as Clock & { fire(ms: number): void };
}

describe("a handler module that times out", () => {
  it("is reported as running for its whole timeout when the timer fires a millisecond early", async () => {
    dir = mkdtempSync(join(tmpdir(), "gameday-module-timeout-"));
    const file = join(dir, "spin.mjs");
    writeFileSync(file, "export const handler = async () => { for (;;) {} };\n");
    const wall = earlyWall();
    environments = new ModuleEnvironments({ file, label: "spin.mjs", env: {}, wall, log: () => {} });
    const outcome = environments.invoke({}, {}, 300);
    wall.fire(300);
    const o = await outcome;
    expect(o, JSON.stringify(o)).toMatchObject({ outcome: "timeout" });
    expect(o.durationMs).toBe(300);
  });
});
