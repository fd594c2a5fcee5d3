/**
 * A tolerance is checked against what the probe declares it returns, for a team's own probes
 * too: a tolerance that can never pass (or never fail) is an input error, not a verdict.
 */
import { describe, expect, it } from "vitest";
import type { ProbeOutput } from "../../src/experiment/probe-output.js";
import { checkToleranceFits } from "../../src/experiment/tolerance-fit.js";
import { parseTolerance } from "../../src/experiment/tolerance.js";

function misfits(raw: unknown, output: ProbeOutput): { path: string; found: string }[] {
  const out: { path: string; found: string }[] = [];
  checkToleranceFits(parseTolerance(raw, []), output, "web-tasks", (path, _expected, found) => out.push({ path: path.join("."), found }));
  return out;
}

const oneCount: ProbeOutput = { value: { unit: "count" } };
const latency: ProbeOutput = { fields: { p95: { unit: "ms" }, ok: { unit: "bool" }, errorRate: { unit: "ratio" }, queued: { unit: "bytes", max: 1024 } } };

describe("a tolerance for a probe that declares a single value", () => {
  it.each([["== 6"], [6], ["between 1 and 10"], [[0, 1, 2]], [{ type: "range", range: [1, 5] }]])("accepts %j for a count", (raw) => {
    expect(misfits(raw, oneCount)).toEqual([]);
  });

  it.each([
    ["== -1", '"== -1"'],
    [2.5, "2.5"],
    ["<= 5s", '"<= 5s"'],
    [true, "true"],
    ["six", '"six"'],
    [{ tasks: 6 }, "a map of `tasks`"],
    [{ type: "regex", pattern: "6" }, "a {type: regex} tolerance"],
  ])("refuses %j for a count", (raw, found) => {
    expect(misfits(raw, oneCount)).toEqual([{ path: "", found }]);
  });
});

describe("a tolerance for a probe that declares fields", () => {
  it("names each unknown field, with a suggestion, and checks the known ones", () => {
    expect(misfits({ p59: "<= 1s", errorrate: "<= 1%", ok: true }, latency)).toEqual([
      { path: "p59", found: "the unknown field `p59`" },
      { path: "errorrate", found: "the unknown field `errorrate`" },
    ]);
  });

  it("checks a targeted regex, range or jsonpath against the field it targets", () => {
    expect(misfits({ type: "range", range: [0, 2], target: "errorRate" }, latency)).toEqual([{ path: "", found: "the range [0, 2]" }]);
    expect(misfits({ type: "regex", pattern: "x", target: "p95" }, latency)).toEqual([{ path: "", found: "a {type: regex} tolerance" }]);
    expect(misfits({ type: "jsonpath", path: "$.x", target: "p59" }, latency)).toEqual([{ path: "target", found: "the unknown field `p59`" }]);
  });

  it("holds a field to its declared range and a ratio to 0..1", () => {
    expect(misfits({ queued: "<= 2KiB", errorRate: "<= 0.5" }, latency)).toEqual([{ path: "queued", found: '"<= 2KiB"' }]);
    expect(misfits({ errorRate: "between 0% and 101%" }, latency)).toEqual([{ path: "errorRate", found: '"between 0% and 101%"' }]);
  });

  it("accepts what fits", () => {
    expect(misfits({ p95: "<= PT0.3S", ok: [true], errorRate: "<= 1%", queued: "<= 1KiB" }, latency)).toEqual([]);
  });
});
