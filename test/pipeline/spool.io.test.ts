/**
 * The spool's disk work per record stays small: a long outage leaves a backlog of hundreds of
 * thousands of records that replay sends 500 at a time, a failed half-open probe puts its records
 * back every few seconds, and replay progress is checkpointed every second. Replay reads in large
 * reads and keeps what it read; checkpoints after a segment's first are written in place.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as fs from "node:fs";
import { Spool } from "../../src/pipeline/spool.js";
import type { SpoolEntry } from "../../src/pipeline/spool-format.js";
import { ManualClock } from "./helpers/manual-clock.js";
import { tempDirs } from "./helpers/tmp.js";

// Counts the spool's reads of segment files (the real fs does the work).
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return { ...real, readSync: vi.fn(real.readSync), renameSync: vi.fn(real.renameSync) };
});

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function entry(i: number): SpoolEntry {
  const body = JSON.stringify({ i, pad: "x".repeat(260) });
  return { data: Buffer.from(body), key: `k${i}`, acceptedAt: 1_000 + i, ambiguous: false, randomKey: true };
}
const idOf = (r: { data: Uint8Array }) => (JSON.parse(Buffer.from(r.data).toString()) as { i: number }).i;
const reads = () => vi.mocked(fs.readSync).mock.calls.length;

describe("Spool disk work", () => {
  it("reads a backlog in few large reads, rereads nothing for records put back, and hands out records that stay intact", () => {
    const spool = new Spool({ dir: dirs.make(), fsync: "never" }, new ManualClock());
    // ~600 KB in one segment: a dozen replay batches of 250.
    for (let i = 0; i < 2_000; i += 100) spool.append(Array.from({ length: 100 }, (_, k) => entry(i + k)));
    vi.mocked(fs.readSync).mockClear();

    const first = spool.readBatch(250, 5 << 20);
    expect(first.map(idOf)).toEqual(Array.from({ length: 250 }, (_, k) => k));
    // A failed probe: its records go back and come out again, from what was read.
    const probe = spool.readBatch(10, 5 << 20);
    for (const r of probe) spool.release(r.ref, false);
    expect(spool.readBatch(10, 5 << 20).map(idOf)).toEqual(probe.map(idOf));
    const rest: number[] = [];
    for (let batch = spool.readBatch(250, 5 << 20); batch.length > 0; batch = spool.readBatch(250, 5 << 20)) rest.push(...batch.map(idOf));
    expect(rest).toEqual(Array.from({ length: 2_000 - 260 }, (_, k) => 260 + k));
    // One read for the whole segment where a read per batch took ten.
    expect(reads()).toBeLessThanOrEqual(2);
    // Records handed out earlier are not overwritten by later reads.
    expect(first.map(idOf)).toEqual(Array.from({ length: 250 }, (_, k) => k));
  });

  it("reads what was appended after the last read, and only that", () => {
    const spool = new Spool({ dir: dirs.make(), fsync: "never" }, new ManualClock());
    spool.append(Array.from({ length: 10 }, (_, k) => entry(k)));
    expect(spool.readBatch(100, 5 << 20).map(idOf)).toEqual(Array.from({ length: 10 }, (_, k) => k));
    spool.append(Array.from({ length: 10 }, (_, k) => entry(10 + k)));
    vi.mocked(fs.readSync).mockClear();
    expect(spool.readBatch(100, 5 << 20).map(idOf)).toEqual(Array.from({ length: 10 }, (_, k) => 10 + k));
    expect(reads()).toBe(1);
  });

  it("checkpoints a replaying segment every interval with one rename for the segment, not one per checkpoint", async () => {
    const clock = new ManualClock();
    const dir = dirs.make();
    const spool = new Spool({ dir, fsync: "never", checkpointIntervalMs: 1_000 }, clock);
    spool.append(Array.from({ length: 100 }, (_, k) => entry(k)));
    vi.mocked(fs.renameSync).mockClear();
    for (let i = 0; i < 10; i++) {
      for (const r of spool.readBatch(5, 5 << 20)) spool.ack(r.ref);
      await clock.advance(1_000);
    }
    expect(vi.mocked(fs.renameSync).mock.calls.length).toBe(1);
    // Each of the ten was written: a restart resends only the 50 not acked.
    expect(new Spool({ dir, fsync: "never" }, new ManualClock()).pendingRecords).toBe(50);
  });
});
