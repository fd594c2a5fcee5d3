import { describe, expect, it } from "vitest";
import { CronError, fireTimesBetween, nextFireTimes, parseCron } from "../../src/schedule/cron.js";

const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString());

describe("parseCron", () => {
  it.each([
    ["0 25 * * *", 2, "hour", "25"],
    ["60 3 * * *", 1, "minute", "60"],
    ["0 3 32 * *", 3, "day-of-month", "32"],
    ["0 3 * 13 *", 4, "month", "13"],
    ["0 3 * * 8", 5, "day-of-week", "8"],
    ["*/0 3 * * *", 1, "minute", "*/0"],
    ["0 3 * * MOO", 5, "day-of-week", "MOO"],
  ])("%s: names field %i (%s) and what is there", (expression, position, name, found) => {
    let error: unknown;
    try {
      parseCron(expression);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CronError);
    expect((error as CronError).field).toMatchObject({ position, name, found });
    expect((error as CronError).message).toMatch(new RegExp(`^field ${position} \\(${name}\\): expected `));
  });

  it("refuses six fields, saying that seconds are not supported", () => {
    expect(() => parseCron("0 0 3 * * *")).toThrow("expected 5 fields (minute hour day-of-month month day-of-week), found 6 (seconds are not supported: schedules run at most once a minute)");
  });

  it("refuses a time zone Intl does not know", () => {
    expect(() => parseCron("0 3 * * *", "Mars/Base")).toThrow('unknown time zone "Mars/Base"');
  });
});

describe("fire times", () => {
  it("follow the schedule's time zone across a daylight saving change", () => {
    const berlin = parseCron("0 3 * * *", "Europe/Berlin");
    // Summer time begins in Berlin on 2026-03-29: 03:00 is 02:00Z before it and 01:00Z after.
    expect(iso(nextFireTimes(berlin, Date.parse("2026-03-27T00:00:00Z"), 4))).toEqual(["2026-03-27T02:00:00.000Z", "2026-03-28T02:00:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T01:00:00.000Z"]);
  });

  it("in a window: after the start, up to and including the end", () => {
    const hourly = parseCron("0 * * * *");
    const start = Date.parse("2026-01-01T10:00:00Z");
    expect(iso(fireTimesBetween(hourly, start, start + 2 * 3_600_000).times)).toEqual(["2026-01-01T11:00:00.000Z", "2026-01-01T12:00:00.000Z"]);
  });

  it("stop at the limit and say there were more", () => {
    const minutely = parseCron("* * * * *");
    const start = Date.parse("2026-01-01T00:00:00Z");
    const r = fireTimesBetween(minutely, start, start + 86_400_000, 10);
    expect(r.times).toHaveLength(10);
    expect(r.more).toBe(true);
  });
});
