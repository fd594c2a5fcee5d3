/**
 * The rollback ledger: before anything changes the target, what will change and how to undo it is
 * appended to a file under the working directory (`.gameday/runs/<run>/ledger.jsonl`), synced to
 * disk. Rollback reads it back; after a crash (SIGKILL, power loss) `chaos recover` finishes the
 * undo from the same file. Append-only JSON lines: a torn last line (the crash came mid-write) is
 * ignored, never fatal.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** How to undo one change. Plain data, so another process can carry it out. */
export type UndoOp =
  /**
   * Stop FIS experiments that may still be running. Recorded before StartExperiment, when the
   * experiment id is not known yet: recovery then finds them by template.
   */
  | { type: "fis-stop-experiments"; templateId: string; experimentId?: string }
  /** Delete the experiment template gameday created for a fault. */
  | { type: "fis-delete-template"; templateId: string }
  /** Return container instances to ACTIVE (after a drain). */
  | { type: "ecs-activate-instances"; cluster: string; containerInstances: string[] }
  /** Run the experiment's declared rollbacks (steps as loaded, variables already substituted). */
  | { type: "declared-rollbacks"; steps: unknown[] };

export interface LedgerIntent {
  op: "intent";
  id: string;
  at: number;
  /** What is about to change, in words, for people reading `chaos recover` output. */
  description: string;
  undo: UndoOp;
}

export type LedgerEntry =
  | LedgerIntent
  | { op: "undone"; id: string; at: number; ok: boolean; error?: string; note?: string }
  | { op: "closed"; at: number; outcome: string };

/** Where the target was, so `chaos recover` can reach it again. */
export interface RunRecord {
  runId: string;
  experiment: string;
  title: string;
  seed: number;
  target: { kind: string; region: string; endpoint?: string; profile?: string };
  pid: number;
  startedAt: number;
  journalPath: string;
}

export function runsDir(workdir: string): string {
  return join(workdir, ".gameday", "runs");
}

export class Ledger {
  readonly dir: string;
  private readonly file: string;
  private seq = 0;

  private constructor(dir: string) {
    this.dir = dir;
    this.file = join(dir, "ledger.jsonl");
  }

  /** Starts the ledger of a new run. */
  static create(workdir: string, record: RunRecord): Ledger {
    const dir = join(runsDir(workdir), record.runId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "run.json"), JSON.stringify(record, null, 2) + "\n");
    const ledger = new Ledger(dir);
    writeFileSync(ledger.file, "");
    return ledger;
  }

  /** Opens the ledger of an earlier run, for recovery. */
  static open(dir: string): Ledger {
    const ledger = new Ledger(dir);
    ledger.seq = ledger.entries().filter((e) => e.op === "intent").length;
    return ledger;
  }

  record(): RunRecord {
    return JSON.parse(readFileSync(join(this.dir, "run.json"), "utf8")) as RunRecord;
  }

  /** Records an intent before the change is made; returns its id. */
  intend(at: number, description: string, undo: UndoOp): string {
    const id = `u${++this.seq}`;
    this.append({ op: "intent", id, at, description, undo });
    return id;
  }

  markUndone(id: string, at: number, ok: boolean, error?: string): void {
    this.append(error === undefined ? { op: "undone", id, at, ok } : { op: "undone", id, at, ok, error });
  }

  /** Resolves an intent without undoing it (the rollback strategy said not to), so recovery leaves it. */
  markSkipped(id: string, at: number, note: string): void {
    this.append({ op: "undone", id, at, ok: true, note });
  }

  close(at: number, outcome: string): void {
    this.append({ op: "closed", at, outcome });
  }

  entries(): LedgerEntry[] {
    if (!existsSync(this.file)) return [];
    const out: LedgerEntry[] = [];
    for (const line of readFileSync(this.file, "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as LedgerEntry);
      } catch {
        // A torn final line from a crash mid-append: the change it described was not started.
      }
    }
    return out;
  }

  isClosed(): boolean {
    return this.entries().some((e) => e.op === "closed");
  }

  /** Intents with no successful undo yet, newest first: the order to undo them in. */
  pending(): LedgerIntent[] {
    const entries = this.entries();
    const done = new Set(entries.filter((e) => e.op === "undone" && e.ok).map((e) => (e as { id: string }).id));
    return entries.filter((e): e is LedgerIntent => e.op === "intent" && !done.has(e.id)).reverse();
  }

  private append(entry: LedgerEntry): void {
    appendFileSync(this.file, JSON.stringify(entry) + "\n");
    // The point of the ledger is surviving a crash right after this line: make it durable.
    const fd = openSync(this.file, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Ledgers of runs that never closed: candidates for `chaos recover`. */
export function unfinishedRuns(workdir: string): Ledger[] {
  const root = runsDir(workdir);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, "ledger.jsonl")) && existsSync(join(dir, "run.json")))
    .map((dir) => Ledger.open(dir))
    .filter((l) => !l.isClosed());
}
