/**
 * One alarm evaluation, as CloudWatch documents it (AlarmThatSendsEmail, "How CloudWatch alarms
 * evaluate missing data"): pure, so that its table can be tested row by row.
 *
 * The alarm fetches an evaluation range larger than N (EvaluationPeriods). With at least N real
 * points it judges the newest N of them, whatever TreatMissingData says: ALARM when at least M
 * (DatapointsToAlarm) breach, else OK. With none, TreatMissingData decides alone. With some but
 * fewer than N, `breaching` and `notBreaching` fill the gap up to N; `missing` and `ignore` judge
 * the real points, except that when every one of them breaches (fewer than M) and the oldest is at
 * least M periods old, `missing` goes to ALARM (the "premature" rule: a breach followed only by
 * silence) and `ignore` keeps its state.
 */
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export type TreatMissingData = "missing" | "ignore" | "breaching" | "notBreaching";

export interface RangePoint {
  /** Start of the period, in milliseconds. */
  timestamp: number;
  /** Undefined when the period has no data. */
  value?: number;
}

export interface EvaluationInput {
  /** The evaluation range, oldest first, one entry per period. */
  range: readonly RangePoint[];
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: TreatMissingData;
  breaches: (value: number) => boolean;
  current: AlarmState;
}

export interface Evaluation {
  state: AlarmState;
  /** How the state was reached, for the reason text. */
  basis: "threshold" | "all-missing" | "premature" | "kept";
  /** The real points judged, newest first, each with whether it breached. */
  judged: { timestamp: number; value: number; breaching: boolean }[];
  /** Missing periods counted in, and how. */
  filled: number;
  /** How many of the judged (and filled) points breached, out of how many. */
  breaching: number;
  outOf: number;
}

/** The evaluation range's length for N evaluation periods: the documented example fetches 5 for 3. */
export function evaluationRange(evaluationPeriods: number): number {
  return evaluationPeriods + 2;
}

export function evaluate(input: EvaluationInput): Evaluation {
  const { range, evaluationPeriods: n, datapointsToAlarm: m, treatMissingData: treat, breaches, current } = input;
  const real = range
    .map((p, i) => ({ timestamp: p.timestamp, value: p.value, age: range.length - i }))
    .filter((p): p is { timestamp: number; value: number; age: number } => p.value !== undefined)
    .reverse();
  const judge = (points: typeof real) => points.map((p) => ({ timestamp: p.timestamp, value: p.value, breaching: breaches(p.value) }));

  if (real.length === 0) {
    const state: AlarmState = treat === "missing" ? "INSUFFICIENT_DATA" : treat === "ignore" ? current : treat === "breaching" ? "ALARM" : "OK";
    return { state, basis: treat === "ignore" ? "kept" : "all-missing", judged: [], filled: n, breaching: treat === "breaching" ? n : 0, outOf: n };
  }

  if (real.length >= n) {
    const judged = judge(real.slice(0, n));
    const breaching = judged.filter((p) => p.breaching).length;
    return { state: breaching >= m ? "ALARM" : "OK", basis: "threshold", judged, filled: 0, breaching, outOf: n };
  }

  const judged = judge(real);
  const realBreaching = judged.filter((p) => p.breaching).length;
  if (treat === "breaching" || treat === "notBreaching") {
    const filled = n - real.length;
    const breaching = realBreaching + (treat === "breaching" ? filled : 0);
    return { state: breaching >= m ? "ALARM" : "OK", basis: "threshold", judged, filled, breaching, outOf: n };
  }

  // missing / ignore, fewer than N real points: judged as they are.
  if (realBreaching >= m) return { state: "ALARM", basis: "threshold", judged, filled: 0, breaching: realBreaching, outOf: real.length };
  if (realBreaching === real.length) {
    // Only breaches, fewer than M. Old enough: the premature rule. Too recent: nothing justifies a
    // change either way (the sandbox's reading where the documentation is silent: breaching data
    // never makes an alarm OK).
    const oldestAge = real[real.length - 1]!.age;
    if (oldestAge >= m && treat === "missing") return { state: "ALARM", basis: "premature", judged, filled: 0, breaching: realBreaching, outOf: real.length };
    return { state: current, basis: "kept", judged, filled: 0, breaching: realBreaching, outOf: real.length };
  }
  return { state: "OK", basis: "threshold", judged, filled: 0, breaching: realBreaching, outOf: real.length };
}
