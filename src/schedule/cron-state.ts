/**
 * The state of the schedules under .gameday/schedules/: when each was last checked and last run,
 * so that run-due twice in the same minute runs a schedule once. Written atomically; one run-due
 * at a time holds run-due.lock.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LockFile } from "../engine/ledger.js";
import type { ScheduleState } from "./cron-due.js";

export function schedulesDir(cwd: string): string {
  return join(cwd, ".gameday", "schedules");
}

interface StateFile {
  version: 1;
  schedules: Record<string, { lastCheck?: string; lastRun?: { at: string; scheduledFor: string; exitCode: number | null } }>;
}

export class ScheduleStateStore {
  readonly file: string;

  constructor(cwd: string) {
    this.file = join(schedulesDir(cwd), "state.json");
  }

  lock(): LockFile {
    mkdirSync(join(this.file, ".."), { recursive: true });
    return new LockFile(join(this.file, "..", "run-due.lock"));
  }

  /** Every schedule's state; throws a message naming the file when it is damaged. */
  read(): Map<string, ScheduleState> {
    const out = new Map<string, ScheduleState>();
    if (!existsSync(this.file)) return out;
    let doc: StateFile;
    try {
      doc = JSON.parse(readFileSync(this.file, "utf8")) as StateFile;
      if (doc.version !== 1 || typeof doc.schedules !== "object" || doc.schedules === null) throw new Error("not a version 1 state file");
    } catch (err) {
      throw new Error(`${this.file} is damaged (${err instanceof Error ? err.message : String(err)}); move it aside to start afresh (every schedule then looks back one minute)`);
    }
    for (const [name, s] of Object.entries(doc.schedules)) {
      out.set(name, {
        ...(s.lastCheck ? { lastCheck: Date.parse(s.lastCheck) } : {}),
        ...(s.lastRun ? { lastRun: { at: Date.parse(s.lastRun.at), scheduledFor: Date.parse(s.lastRun.scheduledFor), exitCode: s.lastRun.exitCode } } : {}),
      });
    }
    return out;
  }

  write(states: ReadonlyMap<string, ScheduleState>): void {
    const iso = (ms: number) => new Date(ms).toISOString();
    const doc: StateFile = { version: 1, schedules: {} };
    for (const [name, s] of [...states].sort(([a], [b]) => a.localeCompare(b))) {
      doc.schedules[name] = {
        ...(s.lastCheck !== undefined ? { lastCheck: iso(s.lastCheck) } : {}),
        ...(s.lastRun ? { lastRun: { at: iso(s.lastRun.at), scheduledFor: iso(s.lastRun.scheduledFor), exitCode: s.lastRun.exitCode } } : {}),
      };
    }
    mkdirSync(join(this.file, ".."), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
