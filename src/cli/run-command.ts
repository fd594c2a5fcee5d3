/**
 * `chaos run <name|path>`: load, plan, build the target, run, print the timeline and the verdict,
 * exit with the verdict's code. SIGINT and SIGTERM stop the method and run the rollbacks before
 * exiting 130; a second signal exits at once and leaves the ledger for `chaos recover`.
 */
import { STOP_SIGNALS } from "./stop-signals.js";
import { accessSync, constants, existsSync, lstatSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { HypothesisStrategy, RollbackStrategy } from "../experiment/model.js";
import { InvalidInputError } from "../experiment/model.js";
import { normaliseHypothesisStrategy, normaliseRollbackStrategy } from "../experiment/strategies.js";
import { parseVars } from "./var-options.js";
import { freshSeed, SeededRandom } from "../random/random.js";
import { Journal, journalExperiment } from "../engine/journal.js";
import { Ledger, LockFile, liveness, runsDir, thisProcess } from "../engine/ledger.js";
import type { RunEvent } from "../engine/events.js";
import { CliError, targetError, usage } from "./errors.js";
import { resolveExperiment } from "./catalog.js";
import { buildTarget, runServices, type BuiltTarget } from "./target.js";
import { jsonRenderer, TimelineRenderer, type Renderer } from "./render.js";
import { checkPlan, loadExperimentFile, planFor, printPlan, refusalMessage } from "./plan-command.js";
import { unavailableMessage } from "../engine/preflight.js";
import { basename, extname } from "node:path";
import { replayCommand, type ReplayInputs } from "./replay.js";
import { FIS_TEMPLATE_FAULT } from "../faults/fis-template-name.js";
import { experimentStack } from "../experiment/sandbox-stack.js";
import { isExperimentPath } from "../schedule/experiment-references.js";
import type { Plan } from "../engine/plan.js";
import { RealClock, type Clock } from "../time/clock.js";
import { fsProblem } from "../report/fs-problem.js";

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
  /** Modules subscribed to the stack's lifecycle-hook topics (--lifecycle-handler). */
  lifecycleHandler?: string[];
  /** `service=url` pairs for the load generator on endpoint and aws targets. */
  url?: string[];
  hypothesisStrategy?: string;
  rollbackStrategy?: string;
  failFast?: boolean;
  verbose?: boolean;
  /** Report formats to write next to the journal after the run. */
  report?: string[];
  /** A team's own FIS template to run instead of an experiment. */
  fisTemplate?: string;
  /** Where gameday.yaml, ./probes and ./experiments are read (--project); default the working directory. */
  project?: string;
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
 * The run directory (and run id) a new run of `baseId` takes. A new run never moves an older
 * run's directory: every path and run id printed or recorded before (the journal path on stdout,
 * run.json's journalPath, ./journal.json's target, a report's, the FIS tags and the ledger's name
 * `chaos recover <run-id>` looks for) goes on naming the run it named. The first run of an
 * experiment and seed here takes `<baseId>`; each later one takes `<baseId>.<n>`, one past the
 * highest taken so far, so that the numbers follow the order of the runs and a name once used,
 * even if its directory was deleted since, is not handed to another run while a later one exists.
 * Returns the id and the directories of the earlier runs with the same base id.
 */
function nextRunId(runs: string, baseId: string): { runId: string; earlier: string[] } {
  const same = new RegExp(`^${baseId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:\\.([1-9]\\d*))?$`);
  let highest = -1;
  const earlier: string[] = [];
  for (const name of existsSync(runs) ? readdirSync(runs) : []) {
    const m = same.exec(name);
    if (!m) continue;
    earlier.push(join(runs, name));
    highest = Math.max(highest, m[1] === undefined ? 0 : Number(m[1]));
  }
  return { runId: highest < 0 ? baseId : `${baseId}.${highest + 1}`, earlier };
}

/**
 * Refuses a run while an earlier run with the same experiment and seed is still going (the run
 * itself, even before it changed anything, or a `chaos recover`), or has undo left: on a shared
 * target the same seed picks the same resources, which that run still holds or left changed, and
 * its declared rollbacks may act on anything; the new run's verdict would measure what the earlier
 * one did. (These refusals once guarded the directory a rerun moved aside; none is moved now.)
 * Returns the run id the new run takes (see `nextRunId`).
 */
function claimRunDir(cwd: string, baseId: string): string {
  const { runId, earlier } = nextRunId(runsDir(cwd), baseId);
  for (const dir of earlier) {
    if (!existsSync(join(dir, "ledger.jsonl"))) continue;
    const name = basename(dir);
    const ledger = Ledger.open(dir);
    // Closed: the run ended with nothing left to undo (nearly every earlier run). One read, not the
    // four the checks below take: a seed rerun many times in one directory is checked against each.
    if (ledger.isClosed()) continue;
    const holder = ledger.holder();
    if (holder !== undefined) {
      const state = holder === "unreadable" ? "unknown" : liveness(holder);
      if (state !== "dead") {
        const pid = holder === "unreadable" ? "a process whose lock file cannot be read" : `pid ${holder.pid}${holder.host ? ` on ${holder.host}` : ""}`;
        const doing = holder !== "unreadable" && holder.command === "recover" ? "is being recovered" : "is still going";
        throw targetError(`run ${name} ${doing} (${pid}${state === "unknown" ? ", which cannot be checked from here" : ""}) in ${dir}; wait for it to end, or choose another --seed`);
      }
    }
    if (ledger.pending().length > 0 && !ledger.isClosed()) {
      throw targetError(`an earlier run ${name} has unfinished rollbacks (${dir}); run \`chaos recover ${name}\` first`);
    }
  }
  return runId;
}

/**
 * A run whose journal cannot be written leaves no record of what it did: find out before anything
 * starts. The directory must exist already: a typo in it would otherwise create a tree nobody
 * meant, and the journal would be lost in it. A file in the way, or a directory this user cannot
 * write to, is refused too.
 */
function checkJournalPath(path: string, shown: string): void {
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw usage(`--journal-path ${shown}: is a directory; expected the path of a file`);
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      throw usage(`--journal-path ${shown}: the file cannot be written: ${fsProblem(err, path) ?? String(err)}`);
    }
  }
  const dir = dirname(path);
  if (!existsSync(dir)) throw usage(`--journal-path ${shown}: the directory ${dir} does not exist; create it first, or choose another path`);
  if (!statSync(dir).isDirectory()) throw usage(`--journal-path ${shown}: ${dir} is a file, not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw usage(`--journal-path ${shown}: cannot write in its directory: ${fsProblem(err, dir) ?? String(err)}`);
  }
}

/** Where the link to the latest run's journal goes, in the working directory. */
const LATEST_JOURNAL = "journal.json";

/**
 * Without --journal-path each run writes its journal in its own run directory, and ./journal.json
 * is a symbolic link to the newest one. A link rather than a copy: it shows the run's journal as
 * it is written (a killed run's too), and there is one journal per run to trust. Two runs started
 * together both flip the link, and the later one wins; each run's own journal stays whole.
 */
function checkLatestLink(cwd: string): void {
  const link = join(cwd, LATEST_JOURNAL);
  let isDir = false;
  try {
    isDir = lstatSync(link).isDirectory();
  } catch {
    // Nothing there yet.
  }
  if (isDir) throw usage(`${link} is a directory: each run's journal is linked there as journal.json; move it, or give --journal-path`);
  try {
    accessSync(cwd, constants.W_OK);
  } catch (err) {
    throw usage(`cannot write in the working directory: ${fsProblem(err, cwd) ?? String(err)}; run from a directory you can write to, or give --journal-path`);
  }
}

/** Points ./journal.json at `journal`, atomically (a new link renamed over the old one). */
function linkLatest(cwd: string, journal: string): string | undefined {
  const link = join(cwd, LATEST_JOURNAL);
  const tmp = `${link}.${process.pid}.tmp`;
  try {
    rmSync(tmp, { force: true });
    symlinkSync(relative(cwd, journal), tmp);
    renameSync(tmp, link);
    return undefined;
  } catch (err) {
    rmSync(tmp, { force: true });
    return fsProblem(err, link) ?? String(err);
  }
}

/**
 * A --journal-path is one run's at a time: a second live run writing there would replace the
 * first one's journal as both went. The lock sits next to the journal (`<file>.lock`) for the
 * run's lifetime; a killed run's lock is stale and taken over.
 */
function claimJournalPath(path: string, shown: string): LockFile {
  const lock = new LockFile(`${path}.lock`);
  const claim = lock.acquire("run");
  if (!claim.ok) {
    const h = claim.holder;
    const who = h === "unreadable" ? `a process whose lock file ${lock.path} cannot be read` : `another run (pid ${h.pid}${h.host ? ` on ${h.host}` : ""}${claim.state === "unknown" ? ", which cannot be checked from here" : ""})`;
    throw usage(`--journal-path ${shown}: ${who} is writing its journal there; choose another path, or leave --journal-path out: each run then gets its own journal`);
  }
  return lock;
}

/** The experiment to run: the one named, or the one --fis-template stands for. */
/** A path is the user's, relative to where they are; a name is looked up in the project's ./experiments, then the catalog. */
async function experimentFile(nameOrPath: string | undefined, flags: RunFlags, cwd: string, project: string): Promise<string> {
  if (flags.fisTemplate === undefined) {
    if (nameOrPath === undefined) throw usage("chaos run: expected an experiment (a name or a path), or --fis-template <file>");
    return resolveExperiment(nameOrPath, isExperimentPath(nameOrPath) ? cwd : project);
  }
  if (nameOrPath !== undefined) throw usage(`chaos run: give an experiment (${JSON.stringify(nameOrPath)}) or --fis-template, not both; a template in an experiment is a \`fis-template:\` step`);
  const { fisTemplateExperiment } = await import("./fis-template-experiment.js");
  return fisTemplateExperiment(flags.fisTemplate, Object.keys(parseVars(flags.var)), cwd);
}

/** On AWS, a team's template that reaches everything it names runs only where gameday.yaml allows it. */
async function refuseAllReachingTemplates(plan: Plan, cwd: string): Promise<void> {
  const { allReaching } = await import("../faults/fis-template-guard.js");
  const { fisTemplatesAllowAll } = await import("./aws-guard.js");
  const found = [...plan.faults.values()].filter((f) => f.step.fault === FIS_TEMPLATE_FAULT).flatMap((f) => allReaching(f.fragment).map((why) => `${f.step.name}: ${why}`));
  if (found.length === 0 || fisTemplatesAllowAll(cwd)) return;
  throw usage(`refusing to run on AWS a FIS template that reaches everything it names:\n  ${found.join("\n  ")}\nnarrow it (COUNT(n), PERCENT(n), a narrower scope), or allow it in gameday.yaml with\n  fisTemplates:\n    allowAll: true`);
}

/**
 * What a run reads from and writes to its process. The CLI's is the process's own; the startup
 * snapshot's builder runs one in a scratch directory with its output dropped (snapshot-warmup.ts),
 * where the process's stdout and signal handlers must stay untouched.
 */
export interface RunIo {
  cwd: string;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  /** NO_COLOR is read from it. */
  env: NodeJS.ProcessEnv;
  /** Where SIGINT, SIGTERM and SIGHUP come from. */
  signals: { on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown; off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown };
  /** Wall time for the journal's `gameday.wallClock` (a real clock when not given): the target's clock may be virtual. */
  wallClock?: Clock;
}

/** The process's own cwd, stdout, stderr, environment and signals. */
export function processIo(): RunIo {
  return { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, env: process.env, signals: process };
}

export async function runCommand(nameOrPath: string | undefined, flags: RunFlags, io: RunIo = processIo()): Promise<number> {
  const cwd = io.cwd;
  // The project's files (gameday.yaml's guardrails and allow-list, ./probes, ./experiments, the
  // working directory of process activities) may live elsewhere than this run's own (.gameday/runs,
  // ./journal.json): `chaos gate` runs each run in a directory of its own, in the project.
  const project = flags.project !== undefined ? resolve(cwd, flags.project) : cwd;
  if (flags.project !== undefined && !isDirectory(project)) throw usage(`--project: expected a directory, found ${JSON.stringify(flags.project)}`);
  const file = await experimentFile(nameOrPath, flags, cwd, project);
  const seed = parseSeed(flags.seed);
  const speed = parseSpeed(flags.speed);
  const overrides = strategies(flags);
  const format = flags.logFormat ?? "pretty";
  if (!["pretty", "plain", "json"].includes(format)) throw usage(`--log-format: expected pretty, plain or json, found ${JSON.stringify(format)}`);
  const reportFormats = flags.report === undefined ? [] : await (await import("./run-report.js")).parseReportFlag(flags.report);
  const chosenJournal = flags.journalPath === undefined ? undefined : resolve(cwd, flags.journalPath);
  if (!flags.dry) {
    if (chosenJournal !== undefined) checkJournalPath(chosenJournal, flags.journalPath!);
    else checkLatestLink(cwd);
  }
  const tty = format === "pretty" && io.stdout.isTTY === true;
  // NO_COLOR (no-color.org) takes the colours away, not the live status line.
  const colour = tty && !io.env.NO_COLOR;
  const json = format === "json" ? await jsonRenderer() : undefined;
  const renderer: Renderer =
    json ?? new TimelineRenderer({ write: (t) => void io.stdout.write(t) }, { tty, colour, verbose: flags.verbose === true });
  const random = new SeededRandom(seed);

  let target: BuiltTarget | undefined;
  const interrupt = new AbortController();
  let journal: Journal | undefined;
  let ledger: Ledger | undefined;
  let journalLock: LockFile | undefined;
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
    journalLock?.release();
    io.stderr.write(`${signal} again: exiting without finishing the rollbacks; run \`chaos recover\` to finish them\n`);
    process.exit(130);
  };
  // SIGHUP too: a terminal closed or an SSH session dropped must not leave a fault in force.
  for (const s of STOP_SIGNALS) io.signals.on(s, onSignal);

  try {
    // Bad input fails before anything starts.
    const vars = parseVars(flags.var);
    const varFiles = (flags.varFile ?? []).map((f) => resolve(cwd, f));
    const loaded = await loadExperimentFile(file, { vars, varFiles, cwd: project, ...(flags.region ? { region: flags.region } : {}) });
    // A team's FIS template that FIS would refuse is refused before the target is asked anything.
    if (loaded.experiment.method.some((s) => s.kind === "fault" && s.fault === FIS_TEMPLATE_FAULT)) await planFor(loaded, { ...(await import("./offline-plan.js")).OFFLINE, cwd: project });
    // The stack the experiment names for the embedded sandbox, unless --stack chooses another.
    const ownStack = flags.target === "sandbox" && flags.stack === undefined ? experimentStack(loaded) : undefined;
    try {
      target = await buildTarget({
        target: flags.target,
        ...(flags.region ? { region: flags.region } : {}),
        ...(flags.profile ? { profile: flags.profile } : {}),
        ...(flags.stack ? { stack: resolve(cwd, flags.stack) } : ownStack ? { stack: ownStack.file } : {}),
        ...(speed !== undefined ? { speed } : {}),
        // As given: the sandbox resolves them against the working directory and names them as the user did.
        ...(flags.handler ? { handlers: flags.handler } : {}),
        ...(flags.lifecycleHandler ? { lifecycleHandlers: flags.lifecycleHandler } : {}),
        ...(flags.url ? { urls: flags.url } : {}),
        random,
        cwd: project,
        onTrace: (t) => renderer.trace(t),
      });
    } catch (err) {
      if (err instanceof CliError || err instanceof InvalidInputError) throw err;
      if (err instanceof Error && (err.name === "StackError" || err.name === "HandlerLoadError")) throw usage(err.message);
      throw targetError(`the target could not be set up: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Read-only preflight before anything starts: exact targets, guardrails (plan-command.ts).
    const checked = await checkPlan(await planFor(loaded, { region: target.region, accountId: target.accountId, cwd: project }), { target, random, cwd: project });
    const plan = checked.plan;
    if (target.kind === "aws") await refuseAllReachingTemplates(plan, project);
    const { requirementsFor } = await import("./plan-requirements.js");
    // The run id a run would take now (stop alarms are named after it); the run claims its own below.
    const likelyRunId = nextRunId(runsDir(cwd), runIdFor(file, seed)).runId;
    const required = await requirementsFor(plan, { clients: target.clients, accountId: target.accountId, runId: likelyRunId });
    if (flags.dry) {
      await printPlan(plan, { description: target.description, region: target.region, accountId: target.accountId, runId: likelyRunId }, seed, format === "json", checked, required);
      return refusalMessage(checked) !== undefined ? 2 : unavailableMessage(checked) !== undefined ? 4 : (required.redLines[0]?.exitCode ?? 0);
    }
    const refused = refusalMessage(checked);
    if (refused !== undefined) throw usage(refused);
    // A fault the target's FIS has no action for (efs-latency from Lambda on AWS): exit 4, nothing sent.
    const unavailable = unavailableMessage(checked);
    if (unavailable !== undefined) throw targetError(unavailable);
    const red = required.redLines[0];
    if (red) throw new CliError(`preflight: ${required.redLines.map((r) => r.message).join("; ")}; nothing was started`, red.exitCode);
    if (interrupt.signal.aborted) return 130;

    if (chosenJournal !== undefined) journalLock = claimJournalPath(chosenJournal, flags.journalPath!);
    const runId = claimRunDir(cwd, runIdFor(file, seed));
    const journalPath = chosenJournal ?? join(runsDir(cwd), runId, "journal.json");
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
        ...(project !== cwd ? { project } : {}),
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw targetError(`run ${runId} was started by another process at the same moment; choose another --seed`);
      throw usage(`cannot write the rollback ledger under ${runsDir(cwd)}: ${fsProblem(err) ?? String(err)}; run from a directory you can write to`);
    }
    journal = new Journal(journalPath, {
      experiment: journalExperiment(plan.loaded.raw),
      start: new Date(target.clock.now()).toISOString(),
      runId,
      seed,
      target: { kind: target.kind, region: target.region, ...(target.stack ? journalStack(flags.stack ?? ownStack?.named, target.stack) : {}), ...(target.clockSource ? { clock: target.clockSource } : {}) },
      clock: target.clock.kind,
      ledger: relative(cwd, ledger.dir),
      secrets: plan.loaded.secretValues,
      replay: replayCommand(replayInputs(nameOrPath, file, seed, flags, recordedInputs(vars, [], plan.loaded.secretValues).vars, cwd)),
    });
    let linkFailure: string | undefined;
    if (chosenJournal === undefined) {
      // Written once before the link moves, so that journal.json never points at nothing.
      journal.write();
      linkFailure = linkLatest(cwd, journalPath);
      if (linkFailure !== undefined) io.stderr.write(`chaos: could not link ${LATEST_JOURNAL} to this run's journal: ${linkFailure}; the journal is at ${relative(cwd, journalPath)}\n`);
    }
    const { runExperiment } = await import("../engine/run.js");
    target.begin();
    const result = await runExperiment({
      plan,
      services: runServices(target, random),
      runId,
      seed,
      journal,
      ledger,
      interrupt: interrupt.signal,
      listener: (e: RunEvent) => renderer.event(e),
      cwd: project,
      accountId: target.accountId,
      wallClock: io.wallClock ?? new RealClock(),
      overrides,
    });
    renderer.close();
    const linked = chosenJournal === undefined && linkFailure === undefined;
    // --log-format json: the paths are events in the JSON stream (stderr), absolute, as a tool wants them.
    if (json) json.record("journal", target.clock.now(), { path: journalPath, ...(linked ? { link: join(cwd, LATEST_JOURNAL) } : {}) });
    else io.stdout.write(`journal: ${relative(cwd, journalPath) || journalPath}${linked ? ` (${LATEST_JOURNAL} links to it)` : ""}\n`);
    if (reportFormats.length > 0) {
      const { writeRunReports } = await import("./run-report.js");
      const paths = await writeRunReports(journalPath, reportFormats);
      paths.forEach((p, i) => {
        if (json) json.record("report", target!.clock.now(), { format: reportFormats[i], path: p });
        else io.stdout.write(`report: ${relative(cwd, p) || p}\n`);
      });
    }
    return result.exitCode;
  } finally {
    renderer.close();
    for (const s of STOP_SIGNALS) io.signals.off(s, onSignal);
    await target?.close().catch(() => undefined);
    // After the rollbacks: from now on `chaos recover` may finish whatever is left.
    ledger?.release();
    journalLock?.release();
  }
}

/**
 * What the replay command repeats: every flag that changes what runs, as the user typed it (paths
 * stay relative to the directory the run was started in, as --stack and --var-file always were).
 */
export function replayInputs(nameOrPath: string | undefined, file: string, seed: number, flags: RunFlags, vars: Record<string, string>, cwd: string): ReplayInputs {
  return {
    experiment: nameOrPath ?? relative(cwd, file),
    ...(flags.fisTemplate !== undefined ? { fisTemplate: flags.fisTemplate } : {}),
    seed,
    target: flags.target,
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
    ...(flags.stack !== undefined ? { stack: flags.stack } : {}),
    ...(flags.speed !== undefined ? { speed: flags.speed } : {}),
    ...(flags.handler !== undefined ? { handlers: flags.handler } : {}),
    ...(flags.lifecycleHandler !== undefined ? { lifecycleHandlers: flags.lifecycleHandler } : {}),
    ...(flags.url !== undefined ? { urls: flags.url } : {}),
    vars,
    varFiles: flags.varFile ?? [],
    ...(flags.hypothesisStrategy !== undefined ? { hypothesisStrategy: flags.hypothesisStrategy } : {}),
    ...(flags.rollbackStrategy !== undefined ? { rollbackStrategy: flags.rollbackStrategy } : {}),
    ...(flags.failFast ? { failFast: true } : {}),
    ...(flags.project !== undefined ? { project: flags.project } : {}),
  };
}

/**
 * The stack as the journal records it: as the user named it ("default" when they named none) and
 * its absolute path, so reports and replays read the same wherever the journal is opened (a path
 * relative to the run's directory reads as ../../<somewhere> from anywhere else).
 */
export function journalStack(named: string | undefined, file: string): { stack: string; stackPath: string } {
  return { stack: named ?? "default", stackPath: resolve(file) };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
