import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { script } from "../fixtures/probes/scripted.js";
import { experiment, hypothesis, pause, probe, run } from "./harness.js";
import { VIRTUAL_EPOCH } from "../../src/time/clock.js";
import { JOURNAL_READINGS_EVERY_MS } from "../../src/engine/run-context.js";
import type { JournalDoc } from "../../src/engine/journal.js";

const t = (at: number) => (at - VIRTUAL_EPOCH) / 1000;

describe("the journal on disk while a run goes (what a SIGKILL leaves)", () => {
  it("holds the probes' readings and tallies so far, not only the steps", async () => {
    let file = "";
    let onDisk: JournalDoc | undefined;
    let readAt = 0;
    let taken = 0;
    script("partial-gate", () => true);
    script("partial-latency", (ctx) => {
      const now = t(ctx.clock.now());
      // Five minutes into a ten-minute pause: the file as it is now is all a killed run would leave.
      if (now === 300) {
        onDisk = JSON.parse(readFileSync(file, "utf8")) as JournalDoc;
        readAt = now;
      }
      taken++;
      return 100 + (now % 7);
    });
    const r = await run(
      experiment({
        steadyStateHypothesis: hypothesis(probe("partial-gate", { name: "gate" })),
        method: [probe("partial-latency", { name: "latency", mode: "on-chaos", interval: 10_000, tolerance: "<= 200" }), pause(600_000)],
        runtime: { hypothesis: "continuously", interval: 10_000, rollbacks: "always", failFast: false },
      }),
      { journalPath: (dir) => (file = join(dir, "journal.json")) },
    );
    expect(r.verdict).toBe("held");
    expect(readAt).toBe(300);
    const g = onDisk!.gameday;
    expect(g.complete).toBe(false);
    expect(onDisk!.status).toBe("running");
    const latency = g.probes.find((p) => p.step === "latency" && p.mode === "on-chaos");
    // Readings at 0, 10, …, 290 s were taken before this one; the file is at most one rewrite interval behind.
    const behind = JOURNAL_READINGS_EVERY_MS / 10_000;
    expect(latency?.readings).toBeGreaterThanOrEqual(30 - behind);
    expect(latency?.readings).toBeLessThanOrEqual(30);
    expect(latency?.series?.points.length).toBe(latency?.readings);
    expect(latency?.last?.value).toEqual(expect.any(Number));
    // The hypothesis read during the method is there too.
    expect(g.during.readings).toBeGreaterThanOrEqual(30 - behind);
    expect(taken).toBe(61);
  });
});
