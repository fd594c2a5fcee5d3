/**
 * `chaos recover`: finishes the rollbacks of runs that died before they could (SIGKILL, power
 * loss), from their on-disk ledgers. It reconnects to the target the run recorded; an embedded
 * sandbox died with its process, so there is nothing outside to put back and the ledger is closed.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AwsClients } from "../aws/clients.js";
import { Ledger, runsDir, unfinishedRuns } from "../engine/ledger.js";
import { executeUndo } from "../engine/undo.js";
import { noLogPipeline, noTraffic, silentLogger } from "../engine/ports.js";
import { RealClock } from "../time/clock.js";
import { SeededRandom, freshSeed } from "../random/random.js";
import { usage } from "./errors.js";

export async function recoverCommand(runId: string | undefined): Promise<number> {
  const cwd = process.cwd();
  let ledgers: Ledger[];
  if (runId) {
    const dir = join(runsDir(cwd), runId);
    if (!existsSync(join(dir, "ledger.jsonl"))) throw usage(`no run ${runId} under ${runsDir(cwd)}`);
    ledgers = [Ledger.open(dir)];
  } else {
    ledgers = unfinishedRuns(cwd);
    if (ledgers.length === 0) {
      process.stdout.write("nothing to recover: every run finished its rollbacks\n");
      return 0;
    }
  }
  let failures = 0;
  for (const ledger of ledgers) failures += await recoverOne(ledger);
  return failures > 0 ? 4 : 0;
}

async function recoverOne(ledger: Ledger): Promise<number> {
  const record = ledger.record();
  const clock = new RealClock();
  const pending = ledger.pending();
  process.stdout.write(`run ${record.runId} (${record.title}), ${pending.length} undo step(s) left\n`);
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
    for (const intent of pending) {
      if (sandboxGone && intent.undo.type !== "declared-rollbacks") {
        // The embedded sandbox lived in the killed process: what this undo would revert is gone with it.
        ledger.markSkipped(intent.id, clock.now(), "embedded sandbox ended with its run");
        results.push({ description: intent.description, ok: true, detail: "nothing to undo: the embedded sandbox ended with its run" });
        process.stdout.write(`  ↺ ${intent.description}: nothing to undo, the embedded sandbox ended with its run\n`);
        continue;
      }
      try {
        const r = await executeUndo(intent, {
          services: { clock, random, aws, traffic: noTraffic, logs: noLogPipeline, log: silentLogger, targetKind: record.target.kind, region: record.target.region },
          cwd: process.cwd(),
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
  noteInJournal(record.journalPath, results);
  return failures;
}

/** Adds what recovery did to the killed run's journal, if there is one. */
function noteInJournal(path: string, results: { description: string; ok: boolean; detail?: string }[]): void {
  if (!existsSync(path)) return;
  try {
    const doc = JSON.parse(readFileSync(path, "utf8")) as { status?: string; gameday?: { recovered?: unknown; rollbackResults?: unknown[] } };
    doc.gameday ??= {};
    doc.gameday.recovered = { at: new Date(new RealClock().now()).toISOString(), results };
    if (doc.status === "running") doc.status = "interrupted";
    writeFileSync(path, JSON.stringify(doc, null, 2) + "\n");
  } catch {
    // A journal that cannot be read is left as it is; the ledger holds the truth.
  }
}
