/**
 * `chaos gameday <runbook>`: runs a game day from its runbook. Each step is `chaos run` in a child
 * process, so it has that command's own ledger, journal and SIGINT handling (rollbacks first). A
 * Ctrl-C stops the running step (its rollbacks run) and ends the game day as aborted; the record
 * (JSON and Markdown) is written as the game day goes, under .gameday/gamedays/<id>/, and at its end
 * the reports of the step journals (report.html always, the --report formats besides).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname, isAbsolute, join, relative, resolve } from "node:path";
import { ScaledClock } from "../time/clock.js";
import { startChaos } from "../schedule/chaos-child.js";
import { selfCommand } from "./self-command.js";
import { ANNOUNCEMENT_FILE_EXPECTED, announcementPath, loadRunbookForRun, rolesLine, stepName, type RunbookStep } from "../schedule/gameday-runbook.js";
import { InvalidInputError } from "../experiment/model.js";
import { isExperimentPath } from "../schedule/experiment-references.js";
import { experimentCatalog, preCheckContext } from "./catalog.js";
import { GamedayRun } from "../schedule/gameday-run.js";
import { runPreCheck } from "../schedule/gameday-prechecks.js";
import { outcomeOf, writeRecord } from "../schedule/gameday-record.js";
import { unfinishedRuns } from "../engine/ledger.js";
import { builtinExperimentsDir } from "./paths.js";
import { autoFacilitator, TerminalFacilitator } from "./gameday-prompt.js";
import { usage } from "./errors.js";
import { refuseOnEmbeddedSandbox, regionFlag } from "./region-flag.js";
import { parseSeed, parseSpeed } from "./run-command.js";
import { STOP_SIGNALS } from "./stop-signals.js";
import { parseReportFlag } from "./run-report.js";
import { writeGamedayReports } from "../schedule/gameday-report.js";
import { fsProblem } from "../report/fs-problem.js";

export interface GamedayFlags {
  target: string;
  region?: string;
  profile?: string;
  stack?: string;
  speed?: string;
  seed?: string;
  auto?: boolean;
  announceFile?: string;
  /** Report formats written beside the record besides report.html (`--report html,md,junit,json`). */
  report?: string[];
  /** The day on paper: the order of the day and each step's `chaos run --dry` (gameday-dry.ts). */
  dry?: boolean;
}

const EXTENSIONS = [".yaml", ".yml", ".json"];

/** A runbook by name (./experiments/gamedays, then the built-in ones) or by path. */
export function resolveRunbook(nameOrPath: string, cwd: string): string {
  if (nameOrPath.includes("/") || EXTENSIONS.includes(extname(nameOrPath))) {
    const file = resolve(cwd, nameOrPath);
    if (!existsSync(file)) throw usage(`${nameOrPath}: no such file`);
    return file;
  }
  for (const dir of [join(cwd, "experiments", "gamedays"), join(builtinExperimentsDir(), "gamedays")]) {
    for (const ext of EXTENSIONS) {
      const file = join(dir, `${nameOrPath}${ext}`);
      if (existsSync(file)) return file;
    }
  }
  throw usage(`no runbook named "${nameOrPath}" in ./experiments/gamedays or the built-in ones; give its path`);
}

/** A path in a runbook is relative to the runbook's own directory; a bare name stays a name. */
function fromRunbook(ref: string, runbookDir: string): string {
  if (isAbsolute(ref) || !isExperimentPath(ref)) return ref;
  return resolve(runbookDir, ref);
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

function safe(name: string): string {
  return name.replace(/[^\w.-]+/g, "-");
}

export async function gamedayCommand(nameOrPath: string, flags: GamedayFlags): Promise<number> {
  const cwd = process.cwd();
  const file = resolveRunbook(nameOrPath, cwd);
  const inside = relative(cwd, file);
  const shown = inside === "" || inside.startsWith("..") ? file : inside;
  // Every step's experiment, vars and stack, and each chaos: pre-check's command and experiment, are
  // checked before anything runs (exit 2, all at once).
  // --announce-file (relative to the working directory) takes the place of the runbook's announcement.file.
  const loaded = await loadRunbookForRun(file, shown, experimentCatalog(cwd), { ownStacks: flags.target === "sandbox" && flags.stack === undefined, announcementFile: flags.announceFile === undefined, preChecks: preCheckContext(cwd) });
  const runbookDir = dirname(file);
  // The stack of the steps that name none, checked as theirs are; like chaos run's, only for the embedded sandbox.
  if (flags.stack !== undefined && flags.target !== "sandbox") throw usage(`--stack applies only to --target sandbox: ${flags.target} has whatever stack is deployed there`);
  if (flags.stack !== undefined) (await import("../sandbox/stack/load.js")).loadStack(resolve(cwd, flags.stack));
  // As chaos run refuses them for each step (cli/target.ts), before the day starts rather than at its first step.
  regionFlag("gameday", flags.region);
  refuseOnEmbeddedSandbox(flags.target, flags);
  if (flags.seed !== undefined) parseSeed(flags.seed);
  if (flags.speed !== undefined) parseSpeed(flags.speed);
  const reportFormats = flags.report === undefined ? [] : await parseReportFlag(flags.report);
  const command = selfCommand(process.argv[1]!);
  /** `chaos run`'s arguments for step i on the day's target: the same for the day and its dry run. */
  const stepArgs = (s: RunbookStep, i: number): string[] => {
    const args = ["run", fromRunbook(s.experiment, runbookDir), "--target", flags.target];
    // A step's stack describes the embedded sandbox, as an experiment's own does: on a real or
    // served target the step runs against what is deployed there (the same runbook serves both).
    const stack = flags.target !== "sandbox" ? undefined : s.stack !== undefined ? resolve(runbookDir, s.stack) : flags.stack;
    if (stack !== undefined) args.push("--stack", stack);
    for (const [k, v] of Object.entries(s.vars ?? {})) args.push("--var", `${k}=${v}`);
    if (flags.region) args.push("--region", flags.region);
    if (flags.profile) args.push("--profile", flags.profile);
    // One seed for the day, a different one for each step, so a rehearsal can be replayed.
    if (flags.seed !== undefined) args.push("--seed", String((Number(flags.seed) + i) >>> 0));
    return args;
  };
  if (flags.dry === true) {
    // Nothing to report on and nobody to ask: no journals are written, no checkpoint is reached.
    if (flags.report !== undefined) throw usage("--report applies to a game day that runs: a dry run writes no journals to report on");
    if (flags.announceFile !== undefined) throw usage("--announce-file applies to a game day that runs: a dry run announces nothing");
    const { dryRunDay } = await import("./gameday-dry.js");
    return dryRunDay(loaded, flags.target, {
      dryRunStep: (s, i) => startChaos([...stepArgs(s, i), "--dry"], { command, cwd, output: "relay" }),
      print: (line) => void process.stdout.write(`${line}\n`),
    });
  }
  const interactive = flags.auto !== true;
  if (interactive && process.stdin.isTTY !== true) {
    throw usage("gameday: the checkpoints need a facilitator at a terminal; pass --auto for an unattended run");
  }
  const clock = new ScaledClock();
  const rb = loaded.runbook;
  const id = `${safe(loaded.name)}-${stamp(clock.now())}`;
  const dir = join(cwd, ".gameday", "gamedays", id);
  mkdirSync(dir, { recursive: true });
  const out = (line: string) => void process.stdout.write(`${line}\n`);

  const journalPath = (s: RunbookStep, i: number) => relative(cwd, join(dir, `${String(i + 1).padStart(2, "0")}-${safe(stepName(s, i))}.journal.json`));
  const childArgs = (s: RunbookStep, i: number, journal: string): string[] => [
    ...stepArgs(s, i),
    ...(flags.speed ? ["--speed", flags.speed] : []),
    ...["--journal-path", journal, "--log-format", "plain"],
  ];

  let run: GamedayRun | undefined;
  let terminal: TerminalFacilitator | undefined;
  if (interactive) terminal = new TerminalFacilitator(process.stdin, process.stdout, (text) => run?.note(text));
  run = new GamedayRun(
    loaded,
    {
      clock,
      facilitator: terminal ?? autoFacilitator,
      journalPath,
      journalExists: (journal) => existsSync(resolve(cwd, journal)),
      openLedger: (journal) => {
        // The step's run recorded its journal's path in its run.json when it opened its ledger.
        const own = unfinishedRuns(cwd).find((l) => {
          try {
            return resolve(cwd, l.record().journalPath) === resolve(cwd, journal);
          } catch {
            return false;
          }
        });
        return own === undefined ? undefined : relative(cwd, own.dir);
      },
      startStep: (s, i, journal) => {
        const child = startChaos(childArgs(s, i, journal), { command, cwd, output: "relay" });
        return { done: child.done, interrupt: () => void child.signal("SIGINT") };
      },
      preCheck: (check, signal) =>
        runPreCheck(check, { clock, command, cwd, signal, target: { target: flags.target, ...(flags.region ? { region: flags.region } : {}), ...(flags.profile ? { profile: flags.profile } : {}) } }),
      print: out,
      save: (record) => void writeRecord(dir, record),
    },
    { id, target: flags.target, file: shown },
  );

  const interrupt = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      out(`\n${signal}: stopping the game day; the running step rolls back first`);
      interrupt.abort(signal);
      return;
    }
    // A second signal goes to the step too: `chaos run` then exits at once and leaves its ledger for `chaos recover`.
    run?.stepRunning?.interrupt();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);

  try {
    out(`== Game day: ${rb.title} ==`);
    out(rolesLine(rb.roles));
    out(`target: ${flags.target}; record: ${relative(cwd, dir)}/record.md`);
    const inRunbook = rb.announcement && "file" in rb.announcement ? rb.announcement.file : undefined;
    // The flag is relative to the working directory; the runbook's file, like its steps, to the runbook.
    const announceFile = flags.announceFile !== undefined ? resolve(cwd, flags.announceFile) : inRunbook !== undefined ? announcementPath(file, inRunbook) : undefined;
    if (rb.announcement) {
      out("");
      out(rb.announcement.message.trimEnd());
      out("");
      if (announceFile !== undefined) {
        try {
          writeFileSync(announceFile, `${rb.announcement.message.trimEnd()}\n`);
        } catch (err) {
          const problem = fsProblem(err, announceFile) ?? String(err);
          if (flags.announceFile !== undefined) throw usage(`--announce-file ${flags.announceFile}: cannot write the announcement: ${problem}`);
          const position = loaded.positionOf(["announcement", "file"]);
          throw new InvalidInputError([{ file: shown, ...(position ? { position } : {}), path: "announcement.file", expected: ANNOUNCEMENT_FILE_EXPECTED, found: `${JSON.stringify(inRunbook)}, which cannot be written: ${problem}` }]);
        }
        const written = relative(cwd, announceFile);
        out(`announcement written to ${written === "" || written.startsWith("..") ? announceFile : written}`);
      }
    }
    if (interactive) out("type a line at any time to add a note to the record");
    const code = await run.run(interrupt.signal);
    const r = run.record;
    out(`game day ${outcomeOf(r)}`);
    out(`record: ${relative(cwd, join(dir, "record.json"))} and record.md`);
    for (const p of writeGamedayReports(dir, r, reportFormats, cwd)) out(`report: ${relative(cwd, p) || p}`);
    return code;
  } finally {
    terminal?.close();
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}
