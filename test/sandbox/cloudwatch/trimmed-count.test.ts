/**
 * TC(a:b) with absolute bounds, as CloudWatch defines it (Statistics-definitions.html): the number
 * of data points above a (exclusive) and at most b (inclusive), either bound optional. The
 * wordpress probe counts Lambda timeouts with it: Duration samples at the function's timeout.
 */
import { describe, expect, it } from "vitest";
import { computeStatistic, parseStatistic } from "../../../src/sandbox/services/cloudwatch/statistic.js";
import { addValue, emptyAggregate } from "../../../src/sandbox/services/cloudwatch/aggregate.js";

describe("trimmed count with absolute bounds", () => {
  const a = emptyAggregate();
  for (const [v, n] of [[100, 3], [150, 2], [1000, 4], [30_000, 5]] as const) addValue(a, v, n);

  it("counts values in (a, b], open at either end", () => {
    expect(computeStatistic(a, parseStatistic("TC(150:1000)")!)).toBe(4);
    expect(computeStatistic(a, parseStatistic("TC(29999:)")!)).toBe(5);
    expect(computeStatistic(a, parseStatistic("tc(:150)")!)).toBe(5);
  });

  it("refuses what it does not compute: no bounds, or bounds in percent", () => {
    expect(parseStatistic("TC(:)")).toBeUndefined();
    expect(parseStatistic("TC(10%:90%)")).toBeUndefined();
  });
});
