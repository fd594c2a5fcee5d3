/**
 * The `chaos` command line a schedule runs: `run <experiment>`, `gameday <runbook> --auto` or
 * `gate <suite>`, against the schedule's target. The same line is run by run-due and written into
 * every export, so a schedule does the same thing wherever it fires.
 */
import type { Schedule } from "./schedules-config.js";

export function scheduleArgs(s: Schedule): string[] {
  const vars = Object.entries(s.vars).flatMap(([k, v]) => ["--var", `${k}=${v}`]);
  switch (s.kind) {
    case "experiment":
      return ["run", s.what, "--target", s.target, ...vars];
    case "runbook":
      return ["gameday", s.what, "--auto", "--target", s.target];
    case "suite":
      return ["gate", s.what, "--target", s.target, ...vars];
  }
}

/** A POSIX shell word for `arg` (for workflow steps and ExecStart lines). */
export function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
