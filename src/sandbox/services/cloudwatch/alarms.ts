/**
 * The sandbox's metric alarms: configuration, state, history, and evaluation on the sandbox's
 * clock as CloudWatch does it: every minute for periods of a minute or more, every 10 seconds for
 * 10/20/30-second periods, each time over the evaluation range ending at the evaluation instant.
 * A new alarm starts INSUFFICIENT_DATA; an update keeps the state. History (two weeks) outlives
 * the alarm. Listeners hear every state change (FIS stop conditions listen here).
 */
import type { Timers } from "../../timers.js";
import { evaluate, evaluationRange, type AlarmState, type TreatMissingData } from "./evaluate.js";
import { COMPARISONS, stateReason, type ComparisonOperator } from "./reason.js";
import { answerQueries, type MetricQuery } from "./queries.js";
import type { Statistic } from "./statistic.js";
import type { MetricStore } from "./store.js";

const TICK_MS = 10_000;
const MINUTE = 60_000;
const HISTORY_MS = 14 * 86_400_000;

export interface AlarmConfig {
  name: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  /** One metric (namespace, metricName, dimensions, a statistic), or `metrics`: a metric math alarm. */
  namespace?: string;
  metricName?: string;
  dimensions?: Record<string, string>;
  /** Exactly one of statistic (standard) and extendedStatistic (pNN) is set, for a one-metric alarm. */
  statistic?: string;
  extendedStatistic?: string;
  /** What the statistic name computes. */
  computes?: Statistic;
  /** A metric math alarm's queries: at most 10 metrics, one period, exactly one returning data. */
  metrics?: MetricQuery[];
  /** Seconds (a math alarm's one period). */
  period: number;
  unit?: string;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  treatMissingData: TreatMissingData;
  evaluateLowSampleCountPercentile?: string;
}

export interface Alarm {
  readonly arn: string;
  config: AlarmConfig;
  state: AlarmState;
  reason: string;
  reasonData?: string;
  /** Milliseconds. */
  stateUpdated: number;
  stateTransitioned: number;
  configUpdated: number;
}

export interface HistoryItem {
  alarmName: string;
  timestamp: number;
  type: "ConfigurationUpdate" | "StateUpdate" | "Action";
  summary: string;
  data: string;
}

export type StateListener = (alarm: Alarm, from: AlarmState) => void;

export interface AlarmsEnvironment {
  now(): number;
  region: string;
  accountId: string;
}

export class Alarms {
  private readonly alarms = new Map<string, Alarm>();
  private readonly historyItems: HistoryItem[] = [];
  private readonly listeners = new Set<StateListener>();
  private stopTicking: (() => void) | undefined;

  constructor(
    private readonly env: AlarmsEnvironment,
    private readonly timers: Timers,
    private readonly store: MetricStore,
  ) {}

  arnOf(name: string): string {
    return `arn:aws:cloudwatch:${this.env.region}:${this.env.accountId}:alarm:${name}`;
  }

  get(name: string): Alarm | undefined {
    return this.alarms.get(name);
  }

  /** The alarm an ARN names, in this sandbox's region and account. */
  byArn(arn: string): Alarm | undefined {
    const m = /^arn:aws:cloudwatch:([^:]+):(\d{12}):alarm:(.+)$/.exec(arn);
    if (!m || m[1] !== this.env.region || m[2] !== this.env.accountId) return undefined;
    return this.alarms.get(m[3]!);
  }

  /** All alarms, by name. */
  all(): Alarm[] {
    return [...this.alarms.values()].sort((a, b) => (a.config.name < b.config.name ? -1 : a.config.name > b.config.name ? 1 : 0));
  }

  /** PutMetricAlarm: creates, or replaces the configuration and keeps the state. */
  put(config: AlarmConfig): Alarm {
    const now = this.env.now();
    const existing = this.alarms.get(config.name);
    if (existing) {
      existing.config = config;
      existing.configUpdated = now;
      this.addHistory(config.name, now, "ConfigurationUpdate", `Alarm "${config.name}" updated`, { version: "1.0", type: "Update", updatedAlarm: describeConfig(config) });
      return existing;
    }
    const alarm: Alarm = { arn: this.arnOf(config.name), config, state: "INSUFFICIENT_DATA", reason: "Unchecked: Initial alarm creation", stateUpdated: now, stateTransitioned: now, configUpdated: now };
    this.alarms.set(config.name, alarm);
    this.addHistory(config.name, now, "ConfigurationUpdate", `Alarm "${config.name}" created`, { version: "1.0", type: "Create", createdAlarm: describeConfig(config) });
    this.startTicking();
    return alarm;
  }

  /** DeleteAlarms: names must all exist (checked by the caller). History stays. */
  delete(names: string[]): void {
    const now = this.env.now();
    for (const name of names) {
      const alarm = this.alarms.get(name);
      if (!alarm) continue;
      this.alarms.delete(name);
      this.addHistory(name, now, "ConfigurationUpdate", `Alarm "${name}" deleted`, { version: "1.0", type: "Delete", deletedAlarm: describeConfig(alarm.config) });
    }
    if (this.alarms.size === 0) {
      this.stopTicking?.();
      this.stopTicking = undefined;
    }
  }

  history(): readonly HistoryItem[] {
    this.pruneHistory(this.env.now());
    return this.historyItems;
  }

  onStateChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The state of the alarm an ARN names, undefined when there is none (FIS stop conditions read this). */
  stateOf(arn: string): AlarmState | undefined {
    return this.byArn(arn)?.state;
  }

  /** State changes by ARN (FIS stop conditions listen here). */
  watch(listener: (arn: string, state: AlarmState) => void): () => void {
    return this.onStateChange((alarm) => listener(alarm.arn, alarm.state));
  }

  /** Evaluates one alarm as at `at` (milliseconds, an evaluation instant). */
  evaluateAlarm(alarm: Alarm, at: number): void {
    const c = alarm.config;
    const periodMs = c.period * 1000;
    const end = periodMs >= MINUTE ? Math.floor(at / MINUTE) * MINUTE : Math.floor(at / periodMs) * periodMs;
    const length = evaluationRange(c.evaluationPeriods);
    const start = end - length * periodMs;
    const points = this.pointsOf(c, start, end);
    const byTime = new Map(points.map((p) => [p.timestamp, p.value]));
    const range = Array.from({ length }, (_, i) => {
      const timestamp = start + i * periodMs;
      const value = byTime.get(timestamp);
      return value === undefined ? { timestamp } : { timestamp, value };
    });
    const compare = COMPARISONS[c.comparisonOperator].test;
    const result = evaluate({
      range,
      evaluationPeriods: c.evaluationPeriods,
      datapointsToAlarm: c.datapointsToAlarm,
      treatMissingData: c.treatMissingData,
      breaches: (v) => compare(v, c.threshold),
      current: alarm.state,
    });
    if (result.state === alarm.state) return;
    const reason = stateReason(result, alarm.state, result.state, c.datapointsToAlarm, c.evaluationPeriods, c.threshold, c.comparisonOperator, c.treatMissingData);
    const reasonData = {
      version: "1.0",
      queryDate: isoWithOffset(at),
      startDate: isoWithOffset(start),
      ...(c.metrics ? {} : c.statistic ? { statistic: c.statistic } : { extendedStatistic: c.extendedStatistic }),
      ...(c.unit ? { unit: c.unit } : {}),
      period: c.period,
      recentDatapoints: points.map((p) => p.value),
      threshold: c.threshold,
      evaluatedDatapoints: result.judged.map((p) => ({ timestamp: isoWithOffset(p.timestamp), value: p.value })),
    };
    this.transition(alarm, result.state, reason, JSON.stringify(reasonData), at);
  }

  /** What the alarm watches over [start, end): its metric's statistic, or its math query's result. */
  private pointsOf(c: AlarmConfig, start: number, end: number): { timestamp: number; value: number }[] {
    if (c.metrics) {
      const returned = c.metrics.find((q) => q.returnData)!;
      return answerQueries(c.metrics, this.store, start, end, "Metrics").get(returned.id) ?? [];
    }
    return this.store.query({ namespace: c.namespace!, name: c.metricName!, dimensions: c.dimensions ?? {}, period: c.period, start, end, statistic: c.computes!, ...(c.unit !== undefined ? { unit: c.unit } : {}) });
  }

  /**
   * SetAlarmState: the state as given, for testing actions (and FIS stop conditions); the next
   * evaluation puts the alarm back where its data says. The same state only updates the reason.
   */
  setState(alarm: Alarm, state: AlarmState, reason: string, reasonData?: string): void {
    const now = this.env.now();
    if (state === alarm.state) {
      alarm.reason = reason;
      if (reasonData !== undefined) alarm.reasonData = reasonData;
      alarm.stateUpdated = now;
      return;
    }
    this.transition(alarm, state, reason, reasonData, now);
  }

  private transition(alarm: Alarm, to: AlarmState, reason: string, reasonData: string | undefined, at: number): void {
    const from = alarm.state;
    const data = (json: string | undefined) => (json === undefined ? {} : { stateReasonData: JSON.parse(json) as unknown });
    const oldState = { stateValue: from, stateReason: alarm.reason, ...data(alarm.reasonData) };
    alarm.state = to;
    alarm.reason = reason;
    if (reasonData === undefined) delete alarm.reasonData;
    else alarm.reasonData = reasonData;
    alarm.stateUpdated = alarm.stateTransitioned = at;
    this.addHistory(alarm.config.name, at, "StateUpdate", `Alarm updated from ${from} to ${to}`, {
      version: "1.0",
      oldState,
      newState: { stateValue: to, stateReason: reason, ...data(reasonData) },
    });
    for (const l of [...this.listeners]) l(alarm, from);
  }

  /** One ticker for all alarms while any exists, on a 10-second grid of the clock. */
  private startTicking(): void {
    if (this.stopTicking) return;
    const now = this.env.now();
    let next = Math.floor(now / TICK_MS) * TICK_MS + TICK_MS;
    this.stopTicking = this.timers.every(
      TICK_MS,
      () => {
        // The grid instant, not the clock's reading: a scaled clock's timer fires a little late.
        const at = next;
        next += TICK_MS;
        const onMinute = at % MINUTE === 0;
        for (const alarm of this.all()) {
          if (alarm.config.period < 60 || onMinute) this.evaluateAlarm(alarm, at);
        }
      },
      next - now,
    );
  }

  private addHistory(alarmName: string, timestamp: number, type: HistoryItem["type"], summary: string, data: unknown): void {
    this.historyItems.push({ alarmName, timestamp, type, summary, data: JSON.stringify(data) });
    this.pruneHistory(timestamp);
  }

  private pruneHistory(now: number): void {
    let drop = 0;
    while (drop < this.historyItems.length && this.historyItems[drop]!.timestamp < now - HISTORY_MS) drop++;
    if (drop > 0) this.historyItems.splice(0, drop);
  }
}

/** "2024-01-01T00:05:00.000+0000", as CloudWatch writes times in reason data. */
function isoWithOffset(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

function describeConfig(c: AlarmConfig): Record<string, unknown> {
  return {
    alarmName: c.name,
    ...(c.metrics
      ? { metrics: c.metrics.map((q) => (q.kind === "expression" ? { id: q.id, expression: q.expression, returnData: q.returnData } : { id: q.id, metricStat: { metric: { namespace: q.namespace, name: q.name }, period: q.period, stat: q.stat }, returnData: q.returnData })) }
      : {
          namespace: c.namespace,
          metricName: c.metricName,
          dimensions: Object.entries(c.dimensions ?? {}).map(([name, value]) => ({ name, value })),
          ...(c.statistic ? { statistic: c.statistic } : { extendedStatistic: c.extendedStatistic }),
        }),
    period: c.period,
    evaluationPeriods: c.evaluationPeriods,
    datapointsToAlarm: c.datapointsToAlarm,
    threshold: c.threshold,
    comparisonOperator: c.comparisonOperator,
    treatMissingData: c.treatMissingData,
  };
}
