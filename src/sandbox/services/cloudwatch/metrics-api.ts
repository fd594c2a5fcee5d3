/**
 * CloudWatch's metric operations on the sandbox's store: PutMetricData, GetMetricData (MetricStat
 * and metric math queries), GetMetricStatistics and ListMetrics, with the limits and validation AWS applies.
 */
import { invalidCombination, invalidValue, missing } from "./errors.js";
import { answerQueries, readQueries, statistic } from "./queries.js";
import type { MetricDatum } from "./sink.js";
import { parseStatistic, STANDARD_STATISTICS } from "./statistic.js";
import type { MetricStore } from "./store.js";
import {
  asObject, dimensionList, dimensions, epochSeconds, optionalInteger, optionalList, optionalNumber,
  optionalString, optionalStringList, optionalTimestamp, optionalUnit, readToken, requiredInteger, requiredString,
  requiredTimestamp, validPeriod, writeToken, type Input,
} from "./wire.js";

/** The statistic check lives with the queries; alarms read it from here too. */
export { statistic } from "./queries.js";

const DAY = 86_400_000;
/** GetMetricData's most datapoints per call. */
const MAX_DATAPOINTS = 100_800;
const LIST_PAGE = 500;

export class MetricsApi {
  constructor(
    private readonly store: MetricStore,
    private readonly now: () => number,
  ) {}

  putMetricData(input: Input): Record<string, never> {
    const namespace = requiredString(input, "Namespace");
    // The AWS/ namespaces belong to AWS's services; the sandbox's own publish through the MetricSink.
    if (namespace.startsWith("AWS/")) throw invalidValue(`The value ${namespace} for parameter Namespace is invalid: namespaces beginning with AWS/ are reserved for AWS services.`);
    const data = optionalList(input, "MetricData");
    if (!data || data.length === 0) throw missing("MetricData");
    if (data.length > 1000) throw invalidValue(`The collection MetricData must not have a size greater than 1000; found ${data.length}.`);
    const now = this.now();
    const datums = data.map((d, i) => this.datum(namespace, asObject(d, `MetricData.member.${i + 1}`), `MetricData.member.${i + 1}`, now));
    // All or nothing: one bad datum refuses the call, as CloudWatch does.
    for (const d of datums) this.store.put(d);
    return {};
  }

  private datum(namespace: string, d: Input, at: string, now: number): MetricDatum {
    const name = requiredString(d, "MetricName", `${at}.MetricName`);
    const timestamp = optionalTimestamp(d, "Timestamp", `${at}.Timestamp`) ?? now;
    if (timestamp < now - 14 * DAY || timestamp > now + 2 * 3_600_000) {
      throw invalidValue(`The parameter ${at}.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future; found ${new Date(timestamp).toISOString()}.`);
    }
    const value = optionalNumber(d, "Value", `${at}.Value`);
    const values = optionalList(d, "Values", `${at}.Values`);
    const counts = optionalList(d, "Counts", `${at}.Counts`);
    const stats = d.StatisticValues === undefined || d.StatisticValues === null ? undefined : asObject(d.StatisticValues, `${at}.StatisticValues`);
    const given = [value !== undefined && "Value", values !== undefined && "Values", stats !== undefined && "StatisticValues"].filter(Boolean);
    if (given.length > 1) throw invalidCombination(`The parameters ${at}.${given.join(` and ${at}.`)} are mutually exclusive.`);
    if (given.length === 0) throw missing(`${at}.Value`);
    const out: MetricDatum = { namespace, name, dimensions: dimensions(d, "Dimensions", `${at}.Dimensions`), timestamp };
    if (value !== undefined) out.value = value;
    if (values) {
      if (values.length > 150) throw invalidValue(`The collection ${at}.Values must not have a size greater than 150.`);
      out.values = values.map((v, j) => finite(v, `${at}.Values.member.${j + 1}`));
      if (counts) {
        if (counts.length !== values.length) throw invalidValue(`The parameters ${at}.Values and ${at}.Counts must be of the same size; found ${values.length} and ${counts.length}.`);
        out.counts = counts.map((c, j) => finite(c, `${at}.Counts.member.${j + 1}`));
      }
    } else if (counts) throw invalidCombination(`The parameter ${at}.Counts needs ${at}.Values.`);
    if (stats) {
      const num = (n: string) => {
        const v = optionalNumber(stats, n, `${at}.StatisticValues.${n}`);
        if (v === undefined) throw missing(`${at}.StatisticValues.${n}`);
        return v;
      };
      out.statistics = { sampleCount: num("SampleCount"), sum: num("Sum"), minimum: num("Minimum"), maximum: num("Maximum") };
    }
    const unit = optionalUnit(d, "Unit", `${at}.Unit`);
    if (unit !== undefined) out.unit = unit;
    const resolution = optionalInteger(d, "StorageResolution", `${at}.StorageResolution`);
    if (resolution !== undefined) {
      if (resolution !== 1 && resolution !== 60) throw invalidValue(`The value ${resolution} for parameter ${at}.StorageResolution is invalid: expected 1 or 60.`);
      out.storageResolution = resolution;
    }
    return out;
  }

  getMetricData(input: Input): unknown {
    const start = requiredTimestamp(input, "StartTime");
    const end = requiredTimestamp(input, "EndTime");
    if (start >= end) throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
    const scanBy = optionalString(input, "ScanBy") ?? "TimestampDescending";
    if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") throw invalidValue(`The value ${scanBy} for parameter ScanBy is invalid: expected TimestampDescending or TimestampAscending.`);
    const maxDatapoints = optionalInteger(input, "MaxDatapoints") ?? MAX_DATAPOINTS;
    if (maxDatapoints < 1) throw invalidValue(`The value ${maxDatapoints} for parameter MaxDatapoints is invalid: expected at least 1.`);
    const skip = readToken(optionalString(input, "NextToken"));
    const queries = optionalList(input, "MetricDataQueries");
    if (!queries || queries.length === 0) throw missing("MetricDataQueries");
    if (queries.length > 500) throw invalidValue(`The collection MetricDataQueries must not have a size greater than 500; found ${queries.length}.`);
    const read = readQueries(queries, "MetricDataQueries");
    const points = answerQueries(read, this.store, start, end, "MetricDataQueries");
    const answered = read
      .filter((q) => q.returnData)
      .map((q) => {
        const own = points.get(q.id) ?? [];
        if (scanBy === "TimestampDescending") own.reverse();
        return { id: q.id, label: q.label ?? (q.kind === "metric" ? q.name : q.id), points: own };
      });
    // One page holds at most MaxDatapoints points across all queries, in query order; NextToken
    // counts the points already returned. A query cut short says PartialData.
    let before = 0;
    const pageEnd = skip + maxDatapoints;
    const results = answered.map(({ id, label, points }) => {
      const from = Math.min(points.length, Math.max(0, skip - before));
      const to = Math.min(points.length, Math.max(0, pageEnd - before));
      before += points.length;
      const page = points.slice(from, to);
      return {
        Id: id,
        Label: label,
        Timestamps: page.map((p) => epochSeconds(p.timestamp)),
        Values: page.map((p) => p.value),
        StatusCode: to < points.length ? "PartialData" : "Complete",
        Messages: [],
      };
    });
    const out: Record<string, unknown> = { MetricDataResults: results, Messages: [] };
    if (pageEnd < before) out.NextToken = writeToken(pageEnd);
    return out;
  }

  getMetricStatistics(input: Input): unknown {
    const namespace = requiredString(input, "Namespace");
    const name = requiredString(input, "MetricName");
    const start = requiredTimestamp(input, "StartTime");
    const end = requiredTimestamp(input, "EndTime");
    if (start >= end) throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
    const period = validPeriod(requiredInteger(input, "Period"), "Period");
    const standard = optionalStringList(input, "Statistics") ?? [];
    const extended = optionalStringList(input, "ExtendedStatistics") ?? [];
    if (standard.length === 0 && extended.length === 0) throw missing("Statistics");
    if (standard.length > 0 && extended.length > 0) throw invalidCombination("The parameters Statistics and ExtendedStatistics are mutually exclusive.");
    if (standard.length > 5) throw invalidValue("The collection Statistics must not have a size greater than 5.");
    if (extended.length > 10) throw invalidValue("The collection ExtendedStatistics must not have a size greater than 10.");
    standard.forEach((s, i) => {
      if (!(STANDARD_STATISTICS as readonly string[]).includes(s)) throw invalidValue(`The value ${s} for parameter Statistics.member.${i + 1} is invalid: expected one of ${STANDARD_STATISTICS.join(", ")}.`);
    });
    const periods = Math.ceil((end - start) / (period * 1000));
    if (periods > 1440) throw invalidCombination(`You have requested up to ${periods} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
    const base = { namespace, name, dimensions: dimensions(input, "Dimensions", "Dimensions"), period, start, end, ...unitOf(input, "Unit") };
    const byTime = new Map<number, Record<string, unknown>>();
    const point = (t: number) => {
      let p = byTime.get(t);
      if (!p) byTime.set(t, (p = { Timestamp: epochSeconds(t), Unit: base.unit ?? this.unitOf(base) }));
      return p;
    };
    // Every statistic from one publication (see MetricStore.snapshot).
    this.store.snapshot(() => {
      for (const s of standard) for (const p of this.store.query({ ...base, statistic: parseStatistic(s)! })) point(p.timestamp)[s] = p.value;
      extended.forEach((s, i) => {
        const st = statistic(s, `ExtendedStatistics.member.${i + 1}`);
        for (const p of this.store.query({ ...base, statistic: st })) {
          const point_ = point(p.timestamp);
          ((point_.ExtendedStatistics ??= {}) as Record<string, number>)[s] = p.value;
        }
      });
    });
    return { Label: name, Datapoints: [...byTime.values()] };
  }

  private unitOf(id: { namespace: string; name: string; dimensions: Record<string, string> }): string {
    const units = this.store.units(id);
    return units.length === 1 ? units[0]! : "None";
  }

  listMetrics(input: Input): unknown {
    const filters = (optionalList(input, "Dimensions") ?? []).map((d, i) => {
      const at = `Dimensions.member.${i + 1}`;
      const o = asObject(d, at);
      const value = optionalString(o, "Value", `${at}.Value`);
      return { name: requiredString(o, "Name", `${at}.Name`), ...(value !== undefined ? { value } : {}) };
    });
    if (filters.length > 10) throw invalidValue("The collection Dimensions must not have a size greater than 10.");
    const recently = optionalString(input, "RecentlyActive");
    if (recently !== undefined && recently !== "PT3H") throw invalidValue(`The value ${recently} for parameter RecentlyActive is invalid: expected PT3H.`);
    const namespace = optionalString(input, "Namespace");
    const name = optionalString(input, "MetricName");
    const all = this.store.list({
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
      dimensions: filters,
      ...(recently ? { recentlyActiveMs: 3 * 3_600_000 } : {}),
    });
    const offset = readToken(optionalString(input, "NextToken"));
    const page = all.slice(offset, offset + LIST_PAGE);
    const out: Record<string, unknown> = { Metrics: page.map((m) => ({ Namespace: m.namespace, MetricName: m.name, Dimensions: dimensionList(m.dimensions) })) };
    if (offset + LIST_PAGE < all.length) out.NextToken = writeToken(offset + LIST_PAGE);
    return out;
  }
}

function finite(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw invalidValue(`The value ${String(v)} for parameter ${path} is invalid: expected a finite number.`);
  return v;
}

function unitOf(input: Input, path: string): { unit?: string } {
  const u = optionalUnit(input, path.split(".").pop()!, path);
  return u === undefined ? {} : { unit: u };
}
