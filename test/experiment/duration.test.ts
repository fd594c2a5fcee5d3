import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatDuration, parseDuration } from "../../src/experiment/duration.js";

describe("parseDuration", () => {
  it.each([
    ["PT2M", 120_000],
    ["PT0.5S", 500],
    ["PT0,5S", 500],
    ["P1DT2H", 26 * 3_600_000],
    ["P2W", 14 * 86_400_000],
    ["PT1H30M", 5_400_000],
    ["PT1.5M", 90_000],
    ["pt5s", 5000],
    ["PT0S", 0],
    ["300ms", 300],
    ["5s", 5000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["1d", 86_400_000],
    ["1m30s", 90_000],
    ["0.3s", 300],
    [" 5s ", 5000],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ["P1M", "months are ambiguous"],
    ["P1Y", "years are ambiguous"],
    ["P1Y2M", "years and months"],
    ["300", "a bare number has no unit"],
    ["5", "a bare number"],
    ["", "empty"],
    ["P", "no components"],
    ["PT", "T with nothing after it"],
    ["P1DT", "T with nothing after it"],
    ["PT1.5H30M", "a fraction on a larger unit than the last"],
    ["xPT2Mx", "junk around an ISO duration"],
    ["5 minutes", "words"],
    ["30s1m", "units out of order"],
    ["1m 30s", "a gap between units"],
    ["-5s", "negative"],
    ["5sec", "unknown unit"],
  ])("rejects %j (%s)", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [300, "300ms"],
    [1500, "1.5s"],
    [120_000, "2m"],
    [5_400_000, "1h30m"],
    [86_400_000 + 7_200_000, "1d2h"],
    [61_500, "1m1.5s"],
  ])("writes %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("writes what parseDuration reads back to the same number of milliseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
      { numRuns: 500 },
    );
  });
});
