/**
 * What recovery after a power loss needs is on disk before a run changes anything: the run's record
 * (run.json: where the target is), the ledger file, and the directory entries naming them.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

const synced: string[] = [];
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const paths = new Map<number, string>();
  return {
    ...fs,
    openSync: (path: string, ...rest: unknown[]) => {
      const fd = (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
      paths.set(fd, String(path));
      return fd;
    },
    fsyncSync: (fd: number) => {
      fs.fsyncSync(fd);
      synced.push(paths.get(fd) ?? `fd ${fd}`);
    },
  };
});

const { Ledger, runsDir } = await import("../../src/engine/ledger.js");

describe("Ledger.create", () => {
  it("syncs run.json, the ledger file, the run's directory and the runs directory", () => {
    const workdir = mkdtempSync(join(tmpdir(), "gameday-durable-"));
    synced.length = 0;
    const ledger = Ledger.create(workdir, { runId: "r1", experiment: "x.yaml", title: "x", seed: 1, target: { kind: "aws", region: "eu-west-1" }, pid: process.pid, startedAt: 0, journalPath: join(workdir, "journal.json") });
    const dir = join(runsDir(workdir), "r1");
    expect(synced).toEqual(expect.arrayContaining([join(dir, "run.json"), join(dir, "ledger.jsonl"), dir, runsDir(workdir)]));
    synced.length = 0;
    ledger.intend(1, "delete template", { type: "fis-delete-template", templateId: "EXT1" });
    expect(synced).toEqual([join(dir, "ledger.jsonl")]);
  });
});
