import { describe, expect, it } from "vitest";
import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger, unfinishedRuns } from "../../src/engine/ledger.js";

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

  it("resolves skipped intents so that recovery leaves them alone", () => {
    const { ledger } = fresh();
    const id = ledger.intend(1, "rollbacks", { type: "declared-rollbacks", steps: [] });
    ledger.markSkipped(id, 2, "not run: rollback strategy never");
    expect(ledger.pending()).toEqual([]);
  });
});
