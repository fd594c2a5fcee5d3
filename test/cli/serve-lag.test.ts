/**
 * `chaos sandbox serve` says when the machine could not keep pace with --speed: beyond the slip the
 * clock absorbs, the durations the sandbox models stretch, and a client's probes would read them.
 */
import { describe, expect, it } from "vitest";
import { LAG_REPORT_WALL_MS, watchLag } from "../../src/cli/serve-command.js";
import { PACED_MAX_SLIP_MS, VirtualClock } from "../../src/time/clock.js";

describe("the served sandbox's lag report", () => {
  it("is silent while the host keeps pace, and says how far behind it fell when it did not, once per period", async () => {
    const wall = new VirtualClock(0);
    const lags = [0, PACED_MAX_SLIP_MS, PACED_MAX_SLIP_MS + 2_500, 40];
    const lines: string[] = [];
    let asked = 0;
    const stop = watchLag({ takeLag: () => (asked++, lags.shift() ?? 0) }, wall, 5, (line) => lines.push(line));
    await wall.sleep(2.5 * LAG_REPORT_WALL_MS);
    // Within the slip (0, then exactly 5 s) nothing is said; 7.5 s is.
    expect(lines).toEqual([]);
    await wall.sleep(LAG_REPORT_WALL_MS); // 35 s: the third reading
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^behind: this machine fell up to 7\.5 virtual s behind --speed 5 in the last 10 s; beyond 5 s .*lower --speed/);
    await wall.sleep(2 * LAG_REPORT_WALL_MS); // 55 s
    expect(lines).toHaveLength(1);
    expect(asked).toBe(5);
    stop();
    await wall.sleep(3 * LAG_REPORT_WALL_MS);
    expect(asked).toBe(5);
    wall.stop();
  });
});
