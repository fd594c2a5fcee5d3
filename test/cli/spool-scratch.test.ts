/**
 * The shippers' scratch disk: a run killed with SIGKILL cannot remove its own, so the next run
 * removes those whose process is gone, and nothing else.
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { makeSpoolRoot, sweepDeadSpoolRoots } from "../../src/cli/spool-scratch.js";

function dirWith(parent: string, name: string, owner?: string): string {
  const dir = join(parent, name);
  mkdirSync(join(dir, "i-0abc", "web-0"), { recursive: true });
  if (owner !== undefined) writeFileSync(join(dir, "owner"), owner);
  return dir;
}

describe("the log shippers' scratch directories", () => {
  it("removes those of runs that are gone; keeps live runs', unowned ones and anything else", () => {
    const parent = mkdtempSync(join(tmpdir(), "spool-sweep-"));
    const owner = (pid: number) => `${JSON.stringify({ pid, host: hostname() })}\n`;
    const dead = dirWith(parent, "gameday-spools-dead", owner(4000001));
    const live = dirWith(parent, "gameday-spools-live", owner(4000002));
    const elsewhere = dirWith(parent, "gameday-spools-elsewhere", owner(4000003));
    const unowned = dirWith(parent, "gameday-spools-old");
    const garbled = dirWith(parent, "gameday-spools-bad", "not json");
    const other = dirWith(parent, "someone-else", owner(4000001));
    const states = { 4000001: "dead", 4000002: "alive", 4000003: "unknown" } as const;
    const removed = sweepDeadSpoolRoots(parent, (p) => states[p.pid as keyof typeof states]);
    expect(removed).toEqual(["gameday-spools-dead"]);
    expect([dead, live, elsewhere, unowned, garbled, other].map(existsSync)).toEqual([false, true, true, true, true, true]);
  });

  it("makes a new one owned by this process, sweeping first", () => {
    const parent = mkdtempSync(join(tmpdir(), "spool-make-"));
    // No process has pid 2^22 + 1: Linux's pid_max is at most 2^22.
    dirWith(parent, "gameday-spools-killed", `${JSON.stringify({ pid: 2 ** 22 + 1, host: hostname() })}\n`);
    const root = makeSpoolRoot(parent);
    expect(readdirSync(parent)).toEqual([root.slice(parent.length + 1)]);
    expect(JSON.parse(readFileSync(join(root, "owner"), "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    // This process is alive: a second run beside it leaves its directory alone.
    const second = makeSpoolRoot(parent);
    expect(readdirSync(parent).sort()).toEqual([root, second].map((d) => d.slice(parent.length + 1)).sort());
  });
});
