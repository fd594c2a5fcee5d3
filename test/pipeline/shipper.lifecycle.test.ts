import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/time/clock.js";
import { ManualClock, SeveredClock } from "./helpers/manual-clock.js";
import { FakeKinesis, refusedError } from "./helpers/fake-kinesis.js";
import { makeShipper, range, storedIds } from "./helpers/harness.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe("Shipper close()", () => {
  it("resolves within 10 s of (virtual) time while Kinesis hangs, with every unacked record on disk", async () => {
    const clock = new VirtualClock();
    const dir = dirs.make();
    const hanging = new FakeKinesis();
    hanging.respond = () => ({ kind: "hang", stored: false });
    const { shipper } = makeShipper(dir, { requestTimeoutMs: 30_000, closeGraceMs: 3_000 }, { clock, fake: hanging });
    for (const i of range(1_700)) shipper.write({ i });
    await clock.sleep(1_000); // batches are on the wire, unanswered
    expect(shipper.metrics().inFlight).toBeGreaterThan(0);
    const start = clock.now();
    await shipper.close();
    expect(clock.now() - start).toBeLessThanOrEqual(10_000);
    expect(shipper.metrics()).toMatchObject({ inMemory: 0, inFlight: 0, spoolRecords: 1_700 });
    // Abandoned calls may have landed: their records are flagged as possible duplicates on disk.
    const healthy = new FakeKinesis();
    const next = makeShipper(dir, { replay: { startJitterMs: 0, ratePerSec: 100_000 } }, { clock, fake: healthy });
    while (next.shipper.metrics().spoolRecords > 0) await clock.sleep(1_000);
    expect(storedIds(healthy).sort((a, b) => a - b)).toEqual(range(1_700));
    expect(next.shipper.metrics().duplicatesPossible).toBeGreaterThan(0);
    await next.shipper.close();
  });

  it("stops a batch sleeping in backoff at once and spools its records", async () => {
    const clock = new ManualClock();
    const fake = new FakeKinesis();
    fake.respond = () => ({ kind: "partial", fail: () => true });
    const { shipper } = makeShipper(dirs.make(), { retry: { baseMs: 60_000, capMs: 60_000 }, batch: { lingerMs: 0 } }, { clock, fake });
    for (const i of range(3)) shipper.write({ i });
    await clock.advance(10);
    let closed = false;
    void shipper.close().then(() => (closed = true));
    await clock.advance(0);
    expect(closed).toBe(true);
    expect(shipper.metrics()).toMatchObject({ spooled: 3, spoolRecords: 3, inFlight: 0 });
  });
});

describe("Shipper restart", () => {
  it("a new Shipper on the spool of one that crashed replays what it had spooled", async () => {
    const base = new VirtualClock();
    const dir = dirs.make();
    const dead = new SeveredClock(base);
    const down = new FakeKinesis();
    down.respond = () => ({ kind: "throw", error: refusedError });
    const first = makeShipper(dir, { breaker: { consecutiveFailures: 2 } }, { clock: dead, fake: down });
    for (const i of range(800)) first.shipper.write({ i });
    await first.shipper.flush();
    expect(first.shipper.metrics().spoolRecords).toBe(800);
    dead.sever(); // the process is gone: no close(), no more timers

    const up = new FakeKinesis();
    const second = makeShipper(dir, { replay: { startJitterMs: 5_000, ratePerSec: 100_000 } }, { clock: base, fake: up, seed: 99 });
    expect(second.shipper.metrics().spoolRecords).toBe(800);
    while (second.shipper.metrics().spoolRecords > 0) await base.sleep(1_000);
    expect(storedIds(up).sort((a, b) => a - b)).toEqual(range(800));
    // Records keep the id their first boot gave them, so consumers can dedupe across restarts.
    expect(new Set(up.storedJson().map((r) => (r._gd as { b: string }).b))).toEqual(new Set([first.shipper.boot]));
    await second.shipper.close();
  });
});

describe("Shipper memory bound", () => {
  it("returns false at the memory budget, spills further records to the spool, and drain() resolves at half", async () => {
    const clock = new ManualClock();
    const fake = new FakeKinesis();
    const answers: (() => void)[] = [];
    fake.deliver = <T,>(p: Promise<T>) => new Promise<T>((resolve) => answers.push(() => void p.then(resolve)));
    const { shipper } = makeShipper(dirs.make(), { memory: { maxRecords: 100 }, batch: { maxRecords: 20 }, maxInFlight: 2 }, { clock, fake });
    const verdicts = range(150).map((i) => shipper.write({ i }));
    expect(verdicts.slice(0, 99).every(Boolean)).toBe(true);
    expect(verdicts[99]).toBe(false);
    expect(verdicts.slice(100).every((v) => !v)).toBe(true);
    const m = shipper.metrics();
    expect(m.inMemory + m.inFlight).toBeLessThanOrEqual(100);
    expect(m.spooled).toBe(50);
    expect(m.backpressure).toBe(true);
    let drained = false;
    void shipper.drain().then(() => (drained = true));
    // Each answer frees one batch of 20; at 60 left (above 50) no drain yet, at 40 it drains.
    for (const expectDrained of [false, false, true]) {
      answers.shift()!();
      await clock.advance(0);
      expect(drained).toBe(expectDrained);
    }
    while (answers.length > 0) {
      answers.shift()!();
      await clock.advance(1_000);
    }
    await clock.advance(120_000);
    while (answers.length > 0) {
      answers.shift()!();
      await clock.advance(1_000);
    }
    expect(shipper.metrics().delivered).toBe(150);
  });

  it("keeps memory bounded through an outage while the writer ignores backpressure", async () => {
    const clock = new VirtualClock();
    const fake = new FakeKinesis();
    fake.respond = () => ({ kind: "hang", stored: false });
    const { shipper } = makeShipper(dirs.make(), { memory: { maxRecords: 500, maxBytes: 64 * 1024 }, requestTimeoutMs: 2_000 }, { clock, fake });
    let peak = 0;
    for (const i of range(20_000)) {
      shipper.write({ i, msg: "some log line of moderate length" });
      if (i % 250 === 0) {
        await clock.sleep(50);
        const m = shipper.metrics();
        peak = Math.max(peak, m.inMemory + m.inFlight);
      }
    }
    // Live records stay within the budget; at most one batch read back from the spool comes on top.
    expect(peak).toBeLessThanOrEqual(500 + 500);
    await shipper.close();
    const m = shipper.metrics();
    expect(m.spoolRecords).toBe(20_000);
  });
});
