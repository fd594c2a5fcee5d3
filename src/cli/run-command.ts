/**
 * `chaos run <name|path>`: load, plan, build the target, run, print the timeline and the verdict,
 * exit with the verdict's code. SIGINT and SIGTERM stop the method and run the rollbacks before
 * exiting 130; a second signal exits at once and leaves the ledger for `chaos recover`.
 */
import { accessSync, constants, existsSync, renameSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { HypothesisStrategy, RollbackStrategy } from "../experiment/model.js";
import { InvalidInputError } from "../experiment/model.js";
import { normaliseHypothesisStrategy, normaliseRollbackStrategy } from "../experiment/strategies.js";
import { parseVars } from "./var-options.js";
import { freshSeed, SeededRandom } from "../random/random.js";
import { Journal, journalExperiment } from "../engine/journal.js";
import { Ledger, liveness, runsDir, thisProcess } from "../engine/ledger.js";
import type { RunEvent } from "../engine/events.js";
import { silentLogger } from "../engine/ports.js";
import { CliError, targetError, usage } from "./errors.js";
import { resolveExperiment } from "./catalog.js";
import { buildTarget, type BuiltTarget } from "./target.js";
import { jsonRenderer, TimelineRenderer, type Renderer } from "./render.js";
import { loadExperimentFile, planFor, printPlan } from "./plan-command.js";
import { basename, extname } from "node:path";

export interface RunFlags {
  journalPath?: string;
  var?: string[];
  varFile?: string[];
  seed?: string;
  logFormat?: string;
  dry?: boolean;
  target: string;
  region?: string;
  profile?: string;
  stack?: string;
  speed?: string;
  handler?: string[];
  hypothesisStrategy?: string;
  rollbackStrategy?: string;
  failFast?: boolean;
  verbose?: boolean;
}

export function parseSeed(text: string | undefined): number {
  if (text === undefined) return freshSeed();
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) throw usage(`--seed: expected an integer from 0 to 4294967295, found ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseSpeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw usage(`--speed: expected a positive number (1 is real time), found ${JSON.stringify(text)}`);
  return n;
}

/** The run's inputs for run.json: a --var that carries a secret is named, never written down. */
function recordedInputs(vars: Record<string, string>, varFiles: string[], secretValues: readonly string[]): { varFiles: string[]; vars: Record<string, string>; secretVars: string[] } {
  const out = { varFiles, vars: {} as Record<string, string>, secretVars: [] as string[] };
  for (const [key, value] of Object.entries(vars)) {
    if (secretValues.some((secret) => value.includes(secret))) out.secretVars.push(key);
    else out.vars[key] = value;
  }
  return out;
}

function strategies(flags: RunFlags): { hypothesis?: HypothesisStrategy; rollbacks?: RollbackStrategy; failFast?: boolean } {
  const out: { hypothesis?: HypothesisStrategy; rollbacks?: RollbackStrategy; failFast?: boolean } = {};
  if (flags.hypothesisStrategy !== undefined) {
    const h = normaliseHypothesisStrategy(flags.hypothesisStrategy);
    if (!h) throw usage(`--hypothesis-strategy: expected default, before-method-only, after-method-only, during-method-only or continuously, found ${JSON.stringify(flags.hypothesisStrategy)}`);
    out.hypothesis = h;
  }
  if (flags.rollbackStrategy !== undefined) {
    const r = normaliseRollbackStrategy(flags.rollbackStrategy);
    if (!r) throw usage(`--rollback-strategy: expected always, deviated or never, found ${JSON.stringify(flags.rollbackStrategy)}`);
    out.rollbacks = r;
  }
  if (flags.failFast) out.failFast = true;
  return out;
}

/** A run id the same seed reproduces: the experiment's name and the seed. */
export function runIdFor(file: string, seed: number): string {
  return `${basename(file, extname(file))}-${seed.toString(16).padStart(8, "0")}`;
}

/**
 * Moves a finished earlier run with the same id aside; refuses while one still has undo left, and
 * while a process still works in it (the run itself, even before it changed anything, or a
 * `chaos recover`): moving its directory would take its ledger from under it.
 */
function claimRunDir(cwd: string, runId: string): void {
  const dir = join(runsDir(cwd), runId);
  if (!existsSync(dir)) return;
  const earlier = Ledger.open(dir);
  const holder = earlier.holder();
  if (holder !== undefined) {
    const state = holder === "unreadable" ? "unknown" : liveness(holder);
    if (state !== "dead") {
      const pid = holder === "unreadable" ? "a process whose lock file cannot be read" : `pid ${holder.pid}${holder.host ? ` on ${holder.host}` : ""}`;
      const doing = holder !== "unreadable" && holder.command === "recover" ? "is being recovered" : "is still going";
      throw targetError(`run ${runId} ${doing} (${pid}${state === "unknown" ? ", which cannot be checked from here" : ""}) in ${dir}; wait for it to end, or choose another --seed`);
    }
  }
  if (earlier.pending().length > 0 && !earlier.isClosed()) {
    throw targetError(`an earlier run ${runId} has unfinished rollbacks (${dir}); run \`chaos recover ${runId}\` first`);
  }
  for (let n = 1; ; n++) {
    const aside = `${dir}.${n}`;
    if (!existsSync(aside)) {
      renameSync(dir, aside);
      return;
    }
  }
}

/**
 * A run whose journal cannot be written leaves no record of what it did: find out before anything
 * starts. Missing directories are fine (the journal creates them); a file in the way, or a
 * directory this user cannot write to, is not.
 */
function checkJournalPath(path: string, shown: string): void {
  const why = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw usage(`--journal-path ${shown}: is a directory; expected the path of a file`);
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      throw usage(`--journal-path ${shown}: the file cannot be written (${why(err)})`);
    }
  }
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw usage(`--journal-path ${shown}: ${dir} is a file, not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw usage(`--journal-path ${shown}: cannot write in ${dir} (${why(err)})`);
  }
}

export async function runCommand(nameOrPath: string, flags: RunFlags): Promise<number> {
  const cwd = process.cwd();
  const file = resolveExperiment(nameOrPath, cwd);
  const seed = parseSeed(flags.seed);
  const speed = parseSpeed(flags.speed);
  const overrides = strategies(flags);
  const format = flags.logFormat ?? "pretty";
  if (!["pretty", "plain", "json"].includes(format)) throw usage(`--log-format: expected pretty, plain or json, found ${JSON.stringify(format)}`);
  const journalPath = resolve(cwd, flags.journalPath ?? "journal.json");
  if (!flags.dry) checkJournalPath(journalPath, flags.journalPath ?? "journal.json");
  const tty = format === "pretty" && process.stdout.isTTY === true;
  // NO_COLOR (no-color.org) takes the colours away, not the live status line.
  const colour = tty && !process.env.NO_COLOR;
  const renderer: Renderer =
    format === "json" ? await jsonRenderer() : new TimelineRenderer({ write: (t) => void process.stdout.write(t) }, { tty, colour, verbose: flags.verbose === true });
  const random = new SeededRandom(seed);

  let target: BuiltTarget | undefined;
  const interrupt = new AbortController();
  let journal: Journal | undefined;
  let ledger: Ledger | undefined;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      renderer.event({ type: "interrupted", at: target?.clock.now() ?? 0, signal });
      interrupt.abort(signal);
      return;
    }
    // Second signal: leave now. The journal says interrupted; the ledger keeps what is left to undo.
    if (journal) {
      journal.doc.status = "interrupted";
      journal.doc.gameday.interrupted = { signal, at: new Date(target?.clock.now() ?? 0).toISOString() };
      journal.write();
    }
    renderer.close();
    ledger?.release();
    process.stderr.write(`${signal} again: exiting without finishing the rollbacks; run \`chaos recover\` to finish them\n`);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    // Bad input fails before anything starts.
    const vars = parseVars(flags.var);
    const varFiles = (flags.varFile ?? []).map((f) => resolve(cwd, f));
    const loaded = await loadExperimentFile(file, { vars, varFiles, cwd, ...(flags.region ? { region: flags.region } : {}) });
    try {
      target = await buildTarget({
        target: flags.target,
        ...(flags.region ? { region: flags.region } : {}),
        ...(flags.profile ? { profile: flags.profile } : {}),
        ...(flags.stack ? { stack: resolve(cwd, flags.stack) } : {}),
        ...(speed !== undefined ? { speed } : {}),
        // As given: the sandbox resolves them against the working directory and names them as the user did.
        ...(flags.handler ? { handlers: flags.handler } : {}),
        random,
        cwd,
        onTrace: (t) => renderer.trace(t),
      });
    } catch (err) {
      if (err instanceof CliError || err instanceof InvalidInputError) throw err;
      if (err instanceof Error && (err.name === "StackError" || err.name === "HandlerLoadError")) throw usage(err.message);
      throw targetError(`the target could not be set up: ${err instanceof Error ? err.message : String(err)}`);
    }
    const plan = await planFor(loaded, { region: target.region, accountId: target.accountId, cwd });
    if (flags.dry) {
      printPlan(plan, { description: target.description, region: target.region, accountId: target.accountId }, seed, format === "json");
      return 0;
    }
    if (interrupt.signal.aborted) return 130;

    const runId = runIdFor(file, seed);
    claimRunDir(cwd, runId);
    try {
      ledger = Ledger.create(cwd, {
        runId,
        experiment: file,
        title: plan.experiment.title,
        seed,
        target: target.record,
        ...thisProcess(),
        startedAt: target.clock.now(),
        journalPath,
        inputs: recordedInputs(vars, varFiles, loaded.secretValues),
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw targetError(`run ${runId} was started by another process at the same moment; choose another --seed`);
      throw usage(`cannot write the rollback ledger under ${runsDir(cwd)} (${code ?? String(err)}); run from a directory you can write to`);
    }
    journal = new Journal(journalPath, {
      experiment: journalExperiment(plan.loaded.raw),
      start: new Date(target.clock.now()).toISOString(),
      runId,
      seed,
      target: { kind: target.kind, region: target.region, ...(target.stack ? { stack: relative(cwd, target.stack) || target.stack } : {}) },
      clock: target.clock.kind,
      ledger: relative(cwd, ledger.dir),
      secrets: plan.loaded.secretValues,
    });
    const { runExperiment } = await import("../engine/run.js");
    target.begin();
    const result = await runExperiment({
      plan,
      services: { clock: target.clock, random: random.fork("run"), aws: target.clients, traffic: target.traffic, logs: target.logs, log: silentLogger, targetKind: target.kind, region: target.region },
      runId,
      seed,
      journal,
      ledger,
      interrupt: interrupt.signal,
      listener: (e: RunEvent) => renderer.event(e),
      cwd,
      accountId: target.accountId,
      overrides,
    });
    renderer.close();
    if (format !== "json") process.stdout.write(`journal: ${relative(cwd, journalPath) || journalPath}\n`);
    return result.exitCode;
  } finally {
    renderer.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await target?.close().catch(() => undefined);
    // After the rollbacks: from now on `chaos recover` may finish whatever is left.
    ledger?.release();
  }
}
