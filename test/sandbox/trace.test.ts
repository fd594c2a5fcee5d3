import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Trace, type TraceEntry } from "../../src/sandbox/kernel.js";

const entry = (n: number): TraceEntry => ({ at: n, source: "ecs", kind: "task-state", message: `entry ${n}` });

describe("the sandbox trace", () => {
  it("keeps exactly the newest `limit` entries, oldest first, however many were recorded", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 80 }), (limit, count) => {
        const trace = new Trace(limit);
        const heard: number[] = [];
        trace.onRecord((e) => heard.push(e.at));
        const all = Array.from({ length: count }, (_, i) => entry(i));
        for (const e of all) trace.record(e);
        expect(trace.entries).toEqual(all.slice(Math.max(0, count - limit)));
        // Listeners hear every entry, including those the trace no longer keeps.
        expect(heard).toEqual(all.map((e) => e.at));
      }),
    );
  });

  it("hands out a snapshot: entries recorded later do not change an array already read", () => {
    const trace = new Trace(3);
    for (let i = 0; i < 3; i++) trace.record(entry(i));
    const before = trace.entries;
    trace.record(entry(3));
    expect(before.map((e) => e.at)).toEqual([0, 1, 2]);
    expect(trace.entries.map((e) => e.at)).toEqual([1, 2, 3]);
  });

  it("refuses a limit that could keep nothing", () => {
    expect(() => new Trace(0)).toThrow("a trace keeps at least one entry, not 0");
  });
});
