import { describe, expect, it } from "vitest";
import spotInterrupt from "../../src/faults/spot-interrupt.js";
import kinesisThrottle from "../../src/faults/kinesis-throttle.js";
import taskKill from "../../src/faults/task-kill.js";
import scaleIn from "../../src/faults/scale-in.js";
import { z } from "zod";
import { isoSeconds, knobsOf, knobSteps, knobValue } from "../../src/explore/knobs.js";

describe("knobs: what a search may turn, from the fault's own schema", () => {
  it("takes a FIS duration's range from the schema, bounded by the longest a candidate may run", () => {
    expect(knobsOf(spotInterrupt.params, 300_000)).toEqual([{ param: "durationBeforeInterruption", kind: "duration", min: 120_000, max: 300_000, step: 30_000 }]);
    // FIS allows up to 15 minutes; a bound above that does not widen it.
    expect(knobsOf(spotInterrupt.params, 3_600_000)[0]!.max).toBe(900_000);
  });

  it("takes an integer's min and max, and leaves lists and faults without parameters alone", () => {
    expect(knobsOf(kinesisThrottle.params, 600_000)).toEqual([
      { param: "percentage", kind: "number", min: 1, max: 100, step: 1 },
      { param: "duration", kind: "duration", min: 60_000, max: 600_000, step: 30_000 },
    ]);
    expect(knobsOf(taskKill.params, 600_000)).toEqual([]);
  });

  it("leaves alone an integer with no written maximum (zod's .int() bounds it by ±2^53, no range to search)", () => {
    expect(knobsOf(z.object({ count: z.number().int().min(1).default(1), share: z.number().int().min(1).max(50) }), 600_000)).toEqual([{ param: "share", kind: "number", min: 1, max: 50, step: 1 }]);
    expect(knobsOf(scaleIn.params, 600_000).map((k) => k.param)).not.toContain("count");
  });

  it("sets a knob a whole number of steps above its minimum, clamped to its range, durations as FIS writes them", () => {
    const [k] = knobsOf(spotInterrupt.params, 300_000);
    expect(knobSteps(k!)).toBe(6);
    expect(knobValue(k!, 0)).toBe("PT2M");
    expect(knobValue(k!, 1)).toBe("PT2M30S");
    expect(knobValue(k!, 99)).toBe("PT5M");
    expect(isoSeconds(3_725_000)).toBe("PT1H2M5S");
    expect(isoSeconds(0)).toBe("PT0S");
  });
});
