import { describe, expect, it } from "vitest";
import { script } from "../fixtures/probes/scripted.js";
import { experiment, pause, probe, run } from "./harness.js";
import type { TrafficPort } from "../../src/engine/ports.js";

describe("a load generator that could not keep its schedule", () => {
  it("is named in the journal's warnings and on the timeline, before the verdict", async () => {
    script("traffic-watch", () => true);
    const behind = "the load generator for web could not keep its schedule: of 20 requests, 18 never got one of its 1 connections within the 10 s timeout";
    let asked = 0;
    const traffic: TrafficPort = {
      services: () => ["web"],
      drive() {},
      warnings: () => (asked++, [behind]),
    };
    const r = await run(experiment({ method: [probe("traffic-watch", { name: "watch", tolerance: true }), pause(1_000)] }), { traffic });
    expect(asked).toBe(1);
    expect(r.journal.doc.gameday.warnings).toEqual([behind]);
    const types = r.events.map((e) => e.type);
    const warned = r.events.findIndex((e) => e.type === "warning" && (e as { message: string }).message === behind);
    expect(warned).toBeGreaterThan(-1);
    expect(warned).toBeLessThan(types.indexOf("verdict"));
  });

  it("says nothing when the generator kept up (or the port cannot tell)", async () => {
    script("traffic-quiet", () => true);
    const r = await run(experiment({ method: [probe("traffic-quiet", { name: "watch", tolerance: true })] }), { traffic: { services: () => [], drive() {}, warnings: () => [] } });
    expect(r.journal.doc.gameday.warnings).toEqual([]);
  });
});
