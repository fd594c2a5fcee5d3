import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseCron } from "../../src/schedule/cron.js";
import { decideDue, type ScheduleState } from "../../src/schedule/cron-due.js";
import type { Schedule } from "../../src/schedule/schedules-config.js";

function schedule(cron: string, timezone = "UTC"): Schedule {
  return { name: "s", cron: parseCron(cron, timezone), kind: "experiment", what: "spot-interrupt", target: "sandbox", vars: {}, where: "gameday.yaml:3" };
}

const at = (text: string) => Date.parse(text);
const MIN = 60_000;

describe("decideDue", () => {
  const daily = schedule("0 3 * * *");

  it("a first check looks back one minute: due just after the time, not later", () => {
    expect(decideDue(daily, undefined, at("2026-05-01T03:00:30Z")).due).toBe(at("2026-05-01T03:00:00Z"));
    expect(decideDue(daily, undefined, at("2026-05-01T03:01:30Z")).due).toBeUndefined();
  });

  it("a second check in the same minute finds nothing due", () => {
    const first = at("2026-05-01T03:00:10Z");
    expect(decideDue(daily, undefined, first).due).toBe(at("2026-05-01T03:00:00Z"));
    expect(decideDue(daily, { lastCheck: first }, at("2026-05-01T03:00:50Z")).due).toBeUndefined();
  });

  it("runs once for the latest of the times missed since the last check and reports the others", () => {
    const d = decideDue(daily, { lastCheck: at("2026-05-01T12:00:00Z") }, at("2026-05-04T12:00:00Z"));
    expect(d.due).toBe(at("2026-05-04T03:00:00Z"));
    expect(d.missed).toEqual([at("2026-05-02T03:00:00Z"), at("2026-05-03T03:00:00Z")]);
    expect(d.moreMissed).toBe(false);
  });

  it("a clock set back before the last check runs nothing", () => {
    expect(decideDue(daily, { lastCheck: at("2026-05-02T04:00:00Z") }, at("2026-05-02T03:00:30Z")).due).toBeUndefined();
  });

  it("property: over any sequence of checks, each fire time after the first is run or reported missed, exactly once", () => {
    const every7 = schedule("*/7 * * * *", "Asia/Kolkata");
    const start = at("2026-05-01T00:00:00Z");
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 * MIN }), { minLength: 1, maxLength: 30 }), (gaps) => {
        let state: ScheduleState | undefined = { lastCheck: start };
        let now = start;
        const seen: number[] = [];
        for (const gap of gaps) {
          now += gap;
          const d = decideDue(every7, state, now);
          seen.push(...d.missed, ...(d.due !== undefined ? [d.due] : []));
          state = { lastCheck: now };
        }
        const expected: number[] = [];
        // Minutes 0, 7, ..., 56 of each hour in Kolkata (UTC+05:30, so 30 minutes past UTC's), in (start, now].
        for (let t = start + MIN; t <= now; t += MIN) if ((new Date(t).getUTCMinutes() + 30) % 60 % 7 === 0) expected.push(t);
        expect(seen).toEqual(expected);
      }),
    );
  });
});
