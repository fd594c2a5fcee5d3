/**
 * One clock per target: a run through --target against `chaos sandbox serve --speed 20` measures in
 * the sandbox's time, so a PT60S pause takes about 3 real seconds and the journal says 60 s.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, idleEndpoint, scratch, servesForThisFile, type Served } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

const serve = servesForThisFile();
let served: Served | undefined;
beforeAll(async () => {
  served = await serve(["--speed", "20", "--seed", "3"]);
}, 60_000);

describe("a run through --target against a sandbox served at --speed 20", () => {
  it("takes the sandbox's clock: a PT60S pause lasts about 3 real seconds and the journal says 60 s", async () => {
    const dir = scratch();
    const file = join(dir, "pause.yaml");
    writeFileSync(file, ["title: waits a minute", "description: nothing but a pause", "method:", "  - pause: PT60S", ""].join("\n"));
    const startedAt = performance.now();
    const r = await chaos(["run", file, "--target", served!.endpoint, "--seed", "1", "--log-format", "plain"], { cwd: dir });
    const realSeconds = (performance.now() - startedAt) / 1000;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const journal = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
    expect(journal.gameday.clock).toBe("scaled");
    expect(journal.gameday.target.clock).toMatch(/^the served sandbox's clock at 20x/);
    const pause = journal.run.find((e: { activity: { type?: string } }) => e.activity.type === "pause") ?? journal.run[0];
    expect(pause.duration).toBeGreaterThanOrEqual(60);
    expect(pause.duration).toBeLessThan(75);
    // The whole run, CLI start-up included, well under the minute real time would take.
    expect(realSeconds).toBeLessThan(30);
  });

  it("against an endpoint that publishes no clock, the run keeps real time and its journal says so", async () => {
    const endpoint = await idleEndpoint();
    try {
      const dir = scratch();
      const file = join(dir, "pause.yaml");
      writeFileSync(file, ["title: waits a second", "description: nothing but a pause", "method:", "  - pause: PT1S", ""].join("\n"));
      const r = await chaos(["run", file, "--target", endpoint.url, "--seed", "1", "--log-format", "plain"], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const journal = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
      expect([journal.gameday.clock, journal.gameday.target.clock]).toEqual(["real", "real time: the endpoint publishes no clock at /_gameday/clock"]);
    } finally {
      await endpoint.close();
    }
  });
});
