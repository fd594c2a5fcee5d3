import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import { Spool, scanSegment, type SpoolOptions } from "../../src/pipeline/spool.js";
import { encodeFrame, frameSize, readFrame, type SpoolEntry } from "../../src/pipeline/spool-format.js";
import { ManualClock } from "./helpers/manual-clock.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function entry(i: number, bytes = 40): SpoolEntry {
  const body = JSON.stringify({ i, pad: "x".repeat(Math.max(0, bytes - 20)) });
  return { data: Buffer.from(body), key: `k${i}`, acceptedAt: 1_000 + i, ambiguous: false, randomKey: true };
}
const idOf = (r: { data: Uint8Array }) => (JSON.parse(Buffer.from(r.data).toString()) as { i: number }).i;
const segments = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(".spool")).sort();

function open(options: Partial<SpoolOptions> & { dir?: string } = {}) {
  const clock = new ManualClock();
  const dir = options.dir ?? dirs.make();
  return { spool: new Spool({ fsync: "never", ...options, dir }, clock), dir, clock };
}

describe("spool frames", () => {
  it("round-trip any bytes, flags and keys, and detect a flipped bit", () => {
    const e: SpoolEntry = { data: Buffer.from('{"a":"line\\nbreak","b":"\u00e9"}\n'), key: "cl\u00e9", acceptedAt: 1606310100000, ambiguous: true, randomKey: false };
    const frame = encodeFrame(e);
    expect(frame.length).toBe(frameSize(e));
    const back = readFrame(frame, 0, frame.length);
    expect(back.kind).toBe("frame");
    if (back.kind === "frame") expect(back.entry).toEqual({ ...e, data: Buffer.from(e.data) });
    frame[frame.length - 3]! ^= 0x01;
    expect(readFrame(frame, 0, frame.length)).toEqual({ kind: "corrupt", reason: "checksum mismatch" });
    expect(readFrame(frame, 0, frame.length - 1).kind).toBe("incomplete");
  });

  it("write a record given as text exactly as its UTF-8 bytes, in a frame of its own or among others", () => {
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 10 }), fc.constantFrom("\ud800", "a\udc00b", "é☃😀"));
    fc.assert(
      fc.property(fc.array(fc.tuple(text, fc.string({ maxLength: 8 }), fc.boolean()), { minLength: 1, maxLength: 6 }), (records) => {
        const asText: SpoolEntry[] = records.map(([data, key, ambiguous], i) => ({ data, key, acceptedAt: 1_000 + i, ambiguous, randomKey: !ambiguous }));
        const asBytes = asText.map((e) => ({ ...e, data: Buffer.from(e.data as string, "utf8") }));
        asText.forEach((e, i) => {
          expect(frameSize(e)).toBe(frameSize(asBytes[i]!));
          expect(encodeFrame(e)).toEqual(encodeFrame(asBytes[i]!));
        });
        // Mixed in one append: the files hold the same bytes, read back as the text's bytes.
        const a = open();
        const b = open();
        expect(a.spool.append(asText.map((e, i) => (i % 2 === 0 ? e : asBytes[i]!)))).toBe(records.length);
        expect(b.spool.append(asBytes)).toBe(records.length);
        const file = (dir: string) => fs.readFileSync(path.join(dir, segments(dir)[0]!));
        expect(file(a.dir)).toEqual(file(b.dir));
        expect(a.spool.readBatch(100, 1 << 20).map((r) => Buffer.from(r.data))).toEqual(asBytes.map((e) => e.data));
        a.spool.close();
        b.spool.close();
      }),
      { numRuns: 200 },
    );
  });
});

describe("Spool", () => {
  it("replays records oldest first across segments and deletes a segment only when all its records are acked", () => {
    const { spool, dir } = open({ segmentBytes: 300 });
    expect(spool.append(Array.from({ length: 12 }, (_, i) => entry(i)))).toBe(12);
    const files = segments(dir);
    expect(files.length).toBeGreaterThan(2);
    const first = spool.readBatch(5, 1 << 20);
    expect(first.map(idOf)).toEqual([0, 1, 2, 3, 4]);
    // Ack all but one record of the first segment: the file must stay.
    const firstSegmentRecords = first.filter((r) => r.ref.segment === first[0]!.ref.segment);
    for (const r of firstSegmentRecords.slice(1)) spool.ack(r.ref);
    expect(segments(dir)).toContain(files[0]);
    spool.ack(firstSegmentRecords[0]!.ref);
    expect(segments(dir)).not.toContain(files[0]);
    expect(spool.pendingRecords).toBe(12 - firstSegmentRecords.length);
  });

  it("makes a released record readable again before newer ones, with its ambiguity remembered", () => {
    const { spool } = open();
    spool.append([entry(0), entry(1), entry(2), entry(3)]);
    const batch = spool.readBatch(3, 1 << 20);
    spool.ack(batch[0]!.ref);
    spool.release(batch[1]!.ref, true);
    spool.ack(batch[2]!.ref);
    const again = spool.readBatch(10, 1 << 20);
    expect(again.map(idOf)).toEqual([1, 3]);
    expect(again.map((r) => r.ambiguous)).toEqual([true, false]);
    expect(spool.readBatch(10, 1 << 20)).toEqual([]);
  });

  it("respects the byte budget of a batch but always returns at least one record", () => {
    const { spool } = open();
    spool.append([entry(0, 400), entry(1, 400), entry(2, 400)]);
    expect(spool.readBatch(10, 900).map(idOf)).toEqual([0, 1]);
    expect(spool.readBatch(10, 10).map(idOf)).toEqual([2]);
  });

  it("drop-newest: refuses records past the cap and counts them", () => {
    const size = frameSize(entry(0));
    const { spool } = open({ maxBytes: size * 5, segmentBytes: size * 2, dropPolicy: "drop-newest" });
    expect(spool.append(Array.from({ length: 8 }, (_, i) => entry(i)))).toBe(5);
    expect(spool.counters.droppedNewest).toBe(3);
    expect(spool.bytes).toBeLessThanOrEqual(size * 5);
    expect(spool.readBatch(100, 1 << 20).map(idOf)).toEqual([0, 1, 2, 3, 4]);
  });

  it("drop-oldest: deletes whole oldest segments, counts their unacked records, and keeps the newest", () => {
    const size = frameSize(entry(0));
    const { spool, dir } = open({ maxBytes: size * 6, segmentBytes: size * 2, dropPolicy: "drop-oldest" });
    expect(spool.append(Array.from({ length: 6 }, (_, i) => entry(i)))).toBe(6);
    const firstFiles = segments(dir);
    expect(firstFiles).toHaveLength(3);
    // One record of the oldest segment is acked already: it is not counted as dropped.
    const out = spool.readBatch(1, 1 << 20);
    spool.ack(out[0]!.ref);
    expect(spool.append([entry(6), entry(7), entry(8)])).toBe(3);
    expect(segments(dir)).not.toContain(firstFiles[0]);
    expect(segments(dir)).not.toContain(firstFiles[1]);
    expect(spool.counters.droppedOldest).toBe(1 + 2);
    expect(spool.readBatch(100, 1 << 20).map(idOf)).toEqual([4, 5, 6, 7, 8]);
    expect(spool.counters.droppedNewest).toBe(0);
  });

  it("drop-oldest: a record out for replay when its segment is evicted is counted once, as delivered or as dropped", () => {
    const size = frameSize(entry(0));
    const { spool } = open({ maxBytes: size * 4, segmentBytes: size * 2, dropPolicy: "drop-oldest" });
    spool.append([entry(0), entry(1), entry(2), entry(3)]);
    const out = spool.readBatch(2, 1 << 20); // records 0 and 1, both in the oldest segment
    spool.append([entry(4), entry(5)]); // evicts that segment while both are out
    expect(spool.counters.droppedOldest).toBe(0);
    spool.ack(out[0]!.ref); // Kinesis took it after all: not a drop
    spool.release(out[1]!.ref, false); // failed: it has nowhere to go now
    expect(spool.counters.droppedOldest).toBe(1);
    expect(spool.readBatch(100, 1 << 20).map(idOf)).toEqual([2, 3, 4, 5]);
  });

  it("after a crash before any checkpoint, a new spool on the same directory replays every record not deleted", () => {
    const { spool, dir } = open({ segmentBytes: 200 });
    spool.append(Array.from({ length: 10 }, (_, i) => entry(i)));
    const out = spool.readBatch(3, 1 << 20);
    for (const r of out) spool.ack(r.ref);
    // No close(): the process died. Whatever segment still exists comes back in full.
    const survivors = segments(dir).flatMap((f) => {
      const n = scanSegment(path.join(dir, f)).records;
      return [n];
    });
    const again = new Spool({ dir, fsync: "never" }, new ManualClock());
    expect(again.pendingRecords).toBe(survivors.reduce((a, b) => a + b, 0));
    const ids = again.readBatch(100, 1 << 20).map(idOf);
    expect(ids).toEqual(expect.arrayContaining([3, 4, 5, 6, 7, 8, 9]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it("ignores a torn tail (a frame cut short by a crash) and counts its bytes", () => {
    const { spool, dir } = open();
    spool.append([entry(0), entry(1)]);
    spool.close();
    const file = path.join(dir, segments(dir)[0]!);
    fs.appendFileSync(file, encodeFrame(entry(2)).subarray(0, 20));
    const again = new Spool({ dir, fsync: "never" }, new ManualClock());
    expect(again.pendingRecords).toBe(2);
    expect(again.counters.corruptBytes).toBe(20);
    expect(again.readBatch(10, 1 << 20).map(idOf)).toEqual([0, 1]);
  });

  it("refuses a directory another live process is spooling into", () => {
    const dir = dirs.make();
    fs.writeFileSync(path.join(dir, "spool.lock"), String(process.ppid));
    expect(() => new Spool({ dir }, new ManualClock())).toThrow(new RegExp(`in use by process ${process.ppid}`));
  });

  it("takes over the lock of a process that is gone", () => {
    const dir = dirs.make();
    fs.writeFileSync(path.join(dir, "spool.lock"), "2147483646");
    const spool = new Spool({ dir }, new ManualClock());
    expect(fs.readFileSync(path.join(dir, "spool.lock"), "utf8")).toBe(String(process.pid));
    spool.close();
    expect(fs.existsSync(path.join(dir, "spool.lock"))).toBe(false);
  });

  it("reports the age reference of the oldest unacked record", () => {
    const { spool } = open({ segmentBytes: 150 });
    expect(spool.oldestAcceptedAt()).toBeUndefined();
    spool.append([entry(0), entry(1), entry(2), entry(3)]);
    expect(spool.oldestAcceptedAt()).toBe(1_000);
    const out = spool.readBatch(100, 1 << 20);
    for (const r of out.filter((r) => r.ref.segment === out[0]!.ref.segment)) spool.ack(r.ref);
    expect(spool.oldestAcceptedAt()).toBeGreaterThan(1_000);
  });

  it("interval fsync arms one timer on the injected clock rather than syncing every append", async () => {
    const clock = new ManualClock();
    const spool = new Spool({ dir: dirs.make(), fsync: "interval", fsyncIntervalMs: 1_000 }, clock);
    spool.append([entry(0)]); // the first append syncs (nothing synced for longer than the interval)
    spool.append([entry(1)]);
    spool.append([entry(2)]);
    expect(clock.pending).toBe(1);
    await clock.advance(1_000);
    expect(clock.pending).toBe(0);
    spool.close();
  });

  it("checkpoints replay progress: after a crash, a restart resends only what was not acked by the last checkpoint, and loses nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 150, max: 600 }),
        fc.array(fc.nat(), { maxLength: 80 }),
        fc.boolean(),
        async (n, segmentBytes, ackPicks, checkpointed) => {
          const { spool, dir, clock } = open({ segmentBytes, checkpointIntervalMs: 1_000 });
          spool.append(Array.from({ length: n }, (_, i) => entry(i)));
          const out = spool.readBatch(n, 1 << 30);
          const acked = new Set<number>();
          for (const pick of ackPicks) {
            const r = out[pick % out.length]!;
            spool.ack(r.ref);
            acked.add(idOf(r));
          }
          if (checkpointed) await clock.advance(1_000);
          // No close(): the process died. Per segment, the acked prefix is what a checkpoint may skip.
          const bySegment = new Map<object, boolean[]>();
          for (const r of out) (bySegment.get(r.ref.segment) ?? bySegment.set(r.ref.segment, []).get(r.ref.segment)!)[r.ref.index] = acked.has(idOf(r));
          let expected = 0;
          for (const flags of bySegment.values()) {
            if (flags.every(Boolean)) continue; // deleted on its last ack
            const prefix = checkpointed ? flags.findIndex((f) => !f) : 0;
            expected += flags.length - prefix;
          }
          const again = new Spool({ dir, fsync: "never" }, new ManualClock());
          expect(again.pendingRecords).toBe(expected);
          const ids = again.readBatch(n, 1 << 30).map(idOf);
          for (let i = 0; i < n; i++) if (!acked.has(i)) expect(ids).toContain(i);
          again.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a checkpoint write torn by a crash costs only the acks since the checkpoint before it, never a record", async () => {
    const { spool, dir, clock } = open({ checkpointIntervalMs: 1_000 });
    spool.append(Array.from({ length: 10 }, (_, i) => entry(i)));
    const out = spool.readBatch(10, 1 << 20);
    const ackUpTo = async (n: number, from: number) => {
      for (const r of out.slice(from, n)) spool.ack(r.ref);
      await clock.advance(1_000);
    };
    await ackUpTo(3, 0);
    await ackUpTo(6, 3);
    const file = path.join(dir, `${segments(dir)[0]!}.ack`);
    const whole = fs.readFileSync(file);
    // Intact: a restart skips the six acked records.
    expect(new Spool({ dir, fsync: "never" }, new ManualClock()).pendingRecords).toBe(4);
    // The last write tore: the slot it went to is garbage, the other still says three.
    const torn = Buffer.from(whole);
    torn.fill(0x5a, 4, 12);
    fs.writeFileSync(file, torn);
    const again = new Spool({ dir, fsync: "never" }, new ManualClock());
    expect(again.pendingRecords).toBe(7);
    expect(again.readBatch(100, 1 << 20).map(idOf)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it("reads the decimal checkpoint an earlier version wrote", () => {
    const { spool, dir } = open();
    spool.append(Array.from({ length: 5 }, (_, i) => entry(i)));
    fs.writeFileSync(path.join(dir, `${segments(dir)[0]!}.ack`), "2");
    const again = new Spool({ dir, fsync: "never" }, new ManualClock());
    expect(again.readBatch(100, 1 << 20).map(idOf)).toEqual([2, 3, 4]);
  });

  it("a checkpoint left by a deleted segment does not skip records of a new one", () => {
    const { spool, dir } = open();
    spool.append([entry(0), entry(1)]);
    const [a] = spool.readBatch(1, 1 << 20);
    spool.ack(a!.ref);
    spool.close();
    // Pretend a crash left a checkpoint for a segment id that is reused by nothing and a stray tmp file.
    fs.writeFileSync(path.join(dir, "seg-000000000099.spool.ack"), "5");
    fs.writeFileSync(path.join(dir, "seg-000000000001.spool.ack.tmp"), "2");
    const again = new Spool({ dir, fsync: "never" }, new ManualClock());
    expect(again.pendingRecords).toBe(1);
    expect(fs.readdirSync(dir).filter((f) => f.includes(".ack"))).toEqual(["seg-000000000001.spool.ack"]);
    again.close();
  });
});
