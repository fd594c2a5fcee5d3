import { describe, expect, it } from "vitest";
import { GeneratorShortfall, polluted, shortfallShare, shortfallWarning } from "../../src/load/shortfall.js";

const limits = { maxSockets: 256, timeoutMs: 10_000 };

describe("a window the load generator fell behind in", () => {
  it("measured the generator once 1% of what it offered went out late or never went out", () => {
    // 990 requests reached the target, 10 never did: 1% of the 1,000 offered.
    expect(shortfallShare({ requests: 990, generatorErrors: 10, generatorLate: 0 })).toBe(0.01);
    expect(polluted({ requests: 990, generatorErrors: 10, generatorLate: 0 })).toBe(true);
    expect(polluted({ requests: 1000, generatorErrors: 0, generatorLate: 10 })).toBe(true);
    expect(polluted({ requests: 1000, generatorErrors: 0, generatorLate: 9 })).toBe(false);
    // Nothing offered: nothing the generator missed.
    expect(polluted({ requests: 0, generatorErrors: 0, generatorLate: 0 })).toBe(false);
    // Every request failed by the generator: nothing measured the target.
    expect(polluted({ requests: 0, generatorErrors: 3, generatorLate: 0 })).toBe(true);
  });
});

describe("the run's warning", () => {
  it("is nothing when the generator kept its schedule, even if it had to queue for a connection", () => {
    const s = new GeneratorShortfall();
    s.scheduled = 100;
    s.waitedForSocket = 5;
    expect(shortfallWarning("web", s, { ...limits, clock: "scaled" })).toBeUndefined();
  });

  it("names the service, how far behind the generator fell, that it is not the service's failure, and what to do", () => {
    const s = new GeneratorShortfall();
    Object.assign(s, { scheduled: 25_000, late: 12_000, maxLateMs: 42_300, unsent: 3_920, waitedForSocket: 15_000, stalled: 7 });
    const served = shortfallWarning("web", s, { ...limits, clock: "scaled" })!;
    expect(served).toContain("the load generator for web could not keep its schedule: of 25000 requests");
    expect(served).toContain("12000 went out more than 1 s late (up to 42.3 s)");
    expect(served).toContain("3920 never got one of its 256 connections within the 10 s timeout");
    expect(served).toContain("7 timed out while the process was stalled");
    expect(served).toContain("not web's");
    expect(served).toContain("serve the sandbox at a lower --speed");
    // In real time there is no --speed to lower.
    const real = shortfallWarning("web", s, { ...limits, clock: "real" })!;
    expect(real).not.toContain("--speed");
    expect(real).toContain("CPU to spare");
  });
});
