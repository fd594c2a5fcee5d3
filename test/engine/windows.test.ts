/**
 * Allowed windows: days and hours in an IANA zone, freeze dates, and the next allowed start.
 */
import { describe, expect, it } from "vitest";
import { checkWindow, type Windows } from "../../src/engine/windows.js";

const at = (iso: string) => Date.parse(iso);
// Mon-Thu 09:00-16:00 in Berlin (UTC+1 in winter, UTC+2 in summer).
const office: Windows = { timezone: "Europe/Berlin", days: ["mon", "tue", "wed", "thu"], hours: { startMin: 9 * 60, endMin: 16 * 60 } };

describe("allowed windows", () => {
  it("allow a start inside the days and hours of the zone, not in UTC's", () => {
    expect(checkWindow(office, at("2026-12-07T08:00:00Z"))).toEqual({ allowed: true }); // Mon 09:00 Berlin
    expect(checkWindow(office, at("2026-12-07T14:59:00Z"))).toEqual({ allowed: true }); // Mon 15:59
    const late = checkWindow(office, at("2026-12-07T15:00:00Z")); // Mon 16:00, the end is excluded
    expect(late).toEqual({ allowed: false, why: "16:00 is outside 09:00-16:00", next: at("2026-12-08T08:00:00Z") });
  });

  it("outside, name the next allowed start: over a weekend, and over a DST change", () => {
    expect(checkWindow(office, at("2026-12-04T10:00:00Z"))).toMatchObject({ allowed: false, why: expect.stringMatching(/fri is not an allowed day/), next: at("2026-12-07T08:00:00Z") });
    // Berlin moves to summer time on Sunday 2027-03-28: Monday 09:00 is 07:00 UTC.
    expect(checkWindow(office, at("2027-03-26T10:00:00Z"))).toMatchObject({ allowed: false, next: at("2027-03-29T07:00:00Z") });
  });

  it("skip freeze dates, also when looking for the next start", () => {
    const frozen: Windows = { ...office, freeze: ["2026-12-07", "2026-12-08"] };
    expect(checkWindow(frozen, at("2026-12-07T10:00:00Z"))).toEqual({ allowed: false, why: "2026-12-07 is a freeze date", next: at("2026-12-09T08:00:00Z") });
  });

  it("without windows every time is allowed", () => {
    expect(checkWindow(undefined, at("2026-12-05T03:00:00Z"))).toEqual({ allowed: true });
  });
});
