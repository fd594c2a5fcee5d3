/**
 * Metric math as a dashboard or an alarm relies on it: precedence, series aligned by timestamp,
 * missing points, FILL, division by zero, the functions alarms use, and errors that say where.
 */
import { describe, expect, it } from "vitest";
import { asSeries, evaluateNode, ExpressionError, parseExpression, type Series } from "../../../src/sandbox/services/cloudwatch/expression.js";

const P = 60_000;
const grid = [0, P, 2 * P, 3 * P, 4 * P];

/** A series from values per grid slot; undefined is a missing point. */
function series(...values: (number | undefined)[]): Series {
  const s: Series = new Map();
  values.forEach((v, i) => v !== undefined && s.set(i * P, v));
  return s;
}

/** The expression's result per grid slot (undefined where it has no point), or its scalar. */
function run(expression: string, vars: Record<string, Series> = {}): (number | undefined)[] | number {
  const ctx = {
    grid,
    resolve: (id: string, at: number) => {
      const s = vars[id];
      if (!s) throw new ExpressionError(`unknown id ${id}`, at);
      return { kind: "series" as const, series: s };
    },
  };
  const v = evaluateNode(parseExpression(expression), ctx);
  if (v.kind === "scalar") return v.value;
  const s = asSeries(v, ctx, 0);
  return grid.map((t) => s.get(t));
}

describe("metric math: arithmetic", () => {
  it("follows precedence, parentheses, unary minus and right-associative ^", () => {
    expect(run("1 + 2 * 3")).toBe(7);
    expect(run("(1 + 2) * 3")).toBe(9);
    expect(run("10 - 4 - 3")).toBe(3);
    expect(run("2 ^ 3 ^ 2")).toBe(512);
    expect(run("-2 ^ 2")).toBe(-4);
    expect(run("8 / 2 / 2")).toBe(2);
    expect(run("1.5e2 + .5")).toBe(150.5);
    expect(run("-(3 - 5) * 2")).toBe(4);
  });

  it("computes availability from load generator counts, point by point", () => {
    const m1 = series(100, 200, 50);
    const m2 = series(5, 0, 0);
    const m3 = series(0, 10, 0);
    const m4 = series(0, 0, 50);
    expect(run("1 - (m2 + m3 + m4) / m1", { m1, m2, m3, m4 })).toEqual([0.95, 0.95, 0, undefined, undefined]);
  });

  it("aligns series by timestamp: a point missing in any operand is missing in the result", () => {
    const a = series(1, undefined, 3, 4);
    const b = series(10, 20, undefined, 40);
    expect(run("a + b", { a, b })).toEqual([11, undefined, undefined, 44, undefined]);
    expect(run("a * 2", { a })).toEqual([2, undefined, 6, 8, undefined]);
  });

  it("gives no point where a division is by zero", () => {
    const errors = series(1, 0, 2);
    const requests = series(10, 0, 0);
    expect(run("errors / requests", { errors, requests })).toEqual([0.1, undefined, undefined, undefined, undefined]);
  });

  it("compares and combines with AND / OR as 1 and 0", () => {
    const a = series(1, 5, 10);
    expect(run("a > 4 AND a < 10", { a })).toEqual([0, 1, 0, undefined, undefined]);
    expect(run("a <= 1 || a == 10", { a })).toEqual([1, 0, 1, undefined, undefined]);
    expect(run("a != 5 && a >= 1", { a })).toEqual([1, 0, 1, undefined, undefined]);
  });
});

describe("metric math: functions", () => {
  it("FILL fills the query's empty periods with a constant, REPEAT or LINEAR", () => {
    const a = series(undefined, 2, undefined, 6);
    expect(run("FILL(a, 0)", { a })).toEqual([0, 2, 0, 6, 0]);
    expect(run("FILL(a, REPEAT)", { a })).toEqual([undefined, 2, 2, 6, 6]);
    expect(run("FILL(a, LINEAR)", { a })).toEqual([undefined, 2, 4, 6, undefined]);
    const b = series(1, 1, 1, 1, 1);
    expect(run("FILL(a, 0) + b", { a, b })).toEqual([1, 3, 1, 7, 1]);
  });

  it("IF picks per point, and drops points where the false branch is absent", () => {
    const a = series(1, 5, 10);
    expect(run("IF(a > 4, a, 0)", { a })).toEqual([0, 5, 10, undefined, undefined]);
    expect(run("IF(a > 4, 1)", { a })).toEqual([undefined, 1, 1, undefined, undefined]);
  });

  it("MIN/MAX/SUM/AVG of one series are scalars; of several, a series across them", () => {
    const a = series(1, 5, undefined, 10);
    const b = series(3, undefined, undefined, 2);
    expect(run("MAX(a)", { a })).toBe(10);
    expect(run("AVG(a)", { a })).toBeCloseTo(16 / 3);
    expect(run("a - MIN(a)", { a })).toEqual([0, 4, undefined, 9, undefined]);
    expect(run("SUM([a, b])", { a, b })).toEqual([4, 5, undefined, 12, undefined]);
    expect(run("MAX(a, b)", { a, b })).toEqual([3, 5, undefined, 10, undefined]);
    expect(run("AVG([a, b])", { a, b })).toEqual([2, 5, undefined, 6, undefined]);
  });

  it("ABS, DIFF and RATE (per second)", () => {
    const a = series(-1, 2, undefined, 14);
    expect(run("ABS(a)", { a })).toEqual([1, 2, undefined, 14, undefined]);
    expect(run("DIFF(a)", { a })).toEqual([undefined, 3, undefined, 12, undefined]);
    expect(run("RATE(a)", { a })).toEqual([undefined, 0.05, undefined, 0.1, undefined]);
  });
});

describe("metric math: errors name what is wrong and where", () => {
  const fails = (expression: string) => {
    try {
      run(expression, { m1: series(1) });
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      return { message: (e as Error).message, position: (e as ExpressionError).position };
    }
    throw new Error(`${expression} did not fail`);
  };

  it("reports syntax errors with the offending position", () => {
    expect(fails("m1 +")).toEqual({ message: "expected a number, a query id, a function or '(' but found 'end of expression'", position: 4 });
    expect(fails("(m1 * 2")).toMatchObject({ message: "expected ')' but found 'end of expression'", position: 7 });
    expect(fails("m1 2")).toMatchObject({ message: "unexpected '2'", position: 3 });
    expect(fails("m1 % 2")).toMatchObject({ message: "unexpected character '%'", position: 3 });
    expect(fails("M1 * 2")).toMatchObject({ position: 0 });
    expect(fails("m1 * NOPE(m1)").message).toMatch(/unknown function NOPE/);
    // SEARCH's quoted arguments do not stop the parser before it names the function it refuses.
    expect(fails(`SEARCH('{AWS/EC2,InstanceId} MetricName="CPUUtilization"', 'Average', 300)`)).toMatchObject({ message: expect.stringMatching(/^unknown function SEARCH \(the sandbox evaluates /), position: 0 });
    expect(fails("FILL(m1)").message).toMatch(/FILL takes 2 argument/);
    expect(fails("m1 + REPEAT")).toMatchObject({ message: "REPEAT is only valid as FILL's second argument", position: 5 });
  });
});
