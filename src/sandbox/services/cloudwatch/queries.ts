/**
 * MetricDataQuery lists, as GetMetricData and math alarms (PutMetricAlarm's Metrics) take them:
 * read from the wire with AWS's checks (ids, one of MetricStat and Expression, expressions that
 * parse, known ids, no cycles), then answered from the store over [start, end).
 */
import { invalidCombination, invalidValue, missing } from "./errors.js";
import { asSeries, evaluateNode, ExpressionError, parseExpression, referencedIds, type Node, type Value } from "./expression.js";
import { parseStatistic, STANDARD_STATISTICS, type Statistic } from "./statistic.js";
import type { Datapoint, MetricStore } from "./store.js";
import { asObject, dimensions, optionalBoolean, optionalInteger, optionalString, optionalUnit, requiredInteger, requiredString, validPeriod, type Input } from "./wire.js";

const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;
const MINUTE = 60_000;
/** GetMetricData's most datapoints per call; an expression's period grid may not exceed it. */
const MAX_DATAPOINTS = 100_800;

export interface MetricStatQuery {
  kind: "metric";
  id: string;
  label?: string;
  returnData: boolean;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  /** Seconds. */
  period: number;
  /** The statistic's name as given (Sum, p99...). */
  stat: string;
  statistic: Statistic;
  unit?: string;
}

export interface ExpressionQuery {
  kind: "expression";
  id: string;
  label?: string;
  returnData: boolean;
  expression: string;
  node: Node;
  /** Seconds; the period of the metrics it reads when absent. */
  period?: number;
}

export type MetricQuery = MetricStatQuery | ExpressionQuery;

/** A statistic name the sandbox computes, else InvalidParameterValue naming what it supports. */
export function statistic(name: string, path: string): Statistic {
  const s = parseStatistic(name);
  if (!s) throw invalidValue(`The value ${name} for parameter ${path} is not supported: expected ${STANDARD_STATISTICS.join(", ")} or a percentile pNN / pNN.NN, or TC(a:b).`);
  return s;
}

/** Reads a MetricDataQuery list; `prefix` names it in errors (MetricDataQueries, Metrics). */
export function readQueries(list: readonly unknown[], prefix: string, allowedShortPeriods?: readonly number[]): MetricQuery[] {
  const ids = new Set<string>();
  const queries = list.map((raw, i): MetricQuery => {
    const at = `${prefix}.member.${i + 1}`;
    const q = asObject(raw, at);
    const id = requiredString(q, "Id", `${at}.Id`);
    if (!QUERY_ID.test(id)) throw invalidValue(`The value ${id} for parameter ${at}.Id is invalid: it must start with a lowercase letter and contain only letters, digits and underscores.`);
    if (ids.has(id)) throw invalidValue(`The value ${id} for parameter ${at}.Id is not unique.`);
    ids.add(id);
    const label = optionalString(q, "Label", `${at}.Label`);
    const common = { id, returnData: optionalBoolean(q, "ReturnData", `${at}.ReturnData`) ?? true, ...(label !== undefined ? { label } : {}) };
    const expression = optionalString(q, "Expression", `${at}.Expression`);
    const hasStat = q.MetricStat !== undefined && q.MetricStat !== null;
    if (expression !== undefined && hasStat) throw invalidCombination(`The parameters ${at}.MetricStat and ${at}.Expression are mutually exclusive.`);
    if (expression !== undefined) {
      let node: Node;
      try {
        node = parseExpression(expression);
      } catch (e) {
        throw expressionError(e, expression, `${at}.Expression`);
      }
      const period = optionalInteger(q, "Period", `${at}.Period`);
      return { kind: "expression", ...common, expression, node, ...(period !== undefined ? { period: validPeriod(period, `${at}.Period`, allowedShortPeriods) } : {}) };
    }
    if (!hasStat) throw missing(`${at}.MetricStat`);
    const stat = asObject(q.MetricStat, `${at}.MetricStat`);
    const metric = asObject(stat.Metric ?? {}, `${at}.MetricStat.Metric`);
    const statName = requiredString(stat, "Stat", `${at}.MetricStat.Stat`);
    const unit = optionalUnit(stat, "Unit", `${at}.MetricStat.Unit`);
    return {
      kind: "metric",
      ...common,
      namespace: requiredString(metric, "Namespace", `${at}.MetricStat.Metric.Namespace`),
      name: requiredString(metric, "MetricName", `${at}.MetricStat.Metric.MetricName`),
      dimensions: dimensions(metric, "Dimensions", `${at}.MetricStat.Metric.Dimensions`),
      period: validPeriod(requiredInteger(stat, "Period", `${at}.MetricStat.Period`), `${at}.MetricStat.Period`, allowedShortPeriods),
      stat: statName,
      statistic: statistic(statName, `${at}.MetricStat.Stat`),
      ...(unit !== undefined ? { unit } : {}),
    };
  });
  checkReferences(queries, prefix);
  return queries;
}

/** Every id an expression reads exists, and no expression reads itself through others. */
function checkReferences(queries: readonly MetricQuery[], prefix: string): void {
  const byId = new Map(queries.map((q, i) => [q.id, { q, at: `${prefix}.member.${i + 1}.Expression` }]));
  for (const { q, at } of byId.values()) {
    if (q.kind !== "expression") continue;
    for (const [id, position] of referencedIds(q.node)) {
      if (!byId.has(id)) throw invalidValue(`The value ${q.expression} for parameter ${at} is invalid: unknown query id '${id}' at character ${position + 1}.`);
    }
  }
  const done = new Set<string>();
  const visit = (id: string, path: string[]): void => {
    if (done.has(id)) return;
    const entry = byId.get(id)!;
    if (path.includes(id)) {
      throw invalidValue(`The value ${entry.q.kind === "expression" ? entry.q.expression : id} for parameter ${entry.at} is invalid: circular reference ${[...path.slice(path.indexOf(id)), id].join(" -> ")}.`);
    }
    if (entry.q.kind === "expression") for (const dep of referencedIds(entry.q.node).keys()) visit(dep, [...path, id]);
    done.add(id);
  };
  for (const id of byId.keys()) visit(id, []);
}

function expressionError(e: unknown, expression: string, path: string): Error {
  if (!(e instanceof ExpressionError)) return e as Error;
  return invalidValue(`The value ${expression} for parameter ${path} is invalid: ${e.message} at character ${e.position + 1}.`);
}

/**
 * Answers queries over [start, end): each query's points, oldest first. Metrics are read once
 * whatever reads them; expressions align their operands by timestamp on the period grid.
 * `prefix` names the list in errors found only while evaluating (an array where a series goes).
 */
export function answerQueries(queries: readonly MetricQuery[], store: Pick<MetricStore, "query" | "snapshot">, start: number, end: number, prefix: string): Map<string, Datapoint[]> {
  // Every query reads the same publication, however the clock moves meanwhile (see MetricStore.snapshot).
  return store.snapshot(() => answerOn(queries, store, start, end, prefix));
}

function answerOn(queries: readonly MetricQuery[], store: Pick<MetricStore, "query">, start: number, end: number, prefix: string): Map<string, Datapoint[]> {
  const byId = new Map(queries.map((q, i) => [q.id, { q, index: i }]));
  const values = new Map<string, Value>();
  const fallbackPeriod = queries.find((q): q is MetricStatQuery => q.kind === "metric")?.period ?? 60;

  const periodOf = (q: MetricQuery, seen = new Set<string>()): number => {
    if (q.kind === "metric") return q.period;
    if (q.period !== undefined) return q.period;
    seen.add(q.id);
    for (const id of referencedIds(q.node).keys()) {
      const dep = byId.get(id)!.q;
      if (!seen.has(dep.id)) return periodOf(dep, seen);
    }
    return fallbackPeriod;
  };

  const valueOf = (id: string): Value => {
    const known = values.get(id);
    if (known) return known;
    const { q, index } = byId.get(id)!;
    let v: Value;
    if (q.kind === "metric") {
      const points = store.query({ namespace: q.namespace, name: q.name, dimensions: q.dimensions, period: q.period, statistic: q.statistic, start, end, ...(q.unit !== undefined ? { unit: q.unit } : {}) });
      v = { kind: "series", series: new Map(points.map((p) => [p.timestamp, p.value])) };
    } else {
      const period = periodOf(q);
      const periods = Math.ceil((end - start) / (period * 1000));
      if (periods > MAX_DATAPOINTS) {
        throw invalidValue(`${prefix}.member.${index + 1} would give ${periods} datapoints (at most ${MAX_DATAPOINTS}) at a period of ${period} s: shorten the time range or lengthen the Period.`);
      }
      const ctx = { resolve: (ref: string) => valueOf(ref), grid: grid(start, end, period) };
      try {
        v = evaluateNode(q.node, ctx);
        if (v.kind === "scalar") v = { kind: "series", series: asSeries(v, ctx, 0) };
      } catch (e) {
        throw expressionError(e, q.expression, `${prefix}.member.${index + 1}.Expression`);
      }
    }
    values.set(id, v);
    return v;
  };

  const out = new Map<string, Datapoint[]>();
  for (const q of queries) {
    if (!q.returnData) continue;
    const v = valueOf(q.id);
    if (v.kind === "array") {
      // One result per query: the sandbox does not split an array of series into several results.
      throw invalidValue(`The value ${(q as ExpressionQuery).expression} for parameter ${prefix}.member.${byId.get(q.id)!.index + 1}.Expression is invalid: it gives an array of time series; the sandbox returns one time series per query.`);
    }
    if (v.kind === "series") out.set(q.id, [...v.series].map(([timestamp, value]) => ({ timestamp, value })).sort((a, b) => a.timestamp - b.timestamp));
  }
  return out;
}

/** The period starts in [start, end), aligned as the store aligns them. */
function grid(start: number, end: number, period: number): number[] {
  const periodMs = period * 1000;
  const align = periodMs >= MINUTE ? MINUTE : periodMs;
  const out: number[] = [];
  for (let t = Math.floor(start / align) * align; t < end; t += periodMs) out.push(t);
  return out;
}

/** Refuses a list whose returned query gives an array of series, before any data exists (alarms check at put). */
export function checkAnswerable(queries: readonly MetricQuery[], prefix: string): void {
  answerOn(queries, { query: () => [] }, 0, 1, prefix);
}
