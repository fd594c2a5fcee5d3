import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { warmUp } from "../../src/cli/snapshot-warmup.js";

/**
 * This process's warm-up scratch directories in the temporary directory: a build running beside
 * the suite (npm run build, an e2e's npm ci) warms up too, in directories of its own pid.
 */
const scratchDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith(`gameday-snapshot-warmup-${process.pid}-`));

describe("the startup snapshot's warm-up run", () => {
  it("runs spot-interrupt to its verdict and leaves nothing of it in the process or on disk", async () => {
    const before = scratchDirs();
    const listeners = ["SIGINT", "SIGTERM", "exit"].map((e) => process.listenerCount(e));
    const stdoutWrite = process.stdout.write;
    await warmUp("spot-interrupt");
    expect(scratchDirs()).toEqual(before);
    expect(["SIGINT", "SIGTERM", "exit"].map((e) => process.listenerCount(e))).toEqual(listeners);
    expect(process.stdout.write).toBe(stdoutWrite);
  }, 60_000);

  it("rejects with the run's own message when the run fails, and still removes its directory", async () => {
    const before = scratchDirs();
    await expect(warmUp("no-such-experiment")).rejects.toThrow(/no-such-experiment/);
    expect(scratchDirs()).toEqual(before);
  });
});
