/**
 * CloudWatch's alarm operations: PutMetricAlarm, DescribeAlarms, SetAlarmState, DeleteAlarms and
 * DescribeAlarmHistory, with AWS's validation. Alarms watch one metric or a metric math query
 * list (Metrics); anomaly detection is refused by name.
 */
import type { Alarm, AlarmConfig, Alarms } from "./alarms.js";
import { invalidCombination, invalidFormat, invalidValue, missing, notFound } from "./errors.js";
import type { AlarmState, TreatMissingData } from "./evaluate.js";
import { checkAnswerable, readQueries, statistic, type MetricQuery } from "./queries.js";
import { COMPARISONS, type ComparisonOperator } from "./reason.js";
import { STANDARD_STATISTICS } from "./statistic.js";
import {
  dimensionList, dimensions, epochSeconds, optionalBoolean, optionalInteger, optionalList, optionalNumber, optionalString,
  optionalStringList, optionalTimestamp, optionalUnit, readToken, requiredInteger, requiredString, validPeriod, writeToken, type Input,
} from "./wire.js";

const TREATMENTS: readonly TreatMissingData[] = ["missing", "ignore", "breaching", "notBreaching"];

export class AlarmsApi {
  constructor(private readonly alarms: Alarms) {}

  putMetricAlarm(input: Input): Record<string, never> {
    const name = requiredString(input, "AlarmName");
    if (name.length > 255) throw invalidValue(`The parameter AlarmName must be at most 255 characters; found ${name.length}.`);
    if (input.ThresholdMetricId !== undefined && input.ThresholdMetricId !== null) {
      throw invalidValue("The parameter ThresholdMetricId (anomaly detection) is not supported by the sandbox's CloudWatch: give a static Threshold.");
    }
    const watched = input.Metrics !== undefined && input.Metrics !== null ? mathSource(input) : metricSource(input);
    const period = watched.period;
    const evaluationPeriods = requiredInteger(input, "EvaluationPeriods");
    if (evaluationPeriods < 1) throw invalidValue(`The value ${evaluationPeriods} for parameter EvaluationPeriods is invalid: expected at least 1.`);
    const span = period * evaluationPeriods;
    const maxSpan = period < 3600 ? 86_400 : 604_800;
    if (span > maxSpan) throw invalidValue(`The product of Period (${period}) and EvaluationPeriods (${evaluationPeriods}) must not exceed ${maxSpan} seconds; found ${span}.`);
    const datapointsToAlarm = optionalInteger(input, "DatapointsToAlarm") ?? evaluationPeriods;
    if (datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods) {
      throw invalidValue(`The value ${datapointsToAlarm} for parameter DatapointsToAlarm is invalid: expected from 1 to EvaluationPeriods (${evaluationPeriods}).`);
    }
    const threshold = optionalNumber(input, "Threshold");
    if (threshold === undefined) throw missing("Threshold");
    const op = requiredString(input, "ComparisonOperator");
    if (!(op in COMPARISONS)) throw invalidValue(`The value ${op} for parameter ComparisonOperator is invalid: expected one of ${Object.keys(COMPARISONS).join(", ")} (anomaly detection bands are not supported by the sandbox).`);
    const treat = optionalString(input, "TreatMissingData") ?? "missing";
    if (!(TREATMENTS as readonly string[]).includes(treat)) throw invalidValue(`The value ${treat} for parameter TreatMissingData is invalid: expected one of ${TREATMENTS.join(", ")}.`);
    const config: AlarmConfig = {
      name,
      actionsEnabled: optionalBoolean(input, "ActionsEnabled") ?? true,
      okActions: optionalStringList(input, "OKActions") ?? [],
      alarmActions: optionalStringList(input, "AlarmActions") ?? [],
      insufficientDataActions: optionalStringList(input, "InsufficientDataActions") ?? [],
      ...watched.config,
      period,
      evaluationPeriods,
      datapointsToAlarm,
      threshold,
      comparisonOperator: op as ComparisonOperator,
      treatMissingData: treat as TreatMissingData,
    };
    const description = optionalString(input, "AlarmDescription");
    if (description !== undefined) config.description = description;
    const low = optionalString(input, "EvaluateLowSampleCountPercentile");
    if (low !== undefined) config.evaluateLowSampleCountPercentile = low;
    this.alarms.put(config);
    return {};
  }

  describeAlarms(input: Input): unknown {
    const names = optionalStringList(input, "AlarmNames");
    const prefix = optionalString(input, "AlarmNamePrefix");
    if (names && prefix !== undefined) throw invalidCombination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.");
    if (names && names.length > 100) throw invalidValue("The collection AlarmNames must not have a size greater than 100.");
    const stateValue = optionalString(input, "StateValue");
    if (stateValue !== undefined && !["OK", "ALARM", "INSUFFICIENT_DATA"].includes(stateValue)) throw invalidValue(`The value ${stateValue} for parameter StateValue is invalid: expected OK, ALARM or INSUFFICIENT_DATA.`);
    const actionPrefix = optionalString(input, "ActionPrefix");
    const types = optionalStringList(input, "AlarmTypes");
    const max = optionalInteger(input, "MaxRecords") ?? 50;
    if (max < 1 || max > 100) throw invalidValue(`The value ${max} for parameter MaxRecords is invalid: expected from 1 to 100.`);
    // Metric alarms unless AlarmTypes asks otherwise; the sandbox has no composite alarms.
    const metricAlarms = !types || types.length === 0 || types.includes("MetricAlarm");
    const matching = !metricAlarms
      ? []
      : this.alarms.all().filter(
          (a) =>
            (!names || names.includes(a.config.name)) &&
            (prefix === undefined || a.config.name.startsWith(prefix)) &&
            (stateValue === undefined || a.state === stateValue) &&
            (actionPrefix === undefined || [...a.config.okActions, ...a.config.alarmActions, ...a.config.insufficientDataActions].some((x) => x.startsWith(actionPrefix))),
        );
    const offset = readToken(optionalString(input, "NextToken"));
    const out: Record<string, unknown> = { MetricAlarms: matching.slice(offset, offset + max).map(alarmShape), CompositeAlarms: [] };
    if (offset + max < matching.length) out.NextToken = writeToken(offset + max);
    return out;
  }

  setAlarmState(input: Input): Record<string, never> {
    const name = requiredString(input, "AlarmName");
    const state = requiredString(input, "StateValue");
    if (!["OK", "ALARM", "INSUFFICIENT_DATA"].includes(state)) throw invalidValue(`The value ${state} for parameter StateValue is invalid: expected OK, ALARM or INSUFFICIENT_DATA.`);
    const reason = requiredString(input, "StateReason");
    if (reason.length > 1023) throw invalidValue(`The parameter StateReason must be at most 1023 characters; found ${reason.length}.`);
    const data = optionalString(input, "StateReasonData");
    if (data !== undefined) {
      try {
        JSON.parse(data);
      } catch {
        throw invalidFormat("The parameter StateReasonData must be valid JSON.");
      }
    }
    const alarm = this.alarms.get(name);
    if (!alarm) throw notFound(`The alarm ${name} does not exist.`);
    this.alarms.setState(alarm, state as AlarmState, reason, data);
    return {};
  }

  deleteAlarms(input: Input): Record<string, never> {
    const names = optionalStringList(input, "AlarmNames");
    if (!names || names.length === 0) throw missing("AlarmNames");
    if (names.length > 100) throw invalidValue("The collection AlarmNames must not have a size greater than 100.");
    const unknown = names.filter((n) => !this.alarms.get(n));
    if (unknown.length > 0) throw notFound(`${unknown.length === 1 ? "An alarm" : "Alarms"} named [${unknown.join(", ")}] ${unknown.length === 1 ? "does" : "do"} not exist; nothing was deleted.`);
    this.alarms.delete(names);
    return {};
  }

  describeAlarmHistory(input: Input): unknown {
    const name = optionalString(input, "AlarmName");
    const type = optionalString(input, "HistoryItemType");
    if (type !== undefined && !["ConfigurationUpdate", "StateUpdate", "Action", "AlarmContributorStateUpdate", "AlarmContributorAction"].includes(type)) {
      throw invalidValue(`The value ${type} for parameter HistoryItemType is invalid: expected ConfigurationUpdate, StateUpdate or Action.`);
    }
    const start = optionalTimestamp(input, "StartDate");
    const end = optionalTimestamp(input, "EndDate");
    const scanBy = optionalString(input, "ScanBy") ?? "TimestampDescending";
    if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") throw invalidValue(`The value ${scanBy} for parameter ScanBy is invalid: expected TimestampDescending or TimestampAscending.`);
    const max = optionalInteger(input, "MaxRecords") ?? 100;
    if (max < 1 || max > 100) throw invalidValue(`The value ${max} for parameter MaxRecords is invalid: expected from 1 to 100.`);
    const types = optionalList(input, "AlarmTypes");
    const wantsMetric = !types || types.length === 0 || types.includes("MetricAlarm");
    const items = !wantsMetric
      ? []
      : this.alarms
          .history()
          .filter((h) => (name === undefined || h.alarmName === name) && (type === undefined || h.type === type) && (start === undefined || h.timestamp >= start) && (end === undefined || h.timestamp <= end));
    const ordered = scanBy === "TimestampDescending" ? [...items].reverse() : items;
    const offset = readToken(optionalString(input, "NextToken"));
    const out: Record<string, unknown> = {
      AlarmHistoryItems: ordered.slice(offset, offset + max).map((h) => ({
        AlarmName: h.alarmName,
        AlarmType: "MetricAlarm",
        Timestamp: epochSeconds(h.timestamp),
        HistoryItemType: h.type,
        HistorySummary: h.summary,
        HistoryData: h.data,
      })),
    };
    if (offset + max < ordered.length) out.NextToken = writeToken(offset + max);
    return out;
  }
}

type Watched = { period: number; config: Pick<AlarmConfig, "namespace" | "metricName" | "dimensions" | "computes" | "statistic" | "extendedStatistic" | "unit" | "metrics"> };

/** A one-metric alarm: Namespace, MetricName, Dimensions, Statistic xor ExtendedStatistic, Period. */
function metricSource(input: Input): Watched {
  const std = optionalString(input, "Statistic");
  const ext = optionalString(input, "ExtendedStatistic");
  if ((std === undefined) === (ext === undefined)) throw invalidCombination("Exactly one element of the Statistic and ExtendedStatistic parameters must be specified.");
  if (std !== undefined && !(STANDARD_STATISTICS as readonly string[]).includes(std)) {
    throw invalidValue(`The value ${std} for parameter Statistic is invalid: expected one of ${STANDARD_STATISTICS.join(", ")} (percentiles go in ExtendedStatistic).`);
  }
  const computes = statistic((std ?? ext)!, std !== undefined ? "Statistic" : "ExtendedStatistic");
  if (ext !== undefined && computes.kind !== "percentile") throw invalidValue(`The value ${ext} for parameter ExtendedStatistic is invalid: expected a percentile pNN / pNN.NN.`);
  const period = validPeriod(requiredInteger(input, "Period"), "Period", [10, 20, 30]);
  const config: Watched["config"] = {
    namespace: requiredString(input, "Namespace"),
    metricName: requiredString(input, "MetricName"),
    dimensions: dimensions(input, "Dimensions", "Dimensions"),
    computes,
  };
  if (std !== undefined) config.statistic = std;
  if (ext !== undefined) config.extendedStatistic = ext;
  const unit = optionalUnit(input, "Unit");
  if (unit !== undefined) config.unit = unit;
  return { period, config };
}

const MAX_ALARM_METRICS = 10;

/** A metric math alarm: Metrics, a MetricDataQuery list with one period and exactly one ReturnData. */
function mathSource(input: Input): Watched {
  const single = ["Namespace", "MetricName", "Dimensions", "Statistic", "ExtendedStatistic", "Period", "Unit"].filter((n) => input[n] !== undefined && input[n] !== null);
  if (single.length > 0) throw invalidCombination(`The parameter Metrics is mutually exclusive with ${single.join(", ")}: a metric math alarm names its metrics inside Metrics.`);
  const list = optionalList(input, "Metrics");
  if (!list || list.length === 0) throw missing("Metrics");
  const metrics = readQueries(list, "Metrics", [10, 20, 30]);
  const stats = metrics.filter((q) => q.kind === "metric");
  if (stats.length > MAX_ALARM_METRICS) throw invalidValue(`The collection Metrics must not have more than ${MAX_ALARM_METRICS} metrics (MetricStat); found ${stats.length}.`);
  const returning = metrics.filter((q) => q.returnData);
  if (returning.length !== 1) {
    throw invalidValue(`Exactly one element of the metrics list should return data; found ${returning.length} (${returning.map((q) => q.id).join(", ") || "none"}). Set ReturnData to false on the others.`);
  }
  const periods = [...new Set(metrics.flatMap((q) => (q.period === undefined ? [] : [q.period])))];
  if (periods.length > 1) throw invalidValue(`The metrics in Metrics must all have the same period; found ${periods.join(", ")} seconds.`);
  if (periods.length === 0) throw missing("Metrics.member.1.Period");
  // An expression that gives an array of series cannot be an alarm's value: found now, not on a tick.
  checkAnswerable(metrics, "Metrics");
  return { period: periods[0]!, config: { metrics } };
}

/** Metrics as DescribeAlarms returns them. */
function metricsShape(metrics: readonly MetricQuery[]): Record<string, unknown>[] {
  return metrics.map((q) => ({
    Id: q.id,
    ...(q.kind === "expression"
      ? { Expression: q.expression, ...(q.period !== undefined ? { Period: q.period } : {}) }
      : { MetricStat: { Metric: { Namespace: q.namespace, MetricName: q.name, Dimensions: dimensionList(q.dimensions) }, Period: q.period, Stat: q.stat, ...(q.unit !== undefined ? { Unit: q.unit } : {}) } }),
    ...(q.label !== undefined ? { Label: q.label } : {}),
    ReturnData: q.returnData,
  }));
}

function alarmShape(a: Alarm): Record<string, unknown> {
  const c = a.config;
  return {
    AlarmName: c.name,
    AlarmArn: a.arn,
    ...(c.description !== undefined ? { AlarmDescription: c.description } : {}),
    AlarmConfigurationUpdatedTimestamp: epochSeconds(a.configUpdated),
    ActionsEnabled: c.actionsEnabled,
    OKActions: c.okActions,
    AlarmActions: c.alarmActions,
    InsufficientDataActions: c.insufficientDataActions,
    StateValue: a.state,
    StateReason: a.reason,
    ...(a.reasonData !== undefined ? { StateReasonData: a.reasonData } : {}),
    StateUpdatedTimestamp: epochSeconds(a.stateUpdated),
    ...(c.metrics
      ? { Metrics: metricsShape(c.metrics) }
      : {
          MetricName: c.metricName,
          Namespace: c.namespace,
          ...(c.statistic !== undefined ? { Statistic: c.statistic } : { ExtendedStatistic: c.extendedStatistic }),
          Dimensions: dimensionList(c.dimensions ?? {}),
          Period: c.period,
        }),
    ...(c.unit !== undefined ? { Unit: c.unit } : {}),
    EvaluationPeriods: c.evaluationPeriods,
    DatapointsToAlarm: c.datapointsToAlarm,
    Threshold: c.threshold,
    ComparisonOperator: c.comparisonOperator,
    TreatMissingData: c.treatMissingData,
    ...(c.evaluateLowSampleCountPercentile !== undefined ? { EvaluateLowSampleCountPercentile: c.evaluateLowSampleCountPercentile } : {}),
    StateTransitionedTimestamp: epochSeconds(a.stateTransitioned),
  };
}
