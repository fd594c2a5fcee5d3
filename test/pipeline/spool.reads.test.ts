/**
 * Replay reads a spool in large reads and keeps what it read: a long outage leaves a backlog of
 * hundreds of thousands of records that replay sends 500 at a time, and a failed half-open probe
 * puts its records back every few seconds. Neither should cost a read of the disk each time.
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
  return { ...real, readSync: vi.fn(real.readSync) };
});

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function entry(i: number): SpoolEntry {
  const body = JSON.stringify({ i, pad: "x".repeat(260) });
  return { data: Buffer.from(body), key: `k${i}`, acceptedAt: 1_000 + i, ambiguous: false, randomKey: true };
}
const idOf = (r: { data: Uint8Array }) => (JSON.parse(Buffer.from(r.data).toString()) as { i: number }).i;
const reads = () => vi.mocked(fs.readSync).mock.calls.length;

describe("Spool replay reads", () => {
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
});
