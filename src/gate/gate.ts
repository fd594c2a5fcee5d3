/**
 * A release gate: runs a suite's experiments, each as its own `chaos run` process (so each has
 * its own embedded sandbox, and a crash or a hung run stays its own), in parallel up to the
 * machine's cores, or one at a time on a shared --target; then decides the gate: every
 * hypothesis held, the resilience score at or above the minimum, no regression against the
 * baseline. How a run is started is given by the caller (the CLI), so this module never needs to
 * know where the CLI lives.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../time/clock.js";
import { probeSuccess, readJournal, runReport, type RunReport } from "../report/index.js";
import { measures, regressions, type Baseline, type Regression } from "./baseline.js";
import { inPool } from "./pool.js";
import { nothingToJudge, probeSuccessPercent, resilienceScore } from "./score.js";
import type { Suite, SuiteRun } from "./suite.js";

export interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The signal that ended it, when one did (code is then null). */
  signal?: NodeJS.Signals;
}

/** Starts `chaos <args>` in `cwd` and resolves when it exits. */
export type RunChaos = (args: string[], cwd: string) => Promise<Spawned>;

export interface GateOptions {
  outDir: string;
  /** An endpoint or `aws`: runs go one at a time against it. Absent: each run has its own embedded sandbox. */
  target?: string;
  /** A stack for every run, in place of the suite's. */
  stack?: string;
  /** `chaos run --region` and `--profile` of every run: the account the runs reach on `aws` (the region on an endpoint too). */
  region?: string;
  profile?: string;
  /** How many runs at once on embedded sandboxes. */
  concurrency: number;
  /** The journals of an earlier gate to compare with (readBaseline, before any run). */
  baseline?: Baseline;
  /** Overrides the suite's margin. */
  margin?: number;
  clock: Clock;
  runChaos: RunChaos;
  /** One line per finished run. */
  progress(line: string): void;
  /** Resolves a catalog name to its file, as `chaos run` would from the working directory. */
  resolveExperiment(name: string): string;
  /** Aborted on SIGINT/SIGTERM/SIGHUP (the caller forwards the signal to the running runs): no further run starts. */
  signal?: AbortSignal;
  /** The project directory each run reads gameday.yaml, ./probes and ./experiments from (`chaos run --project`). */
  project?: string;
}

export interface RunOutcome {
  run: SuiteRun;
  exitCode: number | null;
  /** The signal that ended the run, when one did. */
  signal?: NodeJS.Signals;
  journal?: string;
  report: RunReport;
  percent: number;
  regressions: Regression[];
  /** With a baseline: "compared" with its journal, or "missing" (it has none for this run). Absent without one, or when the run left no journal. */
  baseline?: "compared" | "missing";
  seconds: number;
}

export interface GateResult {
  outcomes: RunOutcome[];
  score: number;
  /** Why the gate failed, one line each; empty when it passed. */
  failures: string[];
  /** Runs that could not be made or judged (invalid input, toolkit or target errors, interrupted). */
  errors: string[];
  /** 130: interrupted; the runs that finished (and those interrupted, rolled back) are reported. */
  exitCode: 0 | 1 | 4 | 130;
  margin: number;
  /** With a baseline: where it is, and the runs it had no journal for (not compared). */
  baseline?: { dir: string; missing: string[] };
}

/** Exit codes of `chaos run` that judged the system: held, deviated, aborted by a stop condition. */
const JUDGED = new Set([0, 1, 3]);

/**
 * Whether a run judged the system. One that did not (invalid input, a target or toolkit error,
 * interrupted, ended by a signal) counts 0% in the score whatever its probes read before it ended,
 * as the README says: a gate must not score a run it could not finish as a pass.
 */
export function wasJudged(outcome: { exitCode: number | null }): boolean {
  return outcome.exitCode !== null && JUDGED.has(outcome.exitCode);
}

function runArgs(run: SuiteRun, file: string, journal: string, o: GateOptions): string[] {
  // A suite entry's stack describes the embedded sandbox, as an experiment's own does: on a real or
  // served target the run goes against what is deployed there (the same suite gates both).
  const onSandbox = o.target === undefined || o.target === "sandbox";
  const stack = onSandbox ? (o.stack ?? run.stack) : undefined;
  return [
    "run",
    file,
    "--seed",
    String(run.seed),
    "--log-format",
    "plain",
    "--journal-path",
    journal,
    ...(stack !== undefined ? ["--stack", stack] : []),
    ...Object.entries(run.vars).flatMap(([k, v]) => ["--var", `${k}=${v}`]),
    ...(o.target !== undefined ? ["--target", o.target] : []),
    ...(o.region !== undefined ? ["--region", o.region] : []),
    ...(o.profile !== undefined ? ["--profile", o.profile] : []),
    // Each run works in a directory of its own (see runGate) but reads the project's gameday.yaml
    // (guardrails, windows, the AWS allow-list) and ./probes, as it would run from there.
    ...(o.project !== undefined ? ["--project", o.project] : []),
  ];
}

/**
 * A run that left no journal (or an incomplete one) still gets a report (an error) so JUnit and
 * Markdown show it. With no journal to take its times from, it has the gate's: when the gate
 * started its `chaos run` (by the gate's clock) and how long that took, not the epoch, which CI
 * would show as a test from 1970.
 */
function errorReport(run: SuiteRun, journal: string, spawned: Spawned, startedAt: number, seconds: number): RunReport {
  const ended = spawned.signal ? `chaos run was ended by ${spawned.signal}` : `chaos run exited with ${spawned.code}`;
  const why = spawned.stderr.trim().split("\n").slice(-3).join(" ") || ended;
  return { file: journal, title: run.id, runId: run.id, seed: run.seed, target: "", clock: "", start: new Date(startedAt).toISOString(), durationSeconds: seconds, verdict: "error", ...(spawned.code !== null ? { exitCode: spawned.code } : {}), summary: why, complete: false, probes: [], steadyStates: [], faults: [], rollbacks: [], events: [], charts: [], warnings: [] };
}

/** "deviated: <why>", without saying the verdict twice when the summary already starts with it. */
export function verdictLine(report: RunReport): string {
  return report.summary.startsWith(report.verdict) ? report.summary : `${report.verdict}: ${report.summary}`;
}

export async function runGate(suite: Suite, runs: readonly SuiteRun[], o: GateOptions): Promise<GateResult> {
  const margin = o.margin ?? suite.gate.margin;
  mkdirSync(join(o.outDir, "journals"), { recursive: true });
  let finished = 0;
  const started = await inPool(runs, o.target !== undefined ? 1 : o.concurrency, async (run): Promise<RunOutcome | undefined> => {
    if (o.signal?.aborted) return undefined;
    const file = o.resolveExperiment(run.experiment);
    const journal = join(o.outDir, "journals", `${run.id}.json`);
    // Each run works in its own directory: its run id, ledger and lock never meet another's.
    const cwd = join(o.outDir, "work", run.id);
    mkdirSync(cwd, { recursive: true });
    const startedAt = o.clock.now();
    const spawned = await o.runChaos(runArgs(run, file, journal, o), cwd);
    const seconds = (o.clock.now() - startedAt) / 1000;
    const doc = existsSync(journal) ? readJournal(journal).doc : undefined;
    // The gate's own signal, passed on, ended a run before it took over the signal (chaos run does
    // at once, before any target, ledger or journal exists): it had begun nothing, so it was not run.
    if (!doc && spawned.signal && o.signal?.aborted) return undefined;
    const report = doc?.gameday.complete ? runReport({ file: journal, doc }) : errorReport(run, journal, spawned, startedAt, seconds);
    const base = o.baseline?.journals.get(run.id);
    const found = base && doc ? regressions(measures(doc), measures(base), margin) : [];
    const compared = o.baseline === undefined ? undefined : base === undefined ? "missing" : doc ? "compared" : undefined;
    const judged = wasJudged({ exitCode: spawned.code });
    const outcome: RunOutcome = { run, exitCode: spawned.code, ...(spawned.signal ? { signal: spawned.signal } : {}), journal, report, percent: judged ? probeSuccessPercent(doc?.gameday.complete ? report : undefined) : 0, regressions: found, ...(compared ? { baseline: compared } : {}), seconds };
    finished++;
    const regressed = found.length > 0 ? `, regressed: ${found.map((r) => `${r.measure} ${r.baseline} -> ${r.current}`).join("; ")}` : compared === "missing" ? ", no baseline to compare with" : "";
    // A run that read no probe has no rate: "probes 100%" for nothing judged would mislead.
    const rate = !judged ? "could not be judged (counts 0%)" : probeSuccess(report).total > 0 ? `probes ${outcome.percent.toFixed(0)}%` : nothingToJudge(report) ? "nothing to judge" : "no probe read";
    o.progress(`[${finished}/${runs.length}] ${run.id} (seed ${run.seed}): ${report.verdict} in ${seconds.toFixed(1)} s, ${rate}${regressed}`);
    return outcome;
  });
  const outcomes = started.filter((x): x is RunOutcome => x !== undefined);
  const score = resilienceScore(outcomes.map((x) => ({ weight: x.run.weight, percent: x.percent })));
  const failures: string[] = [];
  const errors: string[] = [];
  for (const x of outcomes) {
    if (!wasJudged(x)) errors.push(`${x.run.id}: could not be judged (${x.exitCode !== null ? `exit ${x.exitCode}` : `ended by ${x.signal ?? "a signal"}`}): ${x.report.summary}`);
    else if (suite.gate.allHeld && x.report.verdict !== "held") failures.push(`${x.run.id}: ${verdictLine(x.report)}`);
    for (const r of x.regressions) failures.push(`${x.run.id}: ${r.measure} grew from ${r.baseline} to ${r.current}, more than the ${Math.round(margin * 100)}% margin`);
  }
  if (suite.gate.minScore !== undefined && score < suite.gate.minScore) {
    // Below the minimum only because runs that could not be judged count 0%: nothing was judged to
    // fail, so the gate could not be judged (exit 4), not failed. It failed when a run deviated or
    // regressed, or when the runs that were judged score below the minimum by themselves.
    const judged = outcomes.filter(wasJudged);
    const unjudged = outcomes.length - judged.length;
    const judgedScore = judged.length > 0 ? resilienceScore(judged.map((x) => ({ weight: x.run.weight, percent: x.percent }))) : undefined;
    const line = `resilience score ${score.toFixed(1)} is below the minimum ${suite.gate.minScore}`;
    if (failures.length === 0 && unjudged > 0 && (judgedScore === undefined || judgedScore >= suite.gate.minScore)) {
      errors.push(`${line} only because ${unjudged === 1 ? "1 run" : `${unjudged} runs`} could not be judged (${unjudged === 1 ? "it counts" : "they count"} 0%); ${judgedScore === undefined ? "no run that was judged fell short" : `the runs that were judged score ${judgedScore.toFixed(1)}`}`);
    } else failures.push(line);
  }
  if (o.signal?.aborted) {
    const why = typeof o.signal.reason === "string" ? o.signal.reason : "a signal";
    for (const [i, x] of started.entries()) if (x === undefined) errors.push(`${runs[i]!.id}: not run (the gate was interrupted by ${why})`);
    return { outcomes, score, failures, errors, exitCode: 130, margin, ...baselineOf(o, outcomes) };
  }
  return { outcomes, score, failures, errors, exitCode: failures.length > 0 ? 1 : errors.length > 0 ? 4 : 0, margin, ...baselineOf(o, outcomes) };
}

function baselineOf(o: GateOptions, outcomes: readonly RunOutcome[]): Pick<GateResult, "baseline"> {
  return o.baseline === undefined ? {} : { baseline: { dir: o.baseline.dir, missing: outcomes.filter((x) => x.baseline === "missing").map((x) => x.run.id) } };
}

/** "1 of 4 runs not compared: the baseline (dir) has no journal for a.", or undefined when every run had one. */
export function missingBaselineText(result: GateResult): string | undefined {
  const missing = result.baseline?.missing ?? [];
  if (missing.length === 0) return undefined;
  const n = result.outcomes.length;
  return `${missing.length} of ${n} run${n === 1 ? "" : "s"} not compared: the baseline (${result.baseline!.dir}) has no journal for ${missing.join(", ")}.`;
}
