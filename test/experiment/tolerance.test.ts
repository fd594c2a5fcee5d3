import { describe, expect, it } from "vitest";
import { evaluateTolerance, parseTolerance } from "../../src/experiment/tolerance.js";
import { InvalidInputError, type InputError } from "../../src/experiment/model.js";

const at = ["method", 0, "tolerance"];

function judge(raw: unknown, value: unknown) {
  return evaluateTolerance(parseTolerance(raw, at), value);
}

function errorsOf(raw: unknown): InputError[] {
  try {
    parseTolerance(raw, at);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as InvalidInputError).errors;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe("Chaos Toolkit tolerances", () => {
  it("compares booleans, numbers and strings exactly", () => {
    expect(judge(true, true).ok).toBe(true);
    expect(judge(true, "true")).toEqual({ ok: false, reason: 'the value was "true", expected true' });
    expect(judge(3, 3).ok).toBe(true);
    expect(judge("ready", "ready").ok).toBe(true);
    expect(judge("ready", "Ready")).toEqual({ ok: false, reason: 'the value was "Ready", expected "ready"' });
  });

  it("compares a number with the status of an http or process output", () => {
    const output = { status: 503, headers: {}, body: "busy" };
    expect(judge(200, { ...output, status: 200 }).ok).toBe(true);
    expect(judge(200, output)).toEqual({ ok: false, reason: "status was 503, expected 200" });
  });

  it("checks a status against a list, a number against a two-number range, and anything else for membership", () => {
    expect(judge([200, 204], { status: 204 }).ok).toBe(true);
    expect(judge([200, 204], { status: 500 }).reason).toBe("status was 500, expected one of [200,204]");
    expect(judge([1, 5], 5).ok).toBe(true);
    expect(judge([1, 5], 6)).toEqual({ ok: false, reason: "the value was 6, expected between 1 and 5" });
    expect(judge(["ACTIVE", "DRAINING", "INACTIVE"], "DRAINING").ok).toBe(true);
    expect(judge(["ACTIVE", "DRAINING", "INACTIVE"], "GONE").ok).toBe(false);
  });

  it("matches a regex, on a target key when given, with Python's named groups translated", () => {
    expect(judge({ type: "regex", pattern: "^ok" }, "ok: 3 shards").ok).toBe(true);
    expect(judge({ type: "regex", pattern: "^(?P<n>\\d+)/(?P=n)$", target: "stdout" }, { status: 0, stdout: "3/3" }).ok).toBe(true);
    expect(judge({ type: "regex", pattern: "^(?P<n>\\d+)/(?P=n)$", target: "stdout" }, { status: 0, stdout: "2/3" })).toEqual({
      ok: false,
      reason: 'stdout was "2/3", expected a string matching /^(?P<n>\\d+)/(?P=n)$/',
    });
    expect(judge({ type: "regex", pattern: "x", target: "stdout" }, { status: 0 })).toEqual({
      ok: false,
      reason: 'the value had no stdout to judge (it was {"status":0})',
    });
  });

  it("queries JSON (parsing a JSON string first) with jsonpath: any match, count or expect", () => {
    const body = JSON.stringify({ items: [{ status: "ok" }, { status: "ok" }] });
    expect(judge({ type: "jsonpath", path: "$.items[*].status" }, body).ok).toBe(true);
    expect(judge({ type: "jsonpath", path: "$.missing" }, body).ok).toBe(false);
    expect(judge({ type: "jsonpath", path: "$.items[*]", count: 2 }, body).ok).toBe(true);
    expect(judge({ type: "jsonpath", path: "$.items[*]", count: 3 }, body).reason).toContain("expected 3 match(es) for $.items[*]");
    expect(judge({ type: "jsonpath", path: "$.items[0].status", expect: "ok", target: "body" }, { status: 200, body }).ok).toBe(true);
    expect(judge({ type: "jsonpath", path: "$.items[0].status", expect: "down", target: "body" }, { status: 200, body }).ok).toBe(false);
    expect(judge({ type: "jsonpath", path: "$.a" }, "not json").reason).toBe('the value was "not json", expected JSON to query with $.a');
  });

  it("checks an inclusive numeric range, on a target key when given", () => {
    expect(judge({ type: "range", range: [0, 0.05], target: "errorRate" }, { errorRate: 0.05 }).ok).toBe(true);
    expect(judge({ type: "range", range: [0, 0.05], target: "errorRate" }, { errorRate: 0.2 })).toEqual({
      ok: false,
      reason: "errorRate was 0.2, expected between 0 and 0.05",
    });
    expect(judge({ type: "range", range: [1, 2] }, "1.5").ok).toBe(false);
  });
});

describe("comparison strings", () => {
  it.each([
    [">= 0.999", 0.9995, true],
    [">= 0.999", 0.998, false],
    ["< 5", 4, true],
    ["< 5", 5, false],
    ["> 5", 6, true],
    ["== 0", 0, true],
    ["== 0", 1, false],
    ["= 0", 0, true],
    ["!= 0", 2, true],
    ["!= 0", 0, false],
    ["<= 300ms", 300, true],
    ["<= 2s", 2001, false],
    ["<= PT2S", 2000, true],
    [">= 99.9%", 0.999, true],
    [">= 99.9%", 0.9989, false],
    ["<= 64MiB", 64 * 1024 * 1024, true],
    ["<= 64MiB", 64 * 1024 * 1024 + 1, false],
    ["< 1GB", 999_999_999, true],
    ["between 1 and 5", 1, true],
    ["between 1 and 5", 5.5, false],
    ["between 100ms and 2s", 1500, true],
    ["between 100ms and 2s", 50, false],
  ])("%s against %d: %s", (tolerance, value, ok) => {
    expect(judge(tolerance, value).ok).toBe(ok);
  });

  it("explains a miss in the unit the tolerance was written in", () => {
    expect(judge("<= 300ms", 412).reason).toBe("the value was 412 ms, expected <= 300 ms");
    expect(judge("<= 2s", 2412).reason).toBe("the value was 2.412 s, expected <= 2 s");
    expect(judge(">= 99.9%", 0.991).reason).toBe("the value was 99.1%, expected >= 99.9%");
    expect(judge("<= 64MiB", 96 * 1024 * 1024).reason).toBe("the value was 96 MiB, expected <= 64 MiB");
    expect(judge("between 100ms and 2s", 2500).reason).toBe("the value was 2500 ms, expected between 100 ms and 2000 ms");
  });

  it("compares the status of a provider's output, and fails on a value that is not a number", () => {
    expect(judge("< 500", { status: 200 }).ok).toBe(true);
    expect(judge("< 500", "fast")).toEqual({ ok: false, reason: 'the value was "fast", expected a number < 500' });
  });
});

describe("field maps", () => {
  const slo = { availability: ">= 0.999", p95: "<= 300ms", status: 200 };

  it("passes when every named field passes", () => {
    const verdict = judge(slo, { availability: 1, p95: 212, p99: 500, status: 200 });
    expect(verdict.ok).toBe(true);
    expect(verdict.reason).toBe("availability was 1 (expected >= 0.999); p95 was 212 ms (expected <= 300 ms); status was 200 (expected 200)");
  });

  it("lists only the fields that missed", () => {
    expect(judge(slo, { availability: 0.9995, p95: 412, status: 200 })).toEqual({ ok: false, reason: "p95 was 412 ms, expected <= 300 ms" });
  });

  it("fails a missing field with a reason", () => {
    expect(judge(slo, { availability: 1, status: 200 })).toEqual({ ok: false, reason: "p95 was missing, expected <= 300 ms" });
  });

  it("judges nested fields with any form", () => {
    const t = { latency: { p95: "<= 300ms" }, state: ["RUNNING", "PENDING"], id: { type: "regex", pattern: "^i-" } };
    expect(judge(t, { latency: { p95: 100 }, state: "RUNNING", id: "i-0abc" }).ok).toBe(true);
    expect(judge(t, { latency: { p95: 400 }, state: "RUNNING", id: "i-0abc" }).reason).toBe("latency.p95 was 400 ms, expected <= 300 ms");
    expect(judge(t, "flat")).toEqual({ ok: false, reason: 'the value was "flat", expected a map with latency, state, id' });
  });
});

describe("parseTolerance rejects bad tolerances with their path", () => {
  it("explains that a probe as a tolerance needs Python", () => {
    const [error, ...rest] = errorsOf({ type: "probe", name: "check", provider: { type: "python", module: "m", func: "f" } });
    expect(rest).toEqual([]);
    expect(error?.path).toBe("method[0].tolerance.type");
    expect(error?.expected).toContain("a probe as a tolerance runs Python, which gameday does not run");
    expect(error?.expected).toContain("`type: regex`");
  });

  it.each([
    [null, "method[0].tolerance", "an empty value (null)"],
    [[], "method[0].tolerance", "an empty list"],
    [{}, "method[0].tolerance", "an empty map"],
    ["<= 300 parsecs", "method[0].tolerance", '"<= 300 parsecs": the unknown unit `parsecs`'],
    ["between 5 and 1", "method[0].tolerance", '"between 5 and 1"'],
    ["between 1s and 5MiB", "method[0].tolerance", '"between 1s and 5MiB" (duration and bytes)'],
    ["between lunch", "method[0].tolerance", '"between lunch"'],
    [{ type: "regex", pattern: "(" }, "method[0].tolerance.pattern", '"(": Invalid regular expression: /(/: Unterminated group'],
    [{ type: "regex" }, "method[0].tolerance.pattern", "nothing"],
    [{ type: "jsonpath", path: "items" }, "method[0].tolerance.path", '"items"'],
    [{ type: "jsonpath", path: "$.a", count: -1 }, "method[0].tolerance.count", "-1"],
    [{ type: "range", range: [5, 1] }, "method[0].tolerance.range", "a list [5,1]"],
    [{ type: "range", range: [1] }, "method[0].tolerance.range", "a list [1]"],
    [{ type: "range", range: [1, 2], extra: 1 }, "method[0].tolerance.extra", "the unknown key `extra`"],
    [{ type: "sql" }, "method[0].tolerance.type", '"sql"'],
    [{ p95: "<= lots" }, "method[0].tolerance.p95", '"<= lots": not a number with an optional unit'],
    [Number.POSITIVE_INFINITY, "method[0].tolerance", "Infinity"],
    // Not numbers, though they read like one: equality with the text would only ever fail.
    [{ p95: "NaN" }, "method[0].tolerance.p95", '"NaN"'],
    ["-Infinity", "method[0].tolerance", '"-Infinity"'],
    [[1, Number.NaN], "method[0].tolerance", "a list [1,null]"],
    // Operators gameday does not know are not strings to equal.
    [{ p95: "*= 300ms" }, "method[0].tolerance.p95", '"*= 300ms": `*=` is not a comparison'],
    ["=> 5", "method[0].tolerance", '"=> 5": `=>` is not a comparison (did you mean `>=`?)'],
    ["≤ 300ms", "method[0].tolerance", '"≤ 300ms": `≤` is not a comparison (did you mean `<=`?)'],
    [{ type: "jsonpath", path: "$.a", count: 99999999999999999999999 }, "method[0].tolerance.count", "1e+23"],
  ])("%j is reported at %s, found %s", (raw, path, found) => {
    const errors = errorsOf(raw);
    expect(errors.map((e) => [e.path, e.found])).toContainEqual([path, found]);
    for (const e of errors) expect(e.expected.length).toBeGreaterThan(0);
  });

  it("reports every bad field of a field map at once", () => {
    const errors = errorsOf({ p95: "<= soon", p99: null, availability: ">= 0.99" });
    expect(errors.map((e) => e.path)).toEqual(["method[0].tolerance.p95", "method[0].tolerance.p99"]);
  });

  it("locates errors in a file when told where the tolerance is", () => {
    const where = { file: "probes/http-slo.ts", positionOf: () => ({ line: 7, column: 3 }) };
    try {
      parseTolerance("<= fast", ["defaultTolerance"], where);
      throw new Error("not rejected");
    } catch (err) {
      expect((err as InvalidInputError).errors[0]).toMatchObject({ file: "probes/http-slo.ts", position: { line: 7, column: 3 } });
    }
  });
});
