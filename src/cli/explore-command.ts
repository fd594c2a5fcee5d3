/**
 * `chaos explore <experiment|space>`: searches fault schedules for one that breaks the
 * experiment's hypothesis, shrinks it to the smallest that still does, and writes it as an
 * experiment file `chaos run` replays, with its seed and journal. Parses flags, builds the space,
 * hands the search (src/explore) a way to run candidates (worker threads, each running
 * explore-candidate.ts on a fresh embedded sandbox), prints progress and the result.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { InvalidInputError } from "../experiment/model.js";
import { availableParallelism } from "node:os";
import { basename, extname, join, relative, resolve } from "node:path";
import { stringify } from "yaml";
import { RealClock } from "../time/clock.js";
import { parseDuration, formatDuration } from "../experiment/duration.js";
import { readSource } from "../experiment/source.js";
import { authoredFaults, buildSpace, crashStep, DEFAULT_MAX_CRASHES, type AuthoredFault, type ShipperSite, type Space } from "../explore/space.js";
import { isSpaceDocument, readSpaceFile, spaceError, type SpaceFile } from "../explore/space-file.js";
import { describeSchedule, renderExperiment, type Schedule } from "../explore/schedule.js";
import { search, type CandidateVerdict, type Progress, type SearchResult } from "../explore/search.js";
import { WorkerPool } from "../explore/pool.js";
import { TARGETS_PER_FAULT_CAP } from "../explore/cap.js";
import { resolveExperiment, catalogDirs } from "./catalog.js";
import { loadExperimentFile } from "./plan-command.js";
import { experimentStack, withoutExperimentStack } from "../experiment/sandbox-stack.js";
import { parseSeed } from "./run-command.js";
import { runCandidate, type CandidateJob, type CandidateResult } from "./explore-candidate.js";
import { targetError, usage } from "./errors.js";
import { wholeNumberFlag } from "./number-flags.js";
import { parseVars } from "./var-options.js";
import { replayVarFlags, varsToWrite, withConfiguration } from "./explore-vars.js";
import type { LoadedExperiment } from "../experiment/model.js";
import { count } from "./plural.js";
import { unreadableFile } from "../report/fs-problem.js";

export interface ExploreFlags {
  seed?: string;
  budget?: string;
  runs?: string;
  shrinkRuns?: string;
  workers?: string;
  stack?: string;
  out?: string;
  maxFaults?: string;
  window?: string;
  maxCrashes?: string;
  var?: string[];
  varFile?: string[];
}

export const DEFAULT_BUDGET = "PT5M";
export const DEFAULT_RUNS = 1000;
export const DEFAULT_SHRINK_RUNS = 300;

function positiveInt(flag: string, text: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  return text === undefined ? fallback : wholeNumberFlag(`--${flag}`, text, { min: 1, max });
}

function positiveDuration(flag: string, text: string | undefined, fallback?: string): number | undefined {
  const value = text ?? fallback;
  if (value === undefined) return undefined;
  // The forms experiment files take: ISO 8601 (PT5M) or short (5m, 90s).
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw usage(`--${flag}: expected a positive duration such as PT5M or 5m, found ${JSON.stringify(value)}`);
  return ms;
}

/** `dir` when nothing is there yet, else the first of `dir.1`, `dir.2`, ... that is free. */
function unusedDir(dir: string): string {
  if (!existsSync(dir)) return dir;
  let n = 1;
  while (existsSync(`${dir}.${n}`)) n++;
  return `${dir}.${n}`;
}

/** A space file by name (experiments/spaces/<name>.yaml, local then built-in), or by path. */
function resolveInput(nameOrPath: string, cwd: string): { space?: SpaceFile; experimentFile: string } {
  let file: string | undefined;
  if (nameOrPath.includes("/") || extname(nameOrPath) !== "") {
    file = resolve(cwd, nameOrPath);
    if (!existsSync(file)) throw usage(`${nameOrPath}: no such file`);
  } else {
    for (const dir of catalogDirs(cwd)) {
      const candidate = join(dir, "spaces", `${nameOrPath}.yaml`);
      if (existsSync(candidate)) {
        file = candidate;
        break;
      }
    }
    file ??= resolveExperiment(nameOrPath, cwd);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InvalidInputError([{ file: nameOrPath, path: "(document)", expected: "a readable experiment or space file", found: unreadableFile(err, file) }]);
  }
  if (!isSpaceDocument(readSource(text, file).value)) return { experimentFile: file };
  const space = readSpaceFile(file, text);
  return { space, experimentFile: existsSync(space.experiment) ? space.experiment : resolveExperiment(space.experiment, cwd) };
}

/** The fault templates: the space file's choice, or every fault step of the experiment. */
function chooseFaults(space: SpaceFile | undefined, raw: unknown, experimentFile: string, crashes: boolean): AuthoredFault[] {
  const steps = authoredFaults(raw);
  if (!space?.faults) {
    if (steps.length === 0 && !crashes) throw usage(`${experimentFile}: its method has no fault step to vary; name faults in a space file (see chaos explore --help)`);
    return steps;
  }
  return space.faults.map((f, i) => {
    if (typeof f !== "string") return f;
    const step = steps.find((s) => (s.name ?? s.fault) === f);
    if (!step) throw spaceError(space, ["faults", i], `the name of a fault step of ${basename(experimentFile)} (${steps.map((s) => s.name ?? s.fault).join(", ") || "it has none"})`, JSON.stringify(f));
    return step;
  });
}

/** A fault declared in the space file gets its target and parameters checked now, at its line. */
async function checkDeclaredFaults(space: SpaceFile): Promise<void> {
  const { loadFault } = await import("../faults/index.js");
  for (const [i, f] of (space.faults ?? []).entries()) {
    if (typeof f === "string") continue;
    const module = (await loadFault(f.fault))!;
    for (const [key, schema, value] of [["target", module.target, f.target ?? {}], ["with", module.params, f.with ?? {}]] as const) {
      const parsed = schema.safeParse(value);
      if (parsed.success) continue;
      const issue = parsed.error.issues[0]!;
      const path = ["faults", i, key, ...issue.path.filter((p): p is string | number => typeof p !== "symbol")];
      throw spaceError(space, path, issue.message, JSON.stringify(value));
    }
  }
}

/** The streams the experiment's log-delivery probes read (after variables): whose shippers crash. */
function loggedStreams(loaded: LoadedExperiment): string[] | undefined {
  const e = loaded.experiment;
  const checks = [...(e.steadyStateHypothesis?.probes ?? []), ...e.method, ...e.stopConditions];
  const streams = checks.filter((c) => c.kind === "probe" && c.probe === "log-delivery").map((c) => String((c as { with: Record<string, unknown> }).with.stream));
  return streams.length > 0 ? [...new Set(streams)] : undefined;
}

/**
 * Crashes of the log producers: how many (--max-crashes, else the space file's, else
 * DEFAULT_MAX_CRASHES when the experiment has a log-delivery probe) and whose shipper: the space
 * file's target, else the stack's `logging` entry for the stream the probe reads.
 */
async function crashesFor(space: SpaceFile | undefined, flag: string | undefined, loaded: LoadedExperiment, stack: string | undefined): Promise<{ step: AuthoredFault; max: number } | undefined> {
  const streams = loggedStreams(loaded);
  if (flag !== undefined && !/^(10|\d)$/.test(flag)) throw usage(`--max-crashes: expected a whole number from 0 to 10, found ${JSON.stringify(flag)}`);
  const asked = flag !== undefined ? Number(flag) : space?.crashes?.max;
  const max = asked ?? (streams ? DEFAULT_MAX_CRASHES : 0);
  if (max === 0) return undefined;
  const { loadStack, DEFAULT_STACK_FILE } = await import("../sandbox/stack/load.js");
  const stackFile = stack ?? DEFAULT_STACK_FILE;
  const s = loadStack(stackFile);
  const logging = s.logging.filter((l) => !streams || streams.includes(l.stream));
  const entry = logging[0];
  const service = space?.crashes?.target?.service ?? entry?.service;
  const cluster = space?.crashes?.target?.cluster ?? s.services.find((x) => x.name === service)?.cluster;
  if (service === undefined || cluster === undefined) {
    // Asked for by name (a flag or the space file): say why there is nothing to crash.
    if (asked !== undefined) throw usage(`crashes: ${stackFile} has no logging service${streams ? ` shipping to ${streams.join(", ")}` : ""} whose shipper could crash; name one with crashes.target in the space file`);
    return undefined;
  }
  const site: ShipperSite = { cluster, service, process: space?.crashes?.process ?? s.logging.find((l) => l.service === service)?.process ?? "log-shipper" };
  return { step: crashStep(site), max };
}

/** The stack's Availability Zones: where the search may place faults whose target takes an `az`. */
async function stackZones(stack: string | undefined): Promise<string[]> {
  const { loadStack, DEFAULT_STACK_FILE } = await import("../sandbox/stack/load.js");
  return loadStack(stack ?? DEFAULT_STACK_FILE).availabilityZones;
}

export function describeSpace(space: Space): string {
  const names = [...new Set(space.templates.map((t) => t.name))].join(", ");
  const knobs = [...new Set(space.templates.flatMap((t) => t.knobs.map((k) => k.param)))];
  const crashes = space.crashes ? `; up to ${count(space.crashes.max, "crash", "crashes")} of ${space.crashes.template.name} (SIGKILL)` : "";
  const zones = [...new Set(space.templates.flatMap((t) => t.zones ?? []))];
  return `${names || "no fault"}${crashes}; up to ${count(space.maxFaults, "fault")} starting within ${formatDuration(space.windowMs)} (every ${formatDuration(space.offsetStepMs)}), COUNT(1)${space.maxTargets > 1 ? `..COUNT(${space.maxTargets})` : ""} each (blast-radius cap ${TARGETS_PER_FAULT_CAP})${zones.length ? ` in one of ${zones.join(", ")}` : ""}${knobs.length ? `; varying ${knobs.join(", ")}` : ""}`;
}

/** Runs candidates: on worker threads when there are several, else here. */
function candidateRunner(workers: number): { run(job: CandidateJob): Promise<CandidateResult>; close(): Promise<void> } {
  if (workers <= 1) return { run: runCandidate, close: async () => {} };
  const pool = new WorkerPool<CandidateJob, CandidateResult>(new URL("./explore-worker.js", import.meta.url), workers);
  return { run: (job) => pool.run(job), close: () => pool.close() };
}

function progressLine(p: Progress): string {
  const unjudged = p.notJudged > 0 ? `, ${p.notJudged} could not be judged` : "";
  if (p.phase === "search" || p.foundAt === undefined) return `explore: ${count(p.tried, "schedule")} tried${unjudged}`;
  // Shrink candidates are not schedules of the search: counted apart, not as more failures.
  return `explore: schedule #${p.foundAt} of ${p.tried} failed; shrinking (${count(p.shrinkTried, "candidate")} tried${unjudged})${p.smallest ? `: smallest so far ${count(p.smallest.faults.length, "fault")}` : ""}`;
}

/**
 * The candidates that could not be judged, for summary.json: how many, and the first (its schedule,
 * exit code and why). Undefined when every candidate was judged.
 */
export function notJudgedSummary(result: SearchResult): { count: number; first: { schedule: Schedule; exitCode: number; summary: string } } | undefined {
  const first = result.firstError;
  return first ? { count: result.notJudged, first: { schedule: first.schedule, exitCode: first.verdict.exitCode, summary: first.verdict.summary } } : undefined;
}

/**
 * Beside a finding: shrink candidates (or schedules) that could not be judged were taken as not
 * failing, so a smaller failing schedule may be among them; the user is told how many and why.
 */
export function notJudgedBesideFinding(result: SearchResult): string | undefined {
  const n = notJudgedSummary(result);
  if (!n) return undefined;
  return `${count(n.count, "candidate")} could not be judged (taken as not failing: a failure, or a smaller one, may hide among them); the first: ${n.first.summary} (schedule: ${describeSchedule(n.first.schedule)})`;
}

function tally(result: SearchResult): string {
  const words: Record<number, string> = { 0: "held", 1: "deviated", 2: "invalid", 3: "aborted", 4: "errored" };
  return Object.entries(result.byExitCode)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, n]) => `${words[Number(code)] ?? `exit ${code}`} ${n}`)
    .join(", ");
}

/**
 * Everything a search needs before it runs, with every check of the input: the space file (or the
 * experiment), the experiment it names loaded with the vars, the stack, the fault templates and
 * bounds. `chaos validate` of a space file runs the same checks.
 */
export async function prepareSearch(nameOrPath: string, flags: ExploreFlags, cwd: string) {
  const input = resolveInput(nameOrPath, cwd);
  // The space file's vars first, --var over them; both, and --var-file, reach every candidate.
  const vars = { ...input.space?.vars, ...parseVars(flags.var) };
  const varFiles = (flags.varFile ?? []).map((f) => resolve(cwd, f));
  for (const f of varFiles) if (!existsSync(f)) throw usage(`--var-file ${f}: no such file`);
  const loaded = await loadExperimentFile(input.experimentFile, { vars, varFiles, cwd });
  const written = varsToWrite(loaded, vars, varFiles);
  // The experiment's own stack is passed to candidates and the replay as --stack, so the
  // generated files (written elsewhere) do not carry its path relative to the original.
  const ownStack = experimentStack(loaded);
  const raw = withoutExperimentStack(withConfiguration(loaded.raw as Record<string, unknown>, written.configuration));
  const stack = flags.stack !== undefined ? resolve(cwd, flags.stack) : (input.space?.stack ?? ownStack?.file);
  if (stack !== undefined && !existsSync(stack)) throw usage(`--stack ${flags.stack ?? stack}: no such file`);
  const bounds = { ...input.space?.bounds };
  if (flags.maxFaults !== undefined) bounds.maxFaults = positiveInt("max-faults", flags.maxFaults, 3, 10);
  if (flags.window !== undefined) bounds.windowMs = positiveDuration("window", flags.window)!;
  const crashes = await crashesFor(input.space, flags.maxCrashes, loaded, stack);
  const chosen = chooseFaults(input.space, raw, input.experimentFile, crashes !== undefined);
  if (input.space) await checkDeclaredFaults(input.space);
  const space = await buildSpace(chosen, bounds, crashes, await stackZones(stack));
  return { input, vars, varFiles, loaded, written, ownStack, raw, stack, space };
}

export async function exploreCommand(nameOrPath: string, flags: ExploreFlags): Promise<number> {
  const cwd = process.cwd();
  const seed = parseSeed(flags.seed);
  const budgetMs = positiveDuration("budget", flags.budget, DEFAULT_BUDGET)!;
  const runs = positiveInt("runs", flags.runs, DEFAULT_RUNS);
  const shrinkRuns = positiveInt("shrink-runs", flags.shrinkRuns, DEFAULT_SHRINK_RUNS);
  const cores = availableParallelism();
  const workers = positiveInt("workers", flags.workers, cores, cores);
  const { input, vars, varFiles, loaded, written, ownStack, raw, stack, space } = await prepareSearch(nameOrPath, flags, cwd);

  const name = basename(input.space?.file ?? input.experimentFile, extname(input.space?.file ?? input.experimentFile));
  const fileName = `${name}-explored.yaml`;
  // A search again with the same seed (other --runs, --budget or flags) takes a directory of its
  // own, as runs do: the earlier search's finding stays where it was printed. An --out given is
  // cleared of an earlier search's files, so that none of them reads as this search's.
  const out = flags.out !== undefined ? resolve(cwd, flags.out) : unusedDir(resolve(cwd, ".gameday", "explore", `${name}-${seed.toString(16).padStart(8, "0")}`));
  if (flags.out !== undefined) for (const f of [fileName, "journal.json", "summary.json"]) rmSync(join(out, f), { force: true });
  mkdirSync(out, { recursive: true });
  const scratch = join(out, ".candidates");
  const shown = (p: string) => relative(cwd, p) || p;

  const wall = new RealClock();
  const started = wall.now();
  const runner = candidateRunner(workers);
  let jobs = 0;
  const render = (schedule: Schedule) => renderExperiment(raw, space, schedule, `Found by chaos explore (seed ${seed}): ${describeSchedule(schedule)}.`);
  const jobFor = (schedule: Schedule): CandidateJob => ({ text: stringify(render(schedule)), fileName, workdir: join(scratch, String(jobs++)), seed, ...(stack ? { stack } : {}), vars, varFiles });
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  process.stdout.write(`explore ${name}  seed ${seed}  workers ${workers}  budget ${formatDuration(budgetMs)}, ${runs} runs\n`);
  process.stdout.write(`space: ${describeSpace(space)}\n`);
  process.stdout.write(`judged by: ${shown(input.experimentFile)} on ${stack ? shown(stack) : "the default stack"}\n`);

  let result: SearchResult;
  try {
    result = await search({
      space,
      seed,
      runs,
      shrinkRuns,
      batchSize: workers,
      outOfTime: () => wall.now() - started >= budgetMs,
      evaluate: (schedules) => Promise.all(schedules.map((s) => runner.run(jobFor(s)))) as Promise<CandidateVerdict[]>,
      onProgress: (p) => {
        if (tty) process.stderr.write(`\r\x1b[K${progressLine(p)}`);
        else if (p.tried + p.shrinkTried >= lastLine + 10) {
          lastLine = p.tried + p.shrinkTried;
          process.stderr.write(`${progressLine(p)}\n`);
        }
      },
    });
  } finally {
    if (tty) process.stderr.write("\r\x1b[K");
    await runner.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const elapsed = wall.now() - started;
  const stopped = { found: "a failing schedule was found", runs: `all ${runs} runs were tried`, budget: `the ${formatDuration(budgetMs)} budget ran out` }[result.stoppedBy];
  process.stdout.write(`tried ${count(result.tried, "schedule")} and ${count(result.shrinkTried, "shrink candidate")} in ${(elapsed / 1000).toFixed(1)} s (${tally(result) || "none"}); stopped: ${stopped}\n`);
  process.stdout.write(`faults placed: ${Object.entries(result.faultsTried).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}\n`);

  const summary: Record<string, unknown> = {
    experiment: shown(input.experimentFile),
    ...(input.space ? { space: shown(input.space.file) } : {}),
    ...(stack ? { stack: shown(stack) } : {}),
    seed,
    runs,
    budget: formatDuration(budgetMs),
    workers,
    tried: result.tried,
    shrinkTried: result.shrinkTried,
    byExitCode: result.byExitCode,
    faultsTried: result.faultsTried,
    stoppedBy: result.stoppedBy,
    elapsedMs: Math.round(elapsed),
  };
  const f = result.finding;
  if (!f) {
    const first = result.firstError;
    const notJudged = notJudgedSummary(result);
    if (notJudged) summary.notJudged = notJudged;
    writeFileSync(join(out, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
    const why = first ? `the first: ${first.verdict.summary} (schedule: ${describeSchedule(first.schedule)})` : "";
    if (first && !(result.byExitCode[0] ?? 0)) throw targetError(`every candidate failed to run; ${why}`);
    // Held where it could be judged; the rest says nothing either way, and the user must see why.
    const held = first ? `in ${result.byExitCode[0] ?? 0} of ${count(result.tried, "schedule")}; ${result.notJudged} could not be judged, ${why}` : "in every schedule tried";
    process.stdout.write(`no failing schedule found: the hypothesis held ${held}\nsummary: ${shown(join(out, "summary.json"))}\n`);
    return 0;
  }

  // The minimal schedule as a file `chaos run` loads, and its run once more with the journal kept:
  // the same file name, seed and stack as the candidate, so the replay is the same run.
  const replay = join(out, fileName);
  const replayCommand = `chaos run ${shown(replay)} --seed ${seed}${stack ? ` --stack ${shown(stack)}` : ""}${replayVarFlags(written, shown)}`;
  const header = [`# Found by chaos explore ${nameOrPath} --seed ${seed}: the smallest schedule that breaks the hypothesis.`, `# Replay: ${replayCommand}`, ""].join("\n");
  writeFileSync(replay, header + stringify(render(f.minimal)));
  const journalPath = join(out, "journal.json");
  const again = await runCandidate({ ...jobFor(f.minimal), journalPath });
  rmSync(scratch, { recursive: true, force: true });
  // Hook for reports (src/report, when it lands): render journalPath beside it here, as `chaos run` will.
  Object.assign(summary, {
    found: { index: f.index, original: f.original, originalVerdict: f.originalVerdict, minimal: f.minimal, minimalVerdict: f.minimalVerdict, shrinkSteps: f.shrinkSteps, shrinkCutShort: f.shrinkCutShort },
    replay: shown(replay),
    replayCommand,
    journal: shown(journalPath),
    replayExitCode: again.exitCode,
    ...(notJudgedSummary(result) ? { notJudged: notJudgedSummary(result) } : {}),
  });
  writeFileSync(join(out, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  process.stdout.write(`first failing schedule (#${f.index}): ${describeSchedule(f.original)}\n`);
  process.stdout.write(`shrunk in ${count(f.shrinkSteps, "step")}${f.shrinkCutShort ? " (cut short by the budget: smaller may exist)" : ""} to: ${describeSchedule(f.minimal)}\n`);
  process.stdout.write(`verdict: exit ${f.minimalVerdict.exitCode}  ${f.minimalVerdict.summary}\n`);
  const unjudged = notJudgedBesideFinding(result);
  if (unjudged) process.stdout.write(`note: ${unjudged}\n`);
  if (again.exitCode !== f.minimalVerdict.exitCode) process.stdout.write(`warning: running it again gave exit ${again.exitCode} (${again.summary}): the run is not deterministic\n`);
  process.stdout.write(`replay: ${replayCommand}\njournal: ${shown(journalPath)}\nsummary: ${shown(join(out, "summary.json"))}\n`);
  return 1;
}
