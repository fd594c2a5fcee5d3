import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger, liveness, runsDir, thisProcess, unfinishedRuns } from "../../src/engine/ledger.js";

function fresh(runId = "r1") {
  const dir = mkdtempSync(join(tmpdir(), "gameday-ledger-"));
  const ledger = Ledger.create(dir, { runId, experiment: "x.yaml", title: "x", seed: 1, target: { kind: "endpoint", region: "us-east-1", endpoint: "http://127.0.0.1:4566" }, pid: 1, startedAt: 0, journalPath: "journal.json" });
  return { dir, ledger };
}

describe("the rollback ledger", () => {
  it("returns what is left to undo, newest first, until each is undone", () => {
    const { ledger } = fresh();
    const a = ledger.intend(1, "delete template", { type: "fis-delete-template", templateId: "EXT1" });
    const b = ledger.intend(2, "reactivate", { type: "ecs-activate-instances", cluster: "web", containerInstances: ["arn:1"] });
    const c = ledger.intend(3, "stop experiment", { type: "fis-stop-experiments", templateId: "EXT1", experimentId: "EXP1" });
    expect(ledger.pending().map((i) => i.id)).toEqual([c, b, a]);
    ledger.markUndone(c, 4, true);
    ledger.markUndone(b, 5, false, "throttled");
    // A failed undo stays pending: recovery will try it again.
    expect(ledger.pending().map((i) => i.id)).toEqual([b, a]);
  });

  it("survives a torn last line from a crash mid-append", () => {
    const { ledger } = fresh();
    ledger.intend(1, "delete template", { type: "fis-delete-template", templateId: "EXT1" });
    appendFileSync(join(ledger.dir, "ledger.jsonl"), '{"op":"intent","id":"u2","at":2,"descr');
    const reopened = Ledger.open(ledger.dir);
    expect(reopened.pending().map((i) => i.description)).toEqual(["delete template"]);
    // New ids do not collide with the ones already written.
    expect(reopened.intend(3, "more", { type: "fis-delete-template", templateId: "EXT2" })).toBe("u2");
  });

  it("lists runs that never closed, for chaos recover", () => {
    const { dir, ledger } = fresh("crashed");
    ledger.intend(1, "stop", { type: "fis-stop-experiments", templateId: "EXT1" });
    const done = Ledger.create(dir, { runId: "finished", experiment: "x.yaml", title: "x", seed: 1, target: { kind: "sandbox", region: "us-east-1" }, pid: 1, startedAt: 0, journalPath: "j.json" });
    done.close(2, "held");
    expect(unfinishedRuns(dir).map((l) => l.record().runId)).toEqual(["crashed"]);
  });

  it("lists a run whose run.json is missing too, so that recover can say so", () => {
    const { dir, ledger } = fresh("crashed");
    ledger.intend(1, "stop", { type: "fis-stop-experiments", templateId: "EXT1" });
    rmSync(join(ledger.dir, "run.json"));
    const [listed] = unfinishedRuns(dir);
    expect(listed?.dir).toBe(ledger.dir);
    expect(() => listed!.record()).toThrow(/run\.json: missing/);
  });

  it("names the file and the field when run.json is damaged", () => {
    const { ledger } = fresh();
    const file = join(ledger.dir, "run.json");
    writeFileSync(file, '{"runId": "r1", "pid": 1, "journalPath": "j.json", "target": {"kind": "azure", "region": "x"}}');
    expect(() => ledger.record()).toThrow(`${file}: target.kind: expected sandbox, endpoint or aws`);
    writeFileSync(file, '{"runId": "r1", "pi');
    expect(() => ledger.record()).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid JSON`));
  });
});

/** A pid that was alive a moment ago and is not now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("who holds a run directory", () => {
  it("a live process is alive; an ended one is dead; one on another host cannot be told", () => {
    expect(liveness(thisProcess())).toBe("alive");
    expect(liveness({ pid: deadPid(), host: hostname() })).toBe("dead");
    expect(liveness({ pid: process.pid, host: `not-${hostname()}` })).toBe("unknown");
  });

  it.runIf(existsSync("/proc/self/stat"))("a pid now used by another process is not the recorded one", () => {
    expect(thisProcess().processStart).toMatch(/^[0-9a-f-]+:\d+$/);
    expect(liveness({ ...thisProcess(), processStart: "another-boot:1" })).toBe("dead");
  });

  it("a new run holds its directory until it releases it; recover cannot take it meanwhile", () => {
    const { ledger } = fresh();
    expect(ledger.holder()).toMatchObject({ pid: process.pid, host: hostname(), command: "run" });
    const other = Ledger.open(ledger.dir);
    expect(other.acquire("recover")).toMatchObject({ ok: false, state: "alive" });
    ledger.release();
    expect(ledger.holder()).toBeUndefined();
    expect(other.acquire("recover")).toEqual({ ok: true });
    expect(other.holder()).toMatchObject({ pid: process.pid, command: "recover" });
  });

  it("the lock of a dead process is stale and taken over; force takes even a live one's", () => {
    const { ledger } = fresh();
    const lock = join(ledger.dir, "lock");
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: hostname(), command: "run" }));
    expect(Ledger.open(ledger.dir).acquire("recover")).toMatchObject({ ok: true, replaced: { state: "dead" } });
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: `not-${hostname()}`, command: "run" }));
    expect(Ledger.open(ledger.dir).acquire("recover")).toMatchObject({ ok: false, state: "unknown" });
    expect(Ledger.open(ledger.dir).acquire("recover", true)).toMatchObject({ ok: true, replaced: { state: "unknown" } });
    expect(JSON.parse(readFileSync(lock, "utf8"))).toMatchObject({ pid: process.pid, host: hostname(), command: "recover" });
  });

  it("a run recorded before lock files existed is held by its own process while that lives", () => {
    const dir = mkdtempSync(join(tmpdir(), "gameday-ledger-"));
    const runDir = join(runsDir(dir), "old");
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, "ledger.jsonl"), "");
    const record = (pid: number) => JSON.stringify({ runId: "old", experiment: "x.yaml", title: "x", seed: 1, target: { kind: "sandbox", region: "us-east-1" }, pid, startedAt: 0, journalPath: "j.json" });
    writeFileSync(join(runDir, "run.json"), record(process.pid));
    expect(Ledger.open(runDir).acquire("recover")).toMatchObject({ ok: false, state: "alive" });
    writeFileSync(join(runDir, "run.json"), record(deadPid()));
    expect(Ledger.open(runDir).acquire("recover")).toMatchObject({ ok: true });
  });

  it("a second run with the same id cannot create the same directory", () => {
    const { dir } = fresh("same");
    expect(() => Ledger.create(dir, { runId: "same", experiment: "x.yaml", title: "x", seed: 1, target: { kind: "sandbox", region: "us-east-1" }, pid: 1, startedAt: 0, journalPath: "j.json" })).toThrow(/EEXIST/);
  });

  it("resolves skipped intents so that recovery leaves them alone", () => {
    const { ledger } = fresh();
    const id = ledger.intend(1, "rollbacks", { type: "declared-rollbacks", steps: [] });
    ledger.markSkipped(id, 2, "not run: rollback strategy never");
    expect(ledger.pending()).toEqual([]);
  });
});
