/**
 * CloudWatch's documented table of how an alarm treats missing data (AlarmThatSendsEmail; every
 * row of reference/cloudwatch-and-deployments.md §5): newest point on the right, `0` not breaching,
 * `X` breaching, `-` missing; columns missing / ignore / breaching / notBreaching.
 */
import { describe, expect, it } from "vitest";
import { evaluate, evaluationRange, type AlarmState, type TreatMissingData } from "../../../src/sandbox/services/cloudwatch/evaluate.js";

const TREATMENTS: TreatMissingData[] = ["missing", "ignore", "breaching", "notBreaching"];

function run(row: string, treat: TreatMissingData, m: number, n: number, current: AlarmState) {
  const range = [...row].map((c, i) => ({ timestamp: i * 60_000, ...(c === "-" ? {} : { value: c === "X" ? 10 : 0 }) }));
  return evaluate({ range, evaluationPeriods: n, datapointsToAlarm: m, treatMissingData: treat, breaches: (v) => v > 5, current });
}

// "keep" = the alarm's current state, tried from each state.
const TABLE: [string, number, number, (AlarmState | "keep")[]][] = [
  ["0-X-X", 3, 3, ["OK", "OK", "OK", "OK"]],
  ["0----", 3, 3, ["OK", "OK", "OK", "OK"]],
  ["-----", 3, 3, ["INSUFFICIENT_DATA", "keep", "ALARM", "OK"]],
  ["0XX-X", 3, 3, ["ALARM", "ALARM", "ALARM", "ALARM"]],
  ["--X--", 3, 3, ["ALARM", "keep", "ALARM", "OK"]],
  ["0-X--", 2, 3, ["OK", "OK", "ALARM", "OK"]],
];

describe("alarm evaluation against CloudWatch's documented missing-data table", () => {
  it("fetches 5 points for 3 evaluation periods", () => {
    expect(evaluationRange(3)).toBe(5);
  });

  for (const [row, m, n, expected] of TABLE) {
    TREATMENTS.forEach((treat, column) => {
      it(`${row} with M=${m} N=${n}, ${treat} -> ${expected[column]}`, () => {
        for (const current of ["OK", "ALARM", "INSUFFICIENT_DATA"] as const) {
          const want = expected[column] === "keep" ? current : expected[column];
          expect(run(row, treat, m, n, current).state).toBe(want);
        }
      });
    });
  }

  it("counts breaches that are not consecutive (M of N)", () => {
    expect(run("X0X0X", "missing", 3, 5, "OK").state).toBe("ALARM");
    expect(run("X000X", "missing", 3, 5, "OK").state).toBe("OK");
  });

  it("judges only the newest N real points when there are more", () => {
    expect(run("XXX00", "missing", 1, 2, "ALARM").state).toBe("OK");
    expect(run("000XX", "missing", 2, 2, "OK").state).toBe("ALARM");
  });

  it("does not call a lone recent breach OK under missing data (too young for the premature rule)", () => {
    expect(run("----X", "missing", 3, 3, "INSUFFICIENT_DATA").state).toBe("INSUFFICIENT_DATA");
    expect(run("----X", "missing", 3, 3, "OK").state).toBe("OK");
    expect(run("--X--", "missing", 3, 3, "OK").basis).toBe("premature");
  });
});
