import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PutResult } from "../../src/pipeline/kinesis-port.js";
import type { Shipper } from "../../src/pipeline/shipper.js";
import { VirtualClock } from "../../src/time/clock.js";
import { ManualClock } from "./helpers/manual-clock.js";
import { FakeKinesis, refusedError } from "./helpers/fake-kinesis.js";
import { makeShipper, range, spoolFiles, storedIds } from "./helpers/harness.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

interface CallNote {
  at: number;
  ids: number[];
  breaker: string;
  inMemory: number;
}

/** A fake that notes, at each call, the time, the record ids and the shipper's state. */
function observedFake(clock: { now(): number }, shipperRef: () => Shipper | undefined) {
  const fake = new FakeKinesis();
  const notes: CallNote[] = [];
  fake.onCall = (_call, entries) => {
    const m = shipperRef()?.metrics();
    notes.push({
      at: clock.now(),
      ids: entries.map((e) => (JSON.parse(Buffer.from(e.data).toString()) as { i: number }).i),
      breaker: m?.breaker ?? "?",
      inMemory: m?.inMemory ?? -1,
    });
  };
  return { fake, notes };
}

/** Writes `n` records while Kinesis refuses every call, until the breaker is open and they are all spooled. */
async function spoolDuringOutage(shipper: Shipper, fake: FakeKinesis, clock: ManualClock | VirtualClock, n: number): Promise<void> {
  fake.respond = () => ({ kind: "throw", error: refusedError });
  for (const i of range(n)) shipper.write({ i });
  if (clock instanceof ManualClock) await clock.advance(1_000);
  else await shipper.flush();
}

describe("Shipper circuit breaker", () => {
  it("opens after consecutive failed calls, makes no call while open, spools writes, and probes ever less often", async () => {
    const clock = new ManualClock();
    let shipper: Shipper | undefined;
    const { fake, notes } = observedFake(clock, () => shipper);
    const h = makeShipper(dirs.make(), { breaker: { consecutiveFailures: 3, openMs: 10_000 }, retry: { baseMs: 10, capMs: 50 }, batch: { lingerMs: 100 } }, { clock, fake });
    shipper = h.shipper;
    await spoolDuringOutage(shipper, fake, clock, 10);
    expect(notes).toHaveLength(3);
    expect(shipper.metrics()).toMatchObject({ breaker: "open", spooled: 10, inMemory: 0, inFlight: 0 });
    for (const i of range(5, 10)) shipper.write({ i });
    const openedAt = notes[2]!.at; // the third failed call opened it
    // The open period is jittered between half and all of openMs: never a call before half of it...
    await clock.advance(openedAt + 4_990 - clock.now());
    expect(notes).toHaveLength(3);
    expect(shipper.metrics().spooled).toBe(15);
    // ...and exactly one probe by the end of it, which fails.
    await clock.advance(openedAt + 10_000 - clock.now());
    expect(notes).toHaveLength(4);
    expect(notes[3]!.breaker).toBe("half-open");
    expect(shipper.metrics().breaker).toBe("open");
    // After a failed probe the period doubles: nothing for at least openMs now.
    await clock.advance(notes[3]!.at + 9_990 - clock.now());
    expect(notes).toHaveLength(4);
    fake.respond = () => ({ kind: "ok" });
    await clock.advance(60_000);
    expect(notes.every((n) => n.breaker !== "open")).toBe(true);
    expect(shipper.metrics()).toMatchObject({ breaker: "closed", spoolRecords: 0, delivered: 15, replayed: 15 });
  });

  it("lets exactly one probe out while half-open, whatever else is waiting", async () => {
    const clock = new ManualClock();
    let shipper: Shipper | undefined;
    const { fake, notes } = observedFake(clock, () => shipper);
    const h = makeShipper(dirs.make(), { breaker: { consecutiveFailures: 2, openMs: 5_000 }, retry: { baseMs: 10, capMs: 50 }, batch: { lingerMs: 50, maxRecords: 5 } }, { clock, fake });
    shipper = h.shipper;
    await spoolDuringOutage(shipper, fake, clock, 20);
    const before = notes.length;
    // The probe gets no answer until we give it one.
    let answer: ((r: PutResult) => void) | undefined;
    fake.respond = () => ({ kind: "ok" });
    fake.deliver = <T,>(p: Promise<T>) => p.then((r) => new Promise<T>((resolve) => (answer = resolve as (r: PutResult) => void)).then(() => r));
    await clock.advance(5_000);
    expect(notes.length).toBe(before + 1);
    for (const i of range(30, 100)) shipper.write({ i });
    // Within the probe's own request timeout (it may have gone out 2.5 s ago, given the jitter).
    await clock.advance(1_000);
    expect(notes.length).toBe(before + 1);
    fake.deliver = (p) => p;
    answer!({ failedRecordCount: 0, records: [] });
    await clock.advance(100);
    expect(shipper.metrics().breaker).toBe("closed");
    expect(notes.length).toBeGreaterThan(before + 1);
  });
});

describe("Shipper replay", () => {
  it("replays the spool no faster than replay.ratePerSec", async () => {
    const clock = new VirtualClock();
    let shipper: Shipper | undefined;
    const { fake, notes } = observedFake(clock, () => shipper);
    const rate = 400;
    const h = makeShipper(dirs.make(), { breaker: { consecutiveFailures: 2, openMs: 1_000 }, replay: { ratePerSec: rate, startJitterMs: 0 } }, { clock, fake });
    shipper = h.shipper;
    await spoolDuringOutage(shipper, fake, clock, 3_000);
    expect(shipper.metrics().spoolRecords).toBe(3_000);
    const first = notes.length;
    fake.respond = () => ({ kind: "ok" });
    while (shipper.metrics().spoolRecords > 0) await clock.sleep(1_000);
    const replay = notes.slice(first);
    // Each replay call starts no sooner than the previous one's records allow at the rate.
    for (let k = 1; k < replay.length; k++) {
      expect(replay[k]!.at - replay[k - 1]!.at).toBeGreaterThanOrEqual((replay[k - 1]!.ids.length * 1_000) / rate - 1e-6);
    }
    expect(replay.every((c) => c.ids.length <= rate)).toBe(true);
    expect(storedIds(fake).sort((a, b) => a - b)).toEqual(range(3_000));
  });

  it("starts replay a random delay within startJitterMs after the breaker closes, different per seed", async () => {
    const delays: number[] = [];
    for (const seed of [1, 2, 3]) {
      const clock = new VirtualClock();
      let shipper: Shipper | undefined;
      const { fake, notes } = observedFake(clock, () => shipper);
      const h = makeShipper(dirs.make(), { breaker: { consecutiveFailures: 2, openMs: 1_000 }, replay: { ratePerSec: 100_000, startJitterMs: 30_000 }, batch: { maxRecords: 10 } }, { clock, fake, seed });
      shipper = h.shipper;
      await spoolDuringOutage(shipper, fake, clock, 50);
      fake.respond = () => ({ kind: "ok" });
      while (shipper.metrics().spoolRecords > 0) await clock.sleep(500);
      const probe = notes.findIndex((n) => n.breaker === "half-open" && notes.indexOf(n) > 0);
      const afterProbe = notes[probe + 1]!;
      const delay = afterProbe.at - notes[probe]!.at;
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(30_000);
      delays.push(delay);
    }
    expect(new Set(delays).size).toBe(3);
  });

  it("sends live records before spooled ones: no replay call starts while a full live batch waits", async () => {
    const clock = new VirtualClock();
    let shipper: Shipper | undefined;
    const { fake, notes } = observedFake(clock, () => shipper);
    // Replay is never held back by its rate here, and each call takes 100 ms: live and replay
    // batches compete for the one slot every time it frees up.
    const h = makeShipper(
      dirs.make(),
      { breaker: { consecutiveFailures: 2, openMs: 1_000 }, replay: { ratePerSec: 1_000_000, startJitterMs: 0 }, batch: { maxRecords: 100, lingerMs: 200 }, maxInFlight: 1 },
      { clock, fake },
    );
    shipper = h.shipper;
    await spoolDuringOutage(shipper, fake, clock, 2_000);
    const recovery = notes.length;
    fake.respond = () => ({ kind: "ok" });
    fake.deliver = <T,>(answer: Promise<T>) => clock.sleep(100).then(() => answer);
    // Past the probe and the backoff that follows the outage's give-ups: replay calls back to back.
    while (shipper.metrics().replayed < 300) await clock.sleep(50);
    await clock.sleep(50);
    expect(shipper.metrics().inFlight).toBeGreaterThan(0);
    // Only replay is in flight: its records are still on disk, so a reader of the metrics can
    // count each record once (spoolRecords + inFlight - replayInFlight).
    const during = shipper.metrics();
    expect(during.replayInFlight).toBe(during.inFlight);
    expect(during.spoolRecords).toBeGreaterThanOrEqual(during.replayInFlight);
    const liveAt = clock.now();
    for (const i of range(300, 10_000)) shipper.write({ i });
    while (shipper.metrics().spoolRecords > 0 || shipper.metrics().inMemory > 0) await clock.sleep(1_000);
    const after = notes.slice(recovery).filter((n) => n.at >= liveAt);
    // The three live batches take the next three slots; the backlog waits behind them.
    expect(after.slice(0, 3).map((n) => n.ids.every((i) => i >= 10_000))).toEqual([true, true, true]);
    for (const n of notes.slice(recovery)) {
      const replayCall = n.ids.every((i) => i < 10_000);
      if (replayCall && n.breaker === "closed") expect(n.inMemory).toBeLessThan(100);
    }
    expect(new Set(storedIds(fake)).size).toBe(2_300);
  });

  it("deletes a segment file only after every record in it is acked", async () => {
    const clock = new VirtualClock();
    const dir = dirs.make();
    const fake = new FakeKinesis();
    const h = makeShipper(
      dir,
      {
        spool: { dir, segmentBytes: 1_000 },
        breaker: { consecutiveFailures: 2, openMs: 1_000 },
        replay: { ratePerSec: 10_000, startJitterMs: 0 },
        retry: { baseMs: 10, capMs: 100, deadlineMs: 1_000 },
        batch: { maxRecords: 50 },
      },
      { clock, fake },
    );
    await spoolDuringOutage(h.shipper, fake, clock, 60);
    const files = spoolFiles(dir);
    expect(files.length).toBeGreaterThan(3);
    // Record 3 (in the first segment) keeps failing; everything else goes through.
    let stubborn = true;
    fake.respond = (_c, entries) => {
      const ids = entries.map((e) => (JSON.parse(Buffer.from(e.data).toString()) as { i: number }).i);
      return stubborn ? { kind: "partial", fail: (k) => ids[k] === 3 } : { kind: "ok" };
    };
    await clock.sleep(20_000);
    expect(fake.stored.length).toBe(59);
    expect(spoolFiles(dir)).toEqual([files[0]]);
    expect(h.shipper.metrics().spoolRecords).toBe(1);
    stubborn = false;
    while (h.shipper.metrics().spoolRecords > 0) await clock.sleep(1_000);
    expect(spoolFiles(dir)).toEqual([]);
    expect(fs.existsSync(path.join(dir, files[0]!))).toBe(false);
    expect(storedIds(fake).sort((a, b) => a - b)).toEqual(range(60));
  });
});
