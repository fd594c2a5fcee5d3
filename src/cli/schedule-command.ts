/**
 * `chaos schedule list|next|run-due|export`: the schedules in gameday.yaml. run-due runs each
 * schedule whose time came since the last check once (a child `chaos` process, as the schedule's
 * command line), records it under .gameday/schedules/, and reports the runs it missed. A due run
 * outside gameday.yaml's guardrails.windows is not started: it is reported and recorded as
 * skipped, with the next allowed time.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ScaledClock, type Clock } from "../time/clock.js";
import { nextFireTimes } from "../schedule/cron.js";
import { decideDue, type ScheduleState } from "../schedule/cron-due.js";
import { ScheduleStateStore } from "../schedule/cron-state.js";
import { EXPORT_FORMATS, ExportRefused, exportSchedules, type ExportFormat } from "../schedule/cron-export.js";
import { scheduleArgs } from "../schedule/schedule-args.js";
import { schedulesSchema, toSchedules, type Schedule } from "../schedule/schedules-config.js";
import { startChaos } from "../schedule/chaos-child.js";
import { selfCommand } from "./self-command.js";
import { verdictOf } from "../schedule/gameday-record.js";
import { checkWindow, type Windows } from "../engine/windows.js";
import { guardrailsIn } from "./config.js";
import { gamedaySection, readGamedayFile, type GamedayFile } from "./gameday-file.js";
import { targetError, usage } from "./errors.js";
import { wholeNumberFlag } from "./number-flags.js";

export interface ScheduleFlags {
  format?: string;
  out?: string;
  count?: string;
}

const ACTIONS = ["list", "next", "run-due", "export"] as const;

function out(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** A time as the schedule's zone shows it, with the UTC instant. */
function when(ms: number, zone: string): string {
  const local = new Intl.DateTimeFormat("sv-SE", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).format(new Date(ms));
  return `${local} ${zone} (${new Date(ms).toISOString()})`;
}

function schedulesOrExplain(cwd: string, config: GamedayFile | undefined): Schedule[] {
  if (config === undefined) throw usage(`no ${join(cwd, "gameday.yaml")}: add a schedules: map there, e.g.\n  schedules:\n    nightly-spot:\n      cron: "0 3 * * 1-5"\n      timezone: Europe/Berlin\n      experiment: spot-interrupt\n      target: sandbox`);
  return toSchedules(gamedaySection(config, "schedules", schedulesSchema), config.source);
}

export async function scheduleCommand(action: string, names: string[], flags: ScheduleFlags, clock: Clock = new ScaledClock()): Promise<number> {
  if (!(ACTIONS as readonly string[]).includes(action)) throw usage(`schedule: expected list, next, run-due or export, found ${JSON.stringify(action)}`);
  const cwd = process.cwd();
  const config = readGamedayFile(cwd);
  const all = schedulesOrExplain(cwd, config);
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) throw usage(`schedule: no schedule named ${unknown.join(", ")} in gameday.yaml; known: ${all.map((s) => s.name).join(", ") || "none"}`);
  const chosen = names.length > 0 ? all.filter((s) => names.includes(s.name)) : all;
  if (all.length === 0) {
    out("no schedules in gameday.yaml");
    return 0;
  }
  await checkScheduleReferences(all, config!, cwd);
  const now = clock.now();
  switch (action) {
    case "list": {
      for (const s of chosen) {
        const [next] = nextFireTimes(s.cron, now, 1);
        out(`${s.name}  ${s.cron.expression} (${s.cron.timezone})  ${s.kind} ${s.what} on ${s.target}  next ${next === undefined ? "never" : when(next, s.cron.timezone)}`);
      }
      return 0;
    }
    case "next": {
      const count = flags.count === undefined ? 5 : wholeNumberFlag("--count", flags.count, { min: 1, max: 1000 });
      for (const s of chosen) {
        out(`${s.name}: chaos ${scheduleArgs(s).join(" ")}`);
        const times = nextFireTimes(s.cron, now, count);
        if (times.length === 0) out("  never (no date matches)");
        for (const t of times) out(`  ${when(t, s.cron.timezone)}`);
      }
      return 0;
    }
    case "export":
      return exportCommand(chosen, flags, now, cwd);
    default:
      // The guardrails are read before the state is touched: a bad section is exit 2 with nothing recorded.
      return runDue(chosen, guardrailsIn(config).windows, clock, cwd);
  }
}

/**
 * What each schedule names, checked whenever gameday.yaml's schedules are read (list, next, export
 * and run-due alike), as chaos gate and chaos gameday check theirs: an experiment that is not there,
 * a var it does not take, a runbook or suite file that is missing, is reported at its line now, not
 * when the schedule fires at 3 a.m. All of them at once, exit 2.
 */
async function checkScheduleReferences(schedules: readonly Schedule[], config: GamedayFile, cwd: string): Promise<void> {
  const [{ checkReferences }, { Problems }, { experimentCatalog }, { resolveRunbook }] = await Promise.all([
    import("../schedule/experiment-references.js"),
    import("../experiment/problems.js"),
    import("./catalog.js"),
    import("./gameday-command.js"),
  ]);
  const problems = new Problems();
  const experiments = schedules.filter((s) => s.kind === "experiment");
  const refs = experiments.map((s) => ({ at: ["schedules", s.name], experiment: s.what, ...(Object.keys(s.vars).length > 0 ? { vars: s.vars } : {}) }));
  await checkReferences(refs, { source: config.source, dir: cwd, relativeTo: "the working directory", catalog: experimentCatalog(cwd) }, problems);
  for (const s of schedules) {
    if (s.kind === "suite" && !existsSync(resolve(cwd, s.what))) problems.add(config.source, ["schedules", s.name, "suite"], "a suite file, relative to the working directory", `${JSON.stringify(s.what)}: no such file`);
    if (s.kind === "runbook") {
      try {
        resolveRunbook(s.what, cwd);
      } catch {
        problems.add(config.source, ["schedules", s.name, "runbook"], "a runbook's name (./experiments/gamedays, then the built-in ones) or its path", `${JSON.stringify(s.what)}: no such runbook`);
      }
    }
  }
  problems.throwIfAny();
}

function exportCommand(schedules: Schedule[], flags: ScheduleFlags, now: number, cwd: string): number {
  const format = flags.format;
  if (format === undefined || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw usage(`schedule export: --format: expected ${EXPORT_FORMATS.join(", ")}, found ${format === undefined ? "nothing" : JSON.stringify(format)}`);
  }
  let files;
  try {
    files = exportSchedules(schedules, format as ExportFormat, now);
  } catch (err) {
    if (err instanceof ExportRefused) throw usage(`schedule export --format ${format}: cannot export\n${err.message}`);
    throw err;
  }
  if (flags.out !== undefined) {
    const dir = resolve(cwd, flags.out);
    mkdirSync(dir, { recursive: true });
    for (const f of files) {
      writeFileSync(join(dir, f.name), f.text);
      out(`wrote ${join(flags.out, f.name)}`);
    }
    return 0;
  }
  for (const f of files) {
    if (files.length > 1) out(`# ---- ${f.name}`);
    process.stdout.write(f.text);
  }
  return 0;
}

async function runDue(chosen: Schedule[], windows: Windows | undefined, clock: Clock, cwd: string): Promise<number> {
  const store = new ScheduleStateStore(cwd);
  const lock = store.lock();
  const claim = lock.acquire("schedule run-due");
  if (!claim.ok) {
    const h = claim.holder;
    out(`another chaos schedule run-due (${h === "unreadable" ? "unknown process" : `pid ${h.pid}`}) is still going; nothing run`);
    return 0;
  }
  try {
    let states: Map<string, ScheduleState>;
    try {
      states = store.read();
    } catch (err) {
      throw targetError(err instanceof Error ? err.message : String(err));
    }
    const now = clock.now();
    const decisions = chosen.map((s) => decideDue(s, states.get(s.name), now));
    // Checked before anything runs: a run-due started while these run finds them done.
    for (const d of decisions) states.set(d.schedule.name, { ...states.get(d.schedule.name), lastCheck: now });
    store.write(states);
    let worst = 0;
    const due = decisions.filter((d) => d.due !== undefined);
    if (due.length === 0) out(`nothing due at ${new Date(now).toISOString()}`);
    for (const d of decisions) {
      if (d.missed.length > 0) {
        out(`${d.schedule.name}: missed ${d.missed.length}${d.moreMissed ? "+" : ""} earlier run${d.missed.length === 1 ? "" : "s"} (not replayed): ${d.missed.slice(0, 5).map((t) => new Date(t).toISOString()).join(", ")}${d.missed.length > 5 ? ", ..." : ""}`);
      }
    }
    for (const d of due) {
      const args = scheduleArgs(d.schedule);
      if (skippedOutsideWindows(d.schedule, d.due!, windows, clock.now(), states)) {
        store.write(states);
        continue;
      }
      out(`${d.schedule.name}: due at ${when(d.due!, d.schedule.cron.timezone)}: chaos ${args.join(" ")}`);
      const exit = await startChaos(args, { command: selfCommand(process.argv[1]!), cwd }).done;
      const state = states.get(d.schedule.name) ?? {};
      states.set(d.schedule.name, { ...state, lastRun: { at: clock.now(), scheduledFor: d.due!, exitCode: exit.code } });
      store.write(states);
      out(`${d.schedule.name}: ${verdictOf(exit.code, exit.signal)}`);
      if (exit.code !== 0) worst = Math.max(worst, exit.code === null ? 4 : exit.code === 130 ? 130 : exit.code);
    }
    return worst;
  } finally {
    lock.release();
  }
}

/**
 * Whether a due run falls outside the allowed windows, judged at the moment it would start; if so
 * it is reported with the next allowed start and recorded as skipped in `states` (not replayed
 * later: the schedule's next fire time is its next chance).
 */
function skippedOutsideWindows(s: Schedule, due: number, windows: Windows | undefined, now: number, states: Map<string, ScheduleState>): boolean {
  // Windows bind runs on AWS only, as `chaos run` applies them (plan-command.ts checkPlan).
  if (s.target !== "aws") return false;
  const check = checkWindow(windows, now);
  if (check.allowed) return false;
  const next = check.next === undefined ? "no allowed time within a year" : `next allowed ${when(check.next, windows!.timezone)}`;
  out(`${s.name}: due at ${when(due, s.cron.timezone)}: skipped, outside the allowed windows of gameday.yaml (guardrails.windows): ${check.why}; ${next}`);
  states.set(s.name, { ...states.get(s.name), lastSkip: { at: now, scheduledFor: due, why: check.why, ...(check.next !== undefined ? { nextAllowed: check.next } : {}) } });
  return true;
}
