import { describe, expect, it } from "vitest";
import { durationMs, durationParameter } from "../../../src/fis/duration.js";

describe("durationMs", () => {
  it.each([
    ["PT1M", 60_000],
    ["PT90S", 90_000],
    ["PT1H30M", 5_400_000],
    ["PT1.5M", 90_000],
    ["P1DT1H", 90_000_000],
    ["PT0S", 0],
  ])("%s is %i ms", (text, ms) => expect(durationMs(text)).toBe(ms));

  it.each(["", "P", "PT", "5m", "pt5m", "-PT1M", "PT1M ", "P1M", "P1Y"])("refuses %j (not a fixed-length ISO 8601 duration)", (text) => {
    expect(durationMs(text)).toBeUndefined();
  });
});

describe("durationParameter", () => {
  const spec = durationParameter({ min: "PT2M", max: "PT15M", required: true, description: "notice" });

  it("accepts its bounds and what lies between", () => {
    for (const v of ["PT2M", "PT120S", "PT10M", "PT15M"]) expect(spec.check!(v)).toBeUndefined();
  });

  it("says what it expected and what it found", () => {
    expect(spec.check!("PT1M")).toBe('expected an ISO 8601 duration from PT2M to PT15M, found "PT1M"');
    expect(spec.check!("2 minutes")).toBe('expected an ISO 8601 duration from PT2M to PT15M (for example PT2M), found "2 minutes"');
  });

  it("refuses bounds that are not durations or are reversed", () => {
    expect(() => durationParameter({ min: "PT15M", max: "PT2M", required: true, description: "x" })).toThrow(RangeError);
    expect(() => durationParameter({ min: "2m", max: "PT2M", required: true, description: "x" })).toThrow(/min <= max/);
  });
});
