/**
 * Stop conditions as CloudWatch alarms: a stop condition that one metric alarm can express is
 * created as one (PutMetricAlarm), so that FIS halts the faults' experiments through their
 * `aws:cloudwatch:alarm` stop conditions even when gameday dies. This module only talks to
 * CloudWatch; what compiles to an alarm is the probes' business (ProbeModule.alarm).
 */
import type { Permission } from "../iam/permission.js";
import { DeleteAlarmsCommand, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, type CloudWatchClient, type ComparisonOperator } from "@aws-sdk/client-cloudwatch";

/** One metric alarm a probe's tolerance compiles to; the run adds its name, tags and evaluation. */
export interface AlarmSpec {
  /** Which part of the tolerance this is (a field such as `p95`), for the alarm's name and the plan. */
  part: string;
  namespace: string;
  dimensions: Readonly<Record<string, string>>;
  /** One metric: its name and exactly one of statistic (Sum, Maximum...) and extendedStatistic (p95...). */
  metricName?: string;
  statistic?: "SampleCount" | "Average" | "Sum" | "Minimum" | "Maximum";
  extendedStatistic?: string;
  /** Or metric math over metrics of the same namespace and dimensions: the alarm's value is `expression`. */
  math?: { expression: string; metrics: { id: string; metricName: string; stat: string }[] };
  periodSeconds: number;
  /** The breaching side: the alarm fires when the metric compares so with the threshold. */
  comparison: ComparisonOperator;
  /** In the metric's own unit (TargetResponseTime is in seconds). */
  threshold: number;
  /** The tolerance in words, for the alarm's description and the plan. */
  tolerance: string;
}

/** What a probe's tolerance compiles to: alarms, and the parts no single-metric alarm can express (with why). */
export interface AlarmCompilation {
  alarms: AlarmSpec[];
  notExpressed: { part: string; why: string }[];
}

/** FIS accepts at most this many stop conditions per experiment template. */
export const MAX_FIS_STOP_CONDITIONS = 5;

/** Periods an alarm on a high-resolution metric may have below a minute. */
const HIGH_RES_PERIODS = [10, 20, 30];

/**
 * The CloudWatch alarm period closest to a window without being shorter: 10, 20 or 30 s for
 * high-resolution metrics, else a whole number of minutes. A shorter period would fire on less
 * data than the stop condition judges.
 */
export function alarmPeriodSeconds(windowMs: number): number {
  const seconds = Math.ceil(windowMs / 1000);
  const short = HIGH_RES_PERIODS.find((p) => p >= seconds);
  if (short !== undefined) return short;
  return Math.ceil(seconds / 60) * 60;
}

/** The alarm's name: gameday-<run>-<stop condition>[-<part>], in the characters CloudWatch keeps readable. */
export function stopAlarmName(runId: string, stopCondition: string, part: string | undefined): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "-");
  return `gameday-${safe(runId)}-${safe(stopCondition)}${part ? `-${safe(part)}` : ""}`.slice(0, 255);
}

export interface StopAlarm {
  name: string;
  stopCondition: string;
  spec: AlarmSpec;
}

/** The PutMetricAlarm input for one stop alarm: one period breaching fires it; no data is not a breach. */
export function putAlarmInput(alarm: StopAlarm, tags: { runId: string; experiment: string }) {
  const s = alarm.spec;
  return {
    AlarmName: alarm.name,
    AlarmDescription: `gameday stop condition ${alarm.stopCondition}: ${s.part} ${s.tolerance} (run ${tags.runId})`.slice(0, 1024),
    ...(s.math ? { Metrics: mathMetrics(s, s.math) } : singleMetric(s)),
    EvaluationPeriods: 1,
    Threshold: s.threshold,
    ComparisonOperator: s.comparison,
    // A window without requests says nothing about the service: gameday's own watch judges it.
    TreatMissingData: "notBreaching",
    ActionsEnabled: false,
    Tags: [
      { Key: "gameday:run", Value: tags.runId },
      // A tag value holds at most 256 characters; a title may be longer.
      { Key: "gameday:experiment", Value: tags.experiment.slice(0, 256) },
    ],
  };
}

function singleMetric(s: AlarmSpec) {
  return {
    Namespace: s.namespace,
    MetricName: s.metricName,
    Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })),
    ...(s.extendedStatistic !== undefined ? { ExtendedStatistic: s.extendedStatistic } : { Statistic: s.statistic ?? "Average" }),
    Period: s.periodSeconds,
  };
}

/** The inputs, then the expression: the one query that returns data, as a math alarm requires. */
function mathMetrics(s: AlarmSpec, math: NonNullable<AlarmSpec["math"]>) {
  const Dimensions = Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value }));
  return [
    ...math.metrics.map((m) => ({ Id: m.id, MetricStat: { Metric: { Namespace: s.namespace, MetricName: m.metricName, Dimensions }, Period: s.periodSeconds, Stat: m.stat }, ReturnData: false })),
    { Id: "e1", Expression: math.expression, Label: s.part, ReturnData: true },
  ];
}

/** Creates the alarms and returns their ARNs by alarm name (PutMetricAlarm does not return one). */
export async function putStopAlarms(cloudwatch: CloudWatchClient, alarms: StopAlarm[], tags: { runId: string; experiment: string }, signal?: AbortSignal): Promise<Map<string, string>> {
  for (const a of alarms) await cloudwatch.send(new PutMetricAlarmCommand(putAlarmInput(a, tags) as never), { abortSignal: signal as never });
  const arns = new Map<string, string>();
  for (let i = 0; i < alarms.length; i += 100) {
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarms.slice(i, i + 100).map((a) => a.name) }), { abortSignal: signal as never });
    for (const m of out.MetricAlarms ?? []) if (m.AlarmName && m.AlarmArn) arns.set(m.AlarmName, m.AlarmArn);
  }
  const missing = alarms.filter((a) => !arns.has(a.name)).map((a) => a.name);
  if (missing.length > 0) throw new Error(`CloudWatch did not describe the alarm(s) just created: ${missing.join(", ")}`);
  return arns;
}

/**
 * The alarms among `names` that entered ALARM at or after `since` (epoch ms), with CloudWatch's
 * reason. Read from the alarms' history rather than their state: an alarm may go back to OK (its
 * next evaluation after a SetAlarmState) after FIS has already halted on it.
 */
export async function alarmsThatFired(cloudwatch: CloudWatchClient, names: string[], since: number, signal?: AbortSignal): Promise<{ name: string; reason: string }[]> {
  const out: { name: string; reason: string }[] = [];
  for (const name of names) {
    let NextToken: string | undefined;
    do {
      const page = await cloudwatch.send(
        new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: "StateUpdate", StartDate: new Date(Math.floor(since / 1000) * 1000), ScanBy: "TimestampAscending", NextToken }),
        { abortSignal: signal as never },
      );
      const fired = (page.AlarmHistoryItems ?? []).find((h) => enteredAlarm(h.HistoryData, h.HistorySummary));
      if (fired) {
        out.push({ name, reason: reasonOf(fired.HistoryData) ?? fired.HistorySummary ?? "entered ALARM" });
        break;
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return out;
}

function parsed(data: string | undefined): { newState?: { stateValue?: string; stateReason?: string } } | undefined {
  try {
    return data ? JSON.parse(data) : undefined;
  } catch {
    return undefined;
  }
}

function enteredAlarm(data: string | undefined, summary: string | undefined): boolean {
  const state = parsed(data)?.newState?.stateValue;
  return state !== undefined ? state === "ALARM" : / to ALARM$/.test(summary ?? "");
}

function reasonOf(data: string | undefined): string | undefined {
  return parsed(data)?.newState?.stateReason;
}

/**
 * Deletes those of the alarms that still exist and returns their names. DeleteAlarms refuses the
 * whole call when one name is unknown, and recovery may run after the run deleted some.
 */
export async function deleteStopAlarms(cloudwatch: CloudWatchClient, names: string[]): Promise<string[]> {
  const deleted: string[] = [];
  for (let i = 0; i < names.length; i += 100) {
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100) }));
    const existing = (out.MetricAlarms ?? []).map((m) => m.AlarmName).filter((n): n is string => n !== undefined);
    if (existing.length === 0) continue;
    await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: existing }));
    deleted.push(...existing);
  }
  return deleted;
}

/**
 * What putStopAlarms, alarmsThatFired and deleteStopAlarms call: only on alarms named gameday-*,
 * created with the gameday:run tag. DescribeAlarms takes no resource-level permission.
 */
export function stopAlarmPermissions(o: { region: string; accountId: string }): Permission[] {
  const ours = `arn:aws:cloudwatch:${o.region}:${o.accountId}:alarm:gameday-*`;
  return [
    { why: "create tagged stop condition alarms", actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"], resources: [ours], conditions: { Null: { "aws:RequestTag/gameday:run": "false" } } },
    { why: "read and delete stop condition alarms", actions: ["cloudwatch:DescribeAlarmHistory", "cloudwatch:DeleteAlarms"], resources: [ours] },
    { why: "describe stop condition alarms", actions: ["cloudwatch:DescribeAlarms"], resources: ["*"] },
  ];
}
