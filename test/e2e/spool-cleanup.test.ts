/**
 * A `chaos run` killed with SIGKILL leaves its log shippers' scratch directory in the temp
 * directory; the next run on the machine removes it (and its own when it ends).
 */
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chaos, scratch, start, until } from "./cli.js";

vi.setConfig({ testTimeout: 90_000 });

const spoolDirs = (dir: string) => readdirSync(dir).filter((n) => n.startsWith("gameday-spools-"));

describe("the shippers' scratch directory of a killed run", () => {
  it("is left by the SIGKILL and removed by the next run", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "spool-e2e-"));
    const env = { TMPDIR: tmp };
    // In real time the run lasts minutes: killed while its shippers are running.
    const killed = start(["run", "kinesis-throttle", "--speed", "1", "--seed", "7", "--log-format", "plain"], { cwd: scratch(), env });
    onTestFinished(() => void killed.child.kill("SIGKILL"));
    await until(() => spoolDirs(tmp).length === 1 && existsSync(join(tmp, spoolDirs(tmp)[0]!, "owner")), "the run's spool directory");
    await killed.waitFor(/steady state before/);
    killed.child.kill("SIGKILL");
    expect((await killed.done).signal).toBe("SIGKILL");
    const left = spoolDirs(tmp);
    expect(left).toHaveLength(1);

    const next = await chaos(["run", "task-kill", "--seed", "7", "--log-format", "plain"], { cwd: scratch(), env });
    expect([next.code, next.stderr]).toEqual([0, ""]);
    expect(spoolDirs(tmp)).toEqual([]);
  });
});
