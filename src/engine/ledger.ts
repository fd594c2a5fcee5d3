/**
 * The rollback ledger: before anything changes the target, what will change and how to undo it is
 * appended to a file under the working directory (`.gameday/runs/<run>/ledger.jsonl`), synced to
 * disk. Rollback reads it back; after a crash (SIGKILL, power loss) `chaos recover` finishes the
 * undo from the same file. Append-only JSON lines: a torn last line (the crash came mid-write) is
 * ignored, never fatal.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
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
  /**
   * Delete the template a CreateExperimentTemplate with this client token may have created.
   * Recorded before the call, when the id is not known yet: a crash between FIS creating it and
   * the id being written down leaves it findable by its tags (FIS has no lookup by client token).
   */
  | { type: "fis-delete-tagged-templates"; runId: string; step: string; clientToken: string }
  /** Delete the CloudWatch alarms gameday created for the stop conditions (FIS stops on them). */
  | { type: "cloudwatch-delete-alarms"; alarmNames: string[] }
  /** Return container instances to ACTIVE (after a drain). */
  | { type: "ecs-activate-instances"; cluster: string; containerInstances: string[] }
  /** Put a service back on the task definition it ran before a deployment (the deploy fault). */
  | { type: "ecs-restore-task-definition"; cluster: string; service: string; taskDefinition: string }
  /** Put a Lambda function's reserved concurrency back (after lambda-throttle); none: delete it. */
  | { type: "lambda-restore-concurrency"; function: string; reservedConcurrency?: number }
  /** Put an EFS file system's throughput back (after efs-throughput-starvation): provisioned at its old rate. */
  | { type: "efs-restore-throughput"; fileSystemId: string; throughputMode: string; provisionedMiBps?: number }
  /** Set an Auto Scaling group's desired capacity back (after a scale-in). */
  | { type: "autoscaling-set-desired-capacity"; group: string; desiredCapacity: number }
  /** Run the experiment's declared rollbacks (steps as loaded, variables already substituted). */
  | { type: "declared-rollbacks"; steps: unknown[]; secretsMasked?: boolean };

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
  /**
   * The host and the start of the run's process (see `thisProcess`), so that `chaos recover` can
   * tell a live run from a dead one whose pid was reused. Runs that record a host also hold the
   * run directory's lock file while they live.
   */
  host?: string;
  processStart?: string;
  startedAt: number;
  journalPath: string;
  /**
   * What the experiment was loaded with, so recovery can load it the same way: var files by path
   * (never their contents), --var values that are not secrets, and the names of those that are.
   */
  inputs?: { varFiles: string[]; vars: Record<string, string>; secretVars: string[] };
  /**
   * The project directory the run read gameday.yaml and ./probes from (`chaos run --project`), when
   * not its working directory: recovery checks the same AWS allow-list and loads the same probes.
   */
  project?: string;
}

/** A process, as recorded in run.json and in a run directory's lock file. */
export interface ProcessIdentity {
  pid: number;
  host?: string;
  processStart?: string;
}

/** Who holds a run directory: the run itself, or a `chaos recover` working on it. */
export interface LockHolder extends ProcessIdentity {
  command: string;
}

/**
 * When a process started, as the kernel tells it (Linux: boot id and start time in clock ticks from
 * /proc). A pid is reused after a process ends, even across a reboot; pid plus this is not.
 * Undefined where /proc is not available: then a live pid counts as the run's.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22, counted after the command name (which may contain spaces and parentheses).
    const start = stat.slice(stat.lastIndexOf(")") + 1).trim().split(/\s+/)[19];
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return start ? `${boot}:${start}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a process has exited but its parent has not collected it yet (state Z, or X while it is
 * being reaped). Such a pid still answers signal 0, yet nothing runs there any more: a run killed
 * with SIGKILL by a parent that has not waited for it is dead for `chaos recover`.
 */
function exited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 3, the state, right after the command name (which may contain spaces and parentheses).
    const state = stat.slice(stat.lastIndexOf(")") + 1).trim().split(/\s+/)[0];
    return state === "Z" || state === "X";
  } catch {
    return false;
  }
}

export function thisProcess(): Required<Pick<ProcessIdentity, "pid" | "host">> & ProcessIdentity {
  const start = processStart(process.pid);
  return { pid: process.pid, host: hostname(), ...(start ? { processStart: start } : {}) };
}

/**
 * Whether a recorded process still runs: "unknown" when it ran on another host (its pid means
 * nothing here). A pid that answers signal 0, or refuses it (EPERM: alive, another user's), is
 * alive unless it has exited and awaits reaping (a zombie) or its start differs from the recorded
 * one (the pid was reused).
 */
export function liveness(p: ProcessIdentity): "alive" | "dead" | "unknown" {
  if (p.host !== undefined && p.host !== hostname()) return "unknown";
  if (!Number.isInteger(p.pid) || p.pid <= 0) return "unknown";
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return "dead";
    if (code !== "EPERM") return "unknown";
  }
  if (exited(p.pid)) return "dead";
  if (p.processStart !== undefined) {
    const now = processStart(p.pid);
    if (now !== undefined && now !== p.processStart) return "dead";
  }
  return "alive";
}

export type Claim =
  | { ok: true; replaced?: { holder: LockHolder | "unreadable"; state: "alive" | "dead" | "unknown" } }
  | { ok: false; holder: LockHolder | "unreadable"; state: "alive" | "unknown" };

/**
 * A lock file holding one process's identity: taken with an exclusive create, so two processes
 * cannot both take it; a dead holder's lock is stale and replaced. A run directory has one (see
 * `Ledger`); so does a journal path given with --journal-path, which two live runs must not share.
 */
export class LockFile {
  constructor(readonly path: string) {}

  /** The holder recorded in the file; "unreadable" for a damaged one; undefined when there is none. */
  holder(): LockHolder | "unreadable" | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      const h = JSON.parse(readFileSync(this.path, "utf8")) as LockHolder;
      if (Number.isInteger(h.pid) && typeof h.command === "string") return h;
    } catch {
      // Unreadable: reported as such.
    }
    return "unreadable";
  }

  /**
   * Takes the lock for this process, unless a live process (or one on another host, which cannot be
   * checked from here) holds it; `force` takes it regardless. `holderOf` lets a caller name holders
   * the file does not (see `Ledger.holder`). Two processes replacing the same stale lock at the same
   * instant can both succeed; callers whose work is idempotent accept that rare race.
   */
  acquire(command: string, force = false, holderOf: () => LockHolder | "unreadable" | undefined = () => this.holder()): Claim {
    let replaced: { holder: LockHolder | "unreadable"; state: "alive" | "dead" | "unknown" } | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const holder = holderOf();
      if (holder !== undefined) {
        const state = holder === "unreadable" ? "unknown" : liveness(holder);
        if (state !== "dead" && !force) return { ok: false, holder, state };
        replaced = { holder, state };
        rmSync(this.path, { force: true });
      }
      try {
        writeFileSync(this.path, JSON.stringify({ ...thisProcess(), command } satisfies LockHolder) + "\n", { flag: "wx" });
        return replaced ? { ok: true, replaced } : { ok: true };
      } catch (err) {
        // Another process took it between the look and the write: look again.
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
    const holder = holderOf() ?? "unreadable";
    return { ok: false, holder, state: holder !== "unreadable" && liveness(holder) === "alive" ? "alive" : "unknown" };
  }

  /** Gives the lock back, if this process holds it. */
  release(): void {
    const h = this.holder();
    if (h === undefined || h === "unreadable") return;
    const me = thisProcess();
    if (h.pid === me.pid && h.host === me.host && h.processStart === me.processStart) rmSync(this.path, { force: true });
  }
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

  /**
   * Starts the ledger of a new run and takes the run directory's lock for this process. Fails if
   * the directory exists: another run with the same id got there first.
   */
  static create(workdir: string, record: RunRecord): Ledger {
    const dir = join(runsDir(workdir), record.runId);
    mkdirSync(runsDir(workdir), { recursive: true });
    mkdirSync(dir);
    const ledger = new Ledger(dir);
    // The lock first: a run that dies right after this is recognisably dead (its pid is recorded).
    writeFileSync(ledger.lock.path, JSON.stringify({ ...thisProcess(), command: "run" } satisfies LockHolder) + "\n", { flag: "wx" });
    // A host in run.json says "this run keeps a lock file" (see `holder`); it is created here.
    writeFileSync(join(dir, "run.json"), JSON.stringify({ ...record, host: record.host ?? hostname() }, null, 2) + "\n");
    writeFileSync(ledger.file, "");
    // Recovery after a power loss needs the record (where the target is) and the files' names in
    // the directories, not only the ledger's lines: sync the files, then the directories that name them.
    syncToDisk(join(dir, "run.json"));
    syncToDisk(ledger.file);
    syncToDisk(dir);
    syncToDisk(runsDir(workdir));
    return ledger;
  }

  private get lock(): LockFile {
    return new LockFile(join(this.dir, "lock"));
  }

  /** Opens the ledger of an earlier run, for recovery. */
  static open(dir: string): Ledger {
    const ledger = new Ledger(dir);
    ledger.seq = ledger.entries().filter((e) => e.op === "intent").length;
    return ledger;
  }

  /** The run's record; throws a message naming the file and the field when it is missing or damaged. */
  record(): RunRecord {
    const file = join(this.dir, "run.json");
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : String((err as Error).message)}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
    }
    const bad = (field: string, expected: string) => new Error(`${file}: ${field}: expected ${expected}`);
    if (!doc || typeof doc !== "object") throw bad("(document)", "an object");
    const r = doc as Record<string, unknown>;
    const target = r.target as Record<string, unknown> | undefined;
    if (typeof r.runId !== "string") throw bad("runId", "a string");
    if (typeof r.journalPath !== "string") throw bad("journalPath", "a string");
    if (!Number.isInteger(r.pid)) throw bad("pid", "an integer");
    if (!target || typeof target !== "object") throw bad("target", "an object");
    if (!["sandbox", "endpoint", "aws"].includes(target.kind as string)) throw bad("target.kind", "sandbox, endpoint or aws");
    if (typeof target.region !== "string") throw bad("target.region", "a string");
    if (target.kind === "endpoint" && typeof target.endpoint !== "string") throw bad("target.endpoint", "a URL");
    if (r.project !== undefined && typeof r.project !== "string") throw bad("project", "a directory's path");
    return doc as RunRecord;
  }

  /**
   * Who holds the run directory now: the lock file's holder; for a run recorded before lock files
   * existed (no host in run.json) and never closed, the run's own process.
   */
  holder(): LockHolder | "unreadable" | undefined {
    const held = this.lock.holder();
    if (held !== undefined) return held;
    try {
      const r = JSON.parse(readFileSync(join(this.dir, "run.json"), "utf8")) as RunRecord;
      if (r.host === undefined && Number.isInteger(r.pid) && !this.isClosed()) return { pid: r.pid, command: "run" };
    } catch {
      // No record to go by: nobody is known to hold it.
    }
    return undefined;
  }

  /**
   * Takes the run directory's lock for this process, unless a live process (or one on another host,
   * which cannot be checked from here) holds it; `force` takes it regardless. A dead holder's lock
   * is stale and replaced. Undo steps are idempotent, so two recoveries that replace the same stale
   * lock at the same instant cost repeated work, not damage.
   */
  acquire(command: string, force = false): Claim {
    return this.lock.acquire(command, force, () => this.holder());
  }

  /** Gives the lock back, if this process holds it. */
  release(): void {
    this.lock.release();
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

/**
 * fsync of a file or a directory (a directory's fsync makes the names it holds durable). Some
 * platforms refuse to open or sync a directory (Windows: EISDIR/EPERM): there the files' own
 * syncs are all that can be had.
 */
export function syncToDisk(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    if (isDirectoryRefusal(err)) return;
    throw err;
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    if (!isDirectoryRefusal(err)) throw err;
  } finally {
    closeSync(fd);
  }
}

function isDirectoryRefusal(err: unknown): boolean {
  return ["EISDIR", "EPERM", "EINVAL", "EBADF"].includes((err as NodeJS.ErrnoException).code ?? "");
}

/**
 * Ledgers of runs that never closed: candidates for `chaos recover`. Including those whose run.json
 * is missing or damaged, so that recover can say so instead of passing over them in silence; and
 * those of runs still going, which recover must leave alone (see `Ledger.acquire`).
 */
export function unfinishedRuns(workdir: string): Ledger[] {
  const root = runsDir(workdir);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, "ledger.jsonl")))
    .map((dir) => Ledger.open(dir))
    .filter((l) => !l.isClosed());
}
