/**
 * One run as a report shows it, whatever the format: verdict, seed and replay command, each
 * probe's verdict by mode, the steady-state checks, the faults with their FIS templates, the
 * rollbacks, and the charts (the probes' readings over time against the faults' timeline).
 * Built from the journal alone, so a report can be made anywhere the journal is.
 */
import type { JournalDoc, ProbeVerdictRecord, SteadyStateRecord } from "../engine/journal.js";
import type { OutputUnit } from "../experiment/probe-output.js";
import { isAbsolute, relative } from "node:path";
import type { ReportJournal } from "./journal-file.js";

export interface ChartPoint {
  /** Milliseconds since the run started. */
  t: number;
  v: number;
  ok: boolean;
}

export interface Chart {
  /** Stable id: the probe step, its mode and the unit. */
  id: string;
  title: string;
  unit: OutputUnit;
  series: { name: string; points: ChartPoint[] }[];
  /** Fields that never changed and would flatten the others to a line at the bottom: named, not drawn. */
  constants: { name: string; value: number }[];
}

export interface TimelineEvent {
  /** Milliseconds since the run started. */
  t: number;
  kind: "fault-start" | "fault-end" | "rollback";
  label: string;
}

export interface ProbeRow {
  step: string;
  probe: string;
  mode: string;
  verdict: ProbeVerdictRecord["verdict"];
  readings: number;
  failed: number;
  /** Why it failed (the first failure), or the last reading's reason. */
  detail: string;
  /** When the first failure (else the last reading) was, in ms since the start. */
  at?: number;
}

export interface SteadyStateRow {
  when: "before" | "after" | "after rollbacks";
  met: boolean;
  probes: { name: string; met: boolean; output: string }[];
}

export interface FaultRow {
  step: string;
  fault: string;
  start: number;
  /** When it ended as the journal recorded it (its FIS experiment completed, stopped or failed). */
  end?: number;
  /**
   * The span it was in force, as a chart shades it (ms since the start): from its start to its
   * end; without a recorded end (a fault without FIS, which stays until the rollbacks undo it, or
   * one cut short by an abort) until the rollbacks began, else until the run ended or its journal
   * was last written. A fault that never started has an empty span.
   */
  inForce: { start: number; end: number };
  status?: string;
  landed?: boolean;
  detail: string;
  targets: string[];
  template?: unknown;
}

export interface RunReport {
  /** Where the journal was read from. */
  file: string;
  title: string;
  runId: string;
  seed: number;
  target: string;
  clock: string;
  start: string;
  durationSeconds?: number;
  verdict: string;
  exitCode?: number;
  summary: string;
  complete: boolean;
  replay?: string;
  probes: ProbeRow[];
  steadyStates: SteadyStateRow[];
  faults: FaultRow[];
  rollbacks: { description: string; ok: boolean; t: number; detail: string }[];
  events: TimelineEvent[];
  /** The chaos window (ms since the start): from the first fault to the method's end; on-chaos probes read in it. */
  chaosWindow?: { start: number; end: number };
  /**
   * Wall-clock time of the run (the journal's `gameday.wallClock`): when it started and how long it
   * took (seconds; until the journal's last write for a run that did not finish). Absent from
   * older journals, whose `start` and `durationSeconds` are all there is (the run's clock).
   */
  wallClock?: { start: string; durationSeconds?: number };
  charts: Chart[];
  warnings: string[];
}

/** A value in one line, for tables. */
export function brief(value: unknown, max = 160): string {
  if (value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const UNIT_LABEL: Partial<Record<OutputUnit, string>> = { ms: "milliseconds", ratio: "ratio", seconds: "seconds", count: "count", bytes: "bytes", number: "value" };

function chartsOf(record: ProbeVerdictRecord, since: (iso: string) => number): Chart[] {
  const series = record.series;
  if (!series || series.points.length === 0) return [];
  const byUnit = new Map<OutputUnit, string[]>();
  for (const [name, unit] of Object.entries(series.units)) byUnit.set(unit, [...(byUnit.get(unit) ?? []), name]);
  return [...byUnit].map(([unit, names]) => {
    const all = names.map((name) => ({
      name,
      points: series.points.filter((p) => p.values[name] !== undefined).map((p) => ({ t: since(p.at), v: p.values[name]!, ok: p.ok })),
    }));
    const { drawn, constants } = scaleApart(all);
    return { id: `${record.step}/${record.mode}/${unit}`, title: `${record.step} (${record.probe}, ${record.mode}): ${UNIT_LABEL[unit] ?? unit}`, unit, series: drawn, constants };
  });
}

/**
 * A field that never changed (an echo of a parameter, such as a window of 30,000 ms) and is more
 * than ten times what the changing fields reach would squash them into the axis: it is named with
 * its value instead of drawn. A constant on the same scale (a desired count of 6) stays drawn: it
 * is what the others are read against.
 */
function scaleApart(all: Chart["series"]): { drawn: Chart["series"]; constants: Chart["constants"] } {
  const isConstant = (s: Chart["series"][number]) => s.points.every((p) => p.v === s.points[0]!.v);
  const varying = all.filter((s) => !isConstant(s));
  const top = Math.max(0, ...varying.flatMap((s) => s.points.map((p) => Math.abs(p.v))));
  if (varying.length === 0 || top === 0) return { drawn: all, constants: [] };
  const apart = (s: Chart["series"][number]) => isConstant(s) && s.points.length > 0 && Math.abs(s.points[0]!.v) > 10 * top;
  return { drawn: all.filter((s) => !apart(s)), constants: all.filter(apart).map((s) => ({ name: s.name, value: s.points[0]!.v })) };
}

function steadyRow(when: SteadyStateRow["when"], s: SteadyStateRecord | null | undefined): SteadyStateRow[] {
  if (!s) return [];
  return [
    {
      when,
      met: s.steady_state_met,
      probes: s.probes.map((p) => ({ name: String((p.activity as { name?: unknown }).name ?? "probe"), met: p.tolerance_met === true, output: brief(p.output) })),
    },
  ];
}

function targetText(doc: JournalDoc, cwd: string): string {
  const t = doc.gameday.target;
  return [t.kind, t.region, t.stack ? `stack ${stackText(t, cwd)}` : undefined].filter(Boolean).join(", ");
}

/**
 * The stack as a report shows it: "default" when the user named none; else a path that opens from
 * the directory the report is made in (relative to it when inside it, else absolute), as the
 * journal's path in the report does. `stack` is as the user named it: relative to the directory the
 * run started in (--stack) or to the experiment file (its gameday extension), which reads wrong
 * from anywhere else. Journals of older versions, without `stackPath`, show it as recorded.
 */
export function stackText(t: { stack?: string; stackPath?: string }, cwd: string): string {
  if (t.stack === "default" || t.stackPath === undefined) return t.stack ?? "";
  const inside = relative(cwd, t.stackPath);
  return inside === "" || inside.startsWith("..") || isAbsolute(inside) ? t.stackPath : inside;
}

/** A partial journal without probe tallies (a run killed before any was written, or by a gameday that wrote them only at the end). */
export function unfinishedNoTally(run: RunReport): string {
  return `The run did not finish, and no probe tally had been written to its journal when it stopped${run.steadyStates.length > 0 ? "; the steady-state checks below are what it had read" : ""}.`;
}

/** What a report says of a run whose journal was never concluded: it stopped (killed) or is still going. */
function partialSummary(writtenAt: number | undefined): string {
  const when = writtenAt !== undefined ? `, last written ${(writtenAt / 1000).toFixed(1)} s into the run` : "";
  return `the run did not finish (it was killed, or is still going): this journal is partial${when}, and shows what was read until then`;
}

/** `cwd`: the directory the report is made in; the stack's path is shown as it opens from there. */
export function runReport(journal: ReportJournal, cwd: string = process.cwd()): RunReport {
  const doc = journal.doc;
  const g = doc.gameday;
  const origin = Date.parse(doc.start);
  const since = (iso: string) => Date.parse(iso) - origin;
  // A run that did not finish (killed, or still going) ends, as far as its journal knows, at its last rewrite.
  const writtenAt = typeof g.writtenAt === "string" ? since(g.writtenAt) : undefined;
  const end = doc.end ? since(doc.end) : !g.complete ? writtenAt : undefined;
  const rollbacks = g.rollbackResults.map((r) => ({ description: r.description, ok: r.ok, t: since(r.at), detail: r.error ?? r.detail ?? "" }));
  const inForceUntil = (f: JournalDoc["gameday"]["faults"][number], start: number): number => {
    if (f.endedAt) return since(f.endedAt);
    // Refused before anything changed: never in force.
    if (f.error !== undefined && f.experimentId === undefined) return start;
    const undone = rollbacks.map((r) => r.t).filter((t) => t >= start);
    return undone.length > 0 ? Math.min(...undone) : Math.max(end ?? start, start);
  };
  const faults: FaultRow[] = g.faults.map((f) => ({
    step: f.step,
    fault: f.fault,
    start: since(f.startedAt),
    ...(f.endedAt ? { end: since(f.endedAt) } : {}),
    inForce: { start: since(f.startedAt), end: inForceUntil(f, since(f.startedAt)) },
    ...(f.status ? { status: f.status } : {}),
    ...(f.verification ? { landed: f.verification.landed } : {}),
    detail: f.error ?? f.verification?.detail ?? "",
    targets: (f.targets ?? []).map((t) => t.arn),
    ...(f.template !== undefined ? { template: f.template } : {}),
  }));
  const events: TimelineEvent[] = [
    ...faults.map((f) => ({ t: f.start, kind: "fault-start" as const, label: `${f.step} starts` })),
    ...faults.filter((f) => f.end !== undefined).map((f) => ({ t: f.end!, kind: "fault-end" as const, label: `${f.step} ends` })),
    ...rollbacks.map((r) => ({ t: r.t, kind: "rollback" as const, label: `rollback: ${r.description}` })),
  ].sort((a, b) => a.t - b.t);
  const wallClock = wallClockOf(g.wallClock, g.complete);
  return {
    file: journal.file,
    title: (doc.experiment as { title?: string }).title ?? g.runId,
    runId: g.runId,
    seed: g.seed,
    target: targetText(doc, cwd),
    clock: g.clock,
    start: doc.start,
    ...(doc.duration !== undefined ? { durationSeconds: doc.duration } : end !== undefined ? { durationSeconds: end / 1000 } : {}),
    verdict: g.verdict ?? (g.complete ? doc.status : "incomplete"),
    ...(g.exitCode !== undefined ? { exitCode: g.exitCode } : {}),
    summary: g.summary ?? (g.complete ? "" : partialSummary(writtenAt)),
    complete: g.complete,
    ...(g.replay ? { replay: g.replay } : {}),
    probes: g.probes.map((p) => ({
      step: p.step,
      probe: p.probe,
      mode: p.mode,
      verdict: p.verdict,
      readings: p.readings,
      failed: p.failed,
      detail: p.firstFailure?.reason ?? p.firstUnreadable?.reason ?? p.last?.reason ?? "",
      ...((p.firstFailure ?? p.last) ? { at: since((p.firstFailure ?? p.last)!.at) } : {}),
    })),
    steadyStates: [...steadyRow("before", doc.steady_states.before), ...steadyRow("after", doc.steady_states.after), ...steadyRow("after rollbacks", g.steadyStateAfterRollback)],
    faults,
    rollbacks,
    events,
    ...(faults.length > 0 ? { chaosWindow: chaosWindowOf(g.chaosWindow, faults, since, end) } : {}),
    ...(wallClock ? { wallClock } : {}),
    charts: g.probes.flatMap((p) => chartsOf(p, since)),
    warnings: g.warnings,
  };
}

/**
 * The chaos window as the journal recorded it (open: until the run's end or last write). Journals
 * from before it was recorded: the faults' span, from the first start to the last recorded end,
 * which they recorded when the method's end found each fault over (about the window's end).
 */
function chaosWindowOf(recorded: { start?: unknown; end?: unknown } | undefined, faults: FaultRow[], since: (iso: string) => number, runEnd: number | undefined): { start: number; end: number } {
  if (recorded && typeof recorded.start === "string") {
    const start = since(recorded.start);
    const end = typeof recorded.end === "string" ? since(recorded.end) : Math.max(runEnd ?? start, ...faults.map((f) => f.inForce.end));
    return { start, end: Math.max(start, end) };
  }
  return { start: Math.min(...faults.map((f) => f.start)), end: Math.max(...faults.map((f) => f.end ?? f.start)) };
}

function wallClockOf(recorded: { start?: unknown; duration?: unknown; writtenAt?: unknown } | undefined, complete: boolean): RunReport["wallClock"] {
  if (!recorded || typeof recorded.start !== "string" || Number.isNaN(Date.parse(recorded.start))) return undefined;
  const start = recorded.start;
  if (typeof recorded.duration === "number") return { start, durationSeconds: recorded.duration };
  // A run that did not finish: how long it had run when its journal was last written.
  if (!complete && typeof recorded.writtenAt === "string" && !Number.isNaN(Date.parse(recorded.writtenAt))) return { start, durationSeconds: (Date.parse(recorded.writtenAt) - Date.parse(start)) / 1000 };
  return { start };
}

/**
 * Probes that passed, of those that ran, and steady-state checks met, of those that read a probe:
 * the run's probe success rate, as Litmus counts it and the gate scores it (gate/score.ts). A total
 * of 0 means nothing was judged: no rate, not 100% (probeSuccessText).
 */
export function probeSuccess(report: RunReport): { passed: number; total: number } {
  const ran = report.probes.filter((p) => p.verdict !== "not-run");
  const checks = report.steadyStates.filter(judgedCheck);
  return { passed: ran.filter((p) => p.verdict === "passed").length + checks.filter((s) => s.met).length, total: ran.length + checks.length };
}

/** A steady-state check that read a probe; one without a hypothesis was "met" with nothing read. */
export function judgedCheck(s: SteadyStateRow): boolean {
  return s.probes.length > 0;
}

/**
 * The "probes passed" cell of overview tables: "3 of 4", or, when nothing was judged, no rate: a
 * run that held with no hypothesis and no probe had "nothing to judge" (as `chaos run` says), one
 * that ended before any probe was read has "none read".
 */
export function probeSuccessText(report: RunReport): string {
  const s = probeSuccess(report);
  if (s.total > 0) return `${s.passed} of ${s.total}`;
  return nothingJudgedText(report);
}

/** What a table shows instead of a pass rate for a run that judged nothing. */
export function nothingJudgedText(report: RunReport): string {
  return report.complete && report.verdict === "held" ? "— (nothing to judge)" : "— (none read)";
}

/** When the run happened and how long it took by the wall clock (the run's own clock may be virtual); "" for older journals. */
export function wallText(run: RunReport): string {
  const w = run.wallClock;
  if (!w) return "";
  return `${w.start}${w.durationSeconds !== undefined ? `, took ${w.durationSeconds.toFixed(1)} s` : ""}`;
}
