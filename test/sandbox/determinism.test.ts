import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { harness } from "./harness.js";

const defaultStack = readFileSync(join(import.meta.dirname, "../../fixtures/stacks/default.yaml"), "utf8");

/** Ten virtual minutes of the default stack with the first spot instance interrupted; the trace and the traffic seen. */
async function scenario(seed: number) {
  const h = await harness(defaultStack, { seed });
  const start = h.clock.now();
  const spot = h.sandbox.ec2.all().find((i) => i.lifecycle === "spot")!;
  h.sandbox.interruptSpot(spot.id, 120_000);
  await h.advance(600_000);
  const trace = h.sandbox.kernel.trace.entries.map((e) => `${e.at} ${e.source} ${e.kind} ${e.message}`);
  const stats = h.sandbox.traffic.stats("web", start, h.clock.now());
  const invocations = h.sandbox.invocations.map((i) => ({ ...i }));
  await h.close();
  return { trace, stats, invocations };
}

describe("determinism", () => {
  it("gives the same trace and the same traffic for the same seed, and a different one for another seed", async () => {
    const a = await scenario(1);
    const b = await scenario(1);
    const c = await scenario(2);
    expect(a.trace.length).toBeGreaterThan(100);
    expect(b.trace).toEqual(a.trace);
    expect(b.stats).toEqual(a.stats);
    expect(b.invocations).toEqual(a.invocations);
    expect(c.trace).not.toEqual(a.trace);
    expect(c.stats.requests).not.toBe(a.stats.requests);
    // The same story all the same: the interrupted instance was drained by the handler.
    for (const run of [a, c]) {
      expect(run.invocations.map((i) => i.outcome)).toEqual(["ok"]);
      expect(run.trace.some((l) => / ACTIVE -> DRAINING \(UpdateContainerInstancesState\)/.test(l))).toBe(true);
    }
  });
});
