/**
 * Runs one `chaos explore` candidate in this process, as `chaos run` would on the embedded
 * sandbox: the schedule's experiment file, a fresh sandbox from the seed, the engine, and the
 * verdict. Nothing is printed; the run's ledger and journal go to a scratch directory and are
 * removed afterwards unless the journal is asked for. The sandbox is closed before returning, so
 * that a worker running hundreds of candidates holds one at a time.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SeededRandom } from "../random/random.js";
import { RealClock } from "../time/clock.js";
import { Journal, journalExperiment } from "../engine/journal.js";
import { Ledger, thisProcess } from "../engine/ledger.js";
import { InvalidInputError } from "../experiment/model.js";
import { CliError } from "./errors.js";
import { buildTarget, runServices, type BuiltTarget } from "./target.js";
import { checkPlan, loadExperimentFile, planFor, refusalMessage } from "./plan-command.js";
import { runIdFor } from "./run-command.js";

export interface CandidateJob {
  /** The experiment document (YAML) of the schedule. */
  text: string;
  /** Its file name: the replay file's, so that the run id (and so every id the run derives) matches a replay. */
  fileName: string;
  /** Scratch directory: the file, the ledger and the journal go under it. */
  workdir: string;
  stack?: string;
  seed: number;
  /** Keep the journal at this path instead of discarding it. */
  journalPath?: string;
  /** `chaos explore --var` / `--var-file`, as `chaos run` takes them. */
  vars?: Record<string, string>;
  varFiles?: string[];
}

export interface CandidateResult {
  exitCode: number;
  summary: string;
  verdict?: string;
}

export async function runCandidate(job: CandidateJob): Promise<CandidateResult> {
  mkdirSync(job.workdir, { recursive: true });
  const file = join(job.workdir, job.fileName);
  writeFileSync(file, job.text);
  const random = new SeededRandom(job.seed);
  const runId = runIdFor(file, job.seed);
  let target: BuiltTarget | undefined;
  let ledger: Ledger | undefined;
  try {
    const loaded = await loadExperimentFile(file, { vars: job.vars ?? {}, varFiles: job.varFiles ?? [], cwd: job.workdir });
    target = await buildTarget({ target: "sandbox", ...(job.stack ? { stack: job.stack } : {}), random, cwd: job.workdir });
    // The preflight `chaos run` makes (gameday picks the targets with the seed): a replay hits the same resources.
    const checked = await checkPlan(await planFor(loaded, { region: target.region, accountId: target.accountId, cwd: job.workdir }), { target, random, cwd: job.workdir });
    if (refusalMessage(checked) !== undefined) return { exitCode: 2, summary: refusalMessage(checked)! };
    const plan = checked.plan;
    const journalPath = job.journalPath ?? join(job.workdir, `${runId}.journal.json`);
    ledger = Ledger.create(job.workdir, { runId, experiment: file, title: plan.experiment.title, seed: job.seed, target: target.record, ...thisProcess(), startedAt: target.clock.now(), journalPath });
    const journal = new Journal(journalPath, {
      experiment: journalExperiment(plan.loaded.raw),
      start: new Date(target.clock.now()).toISOString(),
      runId,
      seed: job.seed,
      target: { kind: target.kind, region: target.region, ...(job.stack ? { stack: job.stack } : {}) },
      clock: target.clock.kind,
      ledger: ledger.dir,
      secrets: plan.loaded.secretValues,
    });
    const { runExperiment } = await import("../engine/run.js");
    target.begin();
    const result = await runExperiment({
      plan,
      services: runServices(target, random),
      runId,
      seed: job.seed,
      journal,
      ledger,
      interrupt: new AbortController().signal,
      cwd: job.workdir,
      accountId: target.accountId,
      wallClock: new RealClock(),
    });
    if (job.journalPath === undefined) rmSync(journalPath, { force: true });
    return { exitCode: result.exitCode, summary: result.summary, verdict: result.verdict };
  } catch (err) {
    if (err instanceof InvalidInputError) return { exitCode: 2, summary: err.message };
    if (err instanceof CliError) return { exitCode: err.exitCode, summary: err.message };
    return { exitCode: 4, summary: err instanceof Error ? err.message : String(err) };
  } finally {
    await target?.close().catch(() => undefined);
    ledger?.release();
    if (ledger) rmSync(ledger.dir, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}
