import { describe, expect, it } from "vitest";
import { script } from "../fixtures/probes/scripted.js";
import { experiment, pause, probe, run } from "./harness.js";
import { VIRTUAL_EPOCH } from "../../src/time/clock.js";
import { MIN_INTERVAL_MS } from "../../src/experiment/schema.js";
import { errorAt, errorsOf, withMethod } from "../experiment/helpers.js";

const t = (at: number) => (at - VIRTUAL_EPOCH) / 1000;

describe("an interval too short to be useful is refused at validation, by position, naming the minimum", () => {
  it("a step's interval of PT0S or 1ms", () => {
    for (const [text, found] of [["PT0S", "0 ms"], ["1ms", "1 ms"]] as const) {
      const error = errorAt(errorsOf(withMethod(`  - probe: p\n    mode: continuous\n    interval: ${text}\n`)), "method[0].interval");
      expect(error).toMatchObject({ file: "exp.yaml", position: { line: 5, column: 15 }, found });
      expect(error.expected).toContain(`at least ${MIN_INTERVAL_MS}ms`);
    }
  });

  it("runtime.interval, and Chaos Toolkit's frequency (the same interval in seconds)", () => {
    const runtime = errorAt(errorsOf(withMethod("  - pause: PT1M\n") + "runtime:\n  interval: PT0S\n"), "runtime.interval");
    expect(runtime).toMatchObject({ position: { line: 5, column: 13 }, found: "0 ms" });
    expect(runtime.expected).toContain(`at least ${MIN_INTERVAL_MS}ms`);
    const frequency = errorAt(errorsOf(withMethod("  - pause: PT1M\n") + "runtime:\n  hypothesis: { strategy: continuously, frequency: 0.001 }\n"), "runtime.hypothesis.frequency");
    expect(frequency).toMatchObject({ found: "0.001 s" });
    expect(frequency.expected).toContain(`at least ${MIN_INTERVAL_MS}ms`);
  });

  it("the minimum itself is accepted", async () => {
    const { parseExperiment } = await import("../../src/experiment/loader.js");
    const loaded = parseExperiment(withMethod(`  - probe: p\n    mode: continuous\n    interval: ${MIN_INTERVAL_MS}ms\n`) + `runtime:\n  interval: ${MIN_INTERVAL_MS}ms\n`, "exp.yaml", { env: {} });
    expect(loaded.experiment.runtime.interval).toBe(MIN_INTERVAL_MS);
  });
});

describe("virtual time always advances, whatever interval the engine is given", () => {
  // Experiments built in code skip validation; a zero interval used to re-arm a reading at the same
  // instant forever, so the pause never ended and these runs never returned.
  it("a continuous probe with a zero interval reads at most once per minimum interval and the method ends", async () => {
    const seen: number[] = [];
    script("zero-interval", (ctx) => {
      seen.push(t(ctx.clock.now()));
      return true;
    });
    const r = await run(experiment({ method: [probe("zero-interval", { mode: "continuous", interval: 0, tolerance: true }), pause(1_000)] }));
    expect(r.verdict).toBe("held");
    expect(r.clock.now() - VIRTUAL_EPOCH).toBeGreaterThanOrEqual(1_000);
    // Readings 100 ms apart over the one-second pause, plus the final one when the window closes.
    expect(seen.length).toBeLessThanOrEqual(1_000 / MIN_INTERVAL_MS + 2);
    expect(new Set(seen).size).toBe(seen.length);
  }, 20_000);

  it("stop conditions and the hypothesis during the method with a zero runtime interval", async () => {
    let reads = 0;
    script("zero-runtime", () => {
      reads++;
      return true;
    });
    const r = await run(
      experiment({
        method: [pause(2_000)],
        stopConditions: [probe("zero-runtime", { name: "stop", tolerance: true })],
        runtime: { hypothesis: "default", interval: 0, rollbacks: "always", failFast: false },
      }),
    );
    expect(r.verdict).toBe("held");
    expect(reads).toBeLessThanOrEqual(2_000 / MIN_INTERVAL_MS + 2);
  }, 20_000);

  it("retries with a zero interval between attempts still let time pass", async () => {
    const at: number[] = [];
    script("zero-attempts", (ctx) => {
      at.push(t(ctx.clock.now()));
      return false;
    });
    await run(experiment({ method: [probe("zero-attempts", { attempts: 3, interval: 0, tolerance: true })] }));
    expect(at).toEqual([0, MIN_INTERVAL_MS / 1000, (2 * MIN_INTERVAL_MS) / 1000]);
  });
});
