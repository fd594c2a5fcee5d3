/**
 * `chaos recover`: finishes the rollbacks of runs that died before they could (SIGKILL, power
 * loss), from their on-disk ledgers. It reconnects to the target the run recorded; an embedded
 * sandbox died with its process, so there is nothing outside to put back and the ledger is closed.
 * A run that is still going is left alone: its own rollbacks will run, and undoing its faults
 * under it would stop its experiments mid-method.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { AwsClients } from "../aws/clients.js";
import { Ledger, runsDir, unfinishedRuns, type Claim, type LedgerIntent, type LockHolder, type RunRecord } from "../engine/ledger.js";
import { parseVars } from "./var-options.js";
import { SecretMask } from "../engine/journal.js";
import { loadExperimentFile } from "./plan-command.js";
import { executeUndo } from "../engine/undo.js";
import { noTraffic, silentLogger } from "../engine/ports.js";
import { RealClock } from "../time/clock.js";
import { SeededRandom, freshSeed } from "../random/random.js";
import { targetError, usage } from "./errors.js";
import { count } from "./plural.js";

export interface RecoverFlags {
  force?: boolean;
  /** --var and --var-file, for declared rollbacks whose secrets came from them. */
  var?: string[];
  varFile?: string[];
  /** Also what runs without a ledger here left in the account, found by tag (needs target). */
  orphans?: boolean;
  target?: string;
  region?: string;
  profile?: string;
}

type Outcome = "recovered" | "failed" | "running" | "unknown" | "invalid";

export async function recoverCommand(runId: string | undefined, flags: RecoverFlags = {}): Promise<number> {
  const cwd = process.cwd();
  if (flags.orphans) {
    if (runId !== undefined) throw usage("recover: --orphans looks for runs without a ledger here; it takes no run id");
    const { orphans: _o, target: _t, region: _r, profile: _p, ...ledgerFlags } = flags;
    const { orphansAccount, recoverOrphans } = await import("./recover-orphans.js");
    // The account first: a missing --target or a wrong region is refused before any ledger is acted on.
    const aws = await orphansAccount(flags);
    let fromLedgers: number;
    try {
      fromLedgers = await recoverCommand(undefined, ledgerFlags);
    } catch (err) {
      await aws.destroy();
      throw err;
    }
    const fromTags = await recoverOrphans(aws, cwd); // destroys the clients
    return Math.max(fromLedgers, fromTags);
  }
  if (flags.target !== undefined) throw usage("recover: --target is for --orphans; a run's ledger says where its target is");
  if (runId !== undefined) {
    if (!/^[A-Za-z0-9._-]+$/.test(runId) || runId === "." || runId === "..") throw usage(`recover: expected a run id such as spot-interrupt-0000002a, found ${JSON.stringify(runId)}`);
    const dir = join(runsDir(cwd), runId);
    if (!existsSync(join(dir, "ledger.jsonl"))) throw usage(`no run ${runId} under ${runsDir(cwd)}`);
    const ledger = Ledger.open(dir);
    if (ledger.isClosed()) {
      process.stdout.write(`run ${runId}: nothing to recover, its rollbacks are finished\n`);
      return 0;
    }
    // Asked for this run by name: not recovering it is a failure, whatever the reason.
    return (await recoverOne(ledger, flags, cwd, true)) === "recovered" ? 0 : 4;
  }
  const ledgers = unfinishedRuns(cwd);
  if (ledgers.length === 0) {
    process.stdout.write("nothing to recover: every run finished its rollbacks\n");
    return 0;
  }
  let failed = 0;
  // Each run on its own: one that cannot be recovered does not stop the others.
  for (const ledger of ledgers) {
    const outcome = await recoverOne(ledger, flags, cwd, false);
    // A live run is not left behind: it will roll back itself.
    if (outcome !== "recovered" && outcome !== "running") failed++;
  }
  if (failed > 0) process.stderr.write(`chaos: ${count(failed, "run")} not fully recovered; see above\n`);
  return failed > 0 ? 4 : 0;
}

function describeHolder(h: LockHolder | "unreadable"): string {
  if (h === "unreadable") return "an unknown process (its lock file cannot be read)";
  const who = h.command === "recover" ? "a chaos recover" : "the run";
  return `${who} (pid ${h.pid}${h.host ? ` on ${h.host}` : ""})`;
}

/** Why a claim was refused, and what to do about it. */
function refusal(name: string, claim: Extract<Claim, { ok: false }>): string {
  if (claim.state === "alive") {
    const h = claim.holder as LockHolder;
    const doing = h.command === "recover" ? "is being recovered by another chaos recover" : "is still running";
    return `run ${name} ${doing} (pid ${h.pid}${h.host ? ` on ${h.host}` : ""}); left alone${h.command === "recover" ? "" : ": its own rollbacks run when it ends"}. Pass --force only if that process is not gameday's`;
  }
  return `run ${name} is held by ${describeHolder(claim.holder)}, which cannot be checked from this host; left alone. Recover it where it ran, or pass --force if that process is gone`;
}

async function recoverOne(ledger: Ledger, flags: RecoverFlags, cwd: string, named: boolean): Promise<Outcome> {
  const name = relative(runsDir(cwd), ledger.dir) || ledger.dir;
  const claim = ledger.acquire("recover", flags.force === true);
  if (!claim.ok) {
    if (named) throw targetError(refusal(name, claim));
    if (claim.state === "alive") {
      process.stdout.write(`${refusal(name, claim)}\n`);
      return "running";
    }
    process.stderr.write(`chaos: ${refusal(name, claim)}\n`);
    return "unknown";
  }
  try {
    if (claim.replaced && claim.replaced.state !== "dead") {
      process.stderr.write(`chaos: --force: recovering run ${name} although ${describeHolder(claim.replaced.holder)} may still be running it\n`);
    }
    const clock = new RealClock();
    const pending = ledger.pending();
    if (pending.length === 0) {
      // Killed before it changed anything: nothing to reach the target for.
      ledger.close(clock.now(), "recovered");
      process.stdout.write(`run ${name}: nothing was left to undo\n`);
      return "recovered";
    }
    let record;
    try {
      record = ledger.record();
    } catch (err) {
      process.stderr.write(`chaos: run ${name}: cannot recover: ${(err as Error).message}; its ${count(pending.length, "undo step")} ${pending.length === 1 ? "is" : "are"} still in ${join(ledger.dir, "ledger.jsonl")}\n`);
      return "invalid";
    }
    return (await undoAll(ledger, record, pending, clock, flags)) === 0 ? "recovered" : "failed";
  } finally {
    ledger.release();
  }
}

async function undoAll(ledger: Ledger, record: ReturnType<Ledger["record"]>, pending: ReturnType<Ledger["pending"]>, clock: RealClock, flags: RecoverFlags): Promise<number> {
  process.stdout.write(`run ${record.runId} (${record.title}), ${count(pending.length, "undo step")} left\n`);
  const sandboxGone = record.target.kind === "sandbox";
  const connection =
    record.target.kind === "endpoint"
      ? { kind: "endpoint" as const, region: record.target.region, endpoint: record.target.endpoint! }
      : record.target.kind === "aws"
        ? { kind: "aws" as const, region: record.target.region, ...(record.target.profile ? { profile: record.target.profile } : {}) }
        : // Never used for AWS calls: an embedded sandbox's faults died with it (see below).
          { kind: "endpoint" as const, region: record.target.region, endpoint: "http://127.0.0.1:9" };
  const random = new SeededRandom(freshSeed());
  const aws = new AwsClients(connection, { clock, random });
  const results: { description: string; ok: boolean; detail?: string }[] = [];
  let failures = 0;
  try {
    // Undoing is touching AWS too: the same allow-list as the run (the credentials may be another account's by now).
    if (record.target.kind === "aws") {
      const { checkAwsAllowed } = await import("./aws-guard.js");
      try {
        await checkAwsAllowed({ cwd: record.project ?? process.cwd(), region: record.target.region, clients: aws, ...(record.target.profile ? { profile: record.target.profile } : {}) });
      } catch (err) {
        process.stderr.write(`chaos: run ${record.runId}: ${err instanceof Error ? err.message : String(err)}; its ${count(pending.length, "undo step")} ${pending.length === 1 ? "is" : "are"} kept in ${join(ledger.dir, "ledger.jsonl")}\n`);
        return pending.length;
      }
    }
    for (const intent of pending) {
      if (sandboxGone && intent.undo.type !== "declared-rollbacks") {
        // The embedded sandbox lived in the killed process: what this undo would revert is gone with it.
        ledger.markSkipped(intent.id, clock.now(), "embedded sandbox ended with its run");
        results.push({ description: intent.description, ok: true, detail: "nothing to undo: the embedded sandbox ended with its run" });
        process.stdout.write(`  ↺ ${intent.description}: nothing to undo, the embedded sandbox ended with its run\n`);
        continue;
      }
      try {
        const r = await executeUndo(await withSecrets(intent, record, flags), {
          services: { clock, random, aws, traffic: noTraffic, log: silentLogger, targetKind: record.target.kind, region: record.target.region },
          cwd: record.project ?? process.cwd(),
          signal: new AbortController().signal,
        });
        ledger.markUndone(intent.id, clock.now(), r.ok, r.ok ? undefined : r.detail);
        results.push({ description: intent.description, ok: r.ok, detail: r.detail });
        process.stdout.write(`  ${r.ok ? "↺" : "✗"} ${r.detail}\n`);
        if (!r.ok) failures++;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        ledger.markUndone(intent.id, clock.now(), false, message);
        results.push({ description: intent.description, ok: false, detail: message });
        process.stdout.write(`  ✗ ${intent.description}: ${message}\n`);
        failures++;
      }
    }
  } finally {
    await aws.destroy();
  }
  if (failures === 0) ledger.close(clock.now(), "recovered");
  noteInJournal(record.journalPath, record.runId, results, clock);
  return failures;
}

/**
 * A run writes its declared rollbacks to the ledger with their secrets masked (the ledger is a file
 * on disk). To run them, recovery loads the experiment again, its secrets resolved from this
 * environment, and uses its rollbacks if, masked the same way, they are the ones the run recorded;
 * otherwise the file (or a --var the run was given) changed them, and guessing would be worse.
 */
async function withSecrets(intent: LedgerIntent, record: RunRecord, flags: RecoverFlags): Promise<LedgerIntent> {
  const undo = intent.undo;
  if (undo.type !== "declared-rollbacks" || !undo.secretsMasked) return intent;
  const experimentFile = record.experiment;
  const advice = "the ledger keeps declared rollbacks with their secrets masked";
  const given = parseVars(flags.var);
  const missing = (record.inputs?.secretVars ?? []).filter((k) => !(k in given));
  if (missing.length > 0) throw new Error(`${advice}; the run had secret --var ${missing.join(", ")}: give ${missing.length === 1 ? "it" : "them"} to chaos recover again with --var`);
  // The run's own var files unless others are given (a file moved since, say).
  const varFiles = flags.varFile && flags.varFile.length > 0 ? flags.varFile.map((f) => resolve(process.cwd(), f)) : (record.inputs?.varFiles ?? []);
  let loaded;
  try {
    loaded = await loadExperimentFile(experimentFile, { vars: { ...record.inputs?.vars, ...given }, varFiles, cwd: record.project ?? process.cwd() });
  } catch (err) {
    throw new Error(`${advice}, and ${experimentFile} could not be loaded again to get them (${err instanceof Error ? err.message : String(err)}): run them by hand`);
  }
  const fresh = loaded.experiment.rollbacks;
  if (JSON.stringify(new SecretMask(loaded.secretValues).value(fresh)) !== JSON.stringify(undo.steps)) {
    throw new Error(`${advice}, and ${experimentFile} now resolves to different rollbacks (edited since, or different --var/--var-file values): run them by hand`);
  }
  return { ...intent, undo: { ...undo, steps: fresh } };
}

/**
 * Adds what recovery did to the killed run's journal. Only to that run's: a later run may have
 * written its own journal to the same path since, and must not be told about another's rollbacks.
 */
function noteInJournal(path: string, runId: string, results: { description: string; ok: boolean; detail?: string }[], clock: RealClock): void {
  if (!existsSync(path) || !statSync(path).isFile()) {
    process.stdout.write(`  (no journal at ${path} to note this in; the ledger keeps the record)\n`);
    return;
  }
  try {
    const doc = JSON.parse(readFileSync(path, "utf8")) as { status?: string; gameday?: { runId?: unknown; recovered?: unknown } };
    if (doc.gameday?.runId !== runId) {
      const other = typeof doc.gameday?.runId === "string" ? `run ${doc.gameday.runId}'s` : "not a gameday journal";
      process.stdout.write(`  journal ${path} is now ${other}; left as it is (the ledger keeps the record of this recovery)\n`);
      return;
    }
    doc.gameday.recovered = { at: new Date(clock.now()).toISOString(), results };
    if (doc.status === "running") doc.status = "interrupted";
    // Atomically, as the run writes it: a crash here must not leave half a journal.
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(doc, null, 2) + "\n");
    renameSync(tmp, path);
  } catch (err) {
    // A journal that cannot be read or written is left as it is; the ledger holds the truth.
    process.stdout.write(`  could not note this in the journal ${path}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
