/**
 * Model-based test of delivery: fast-check generates schedules of writes, Kinesis behaviours
 * (success, whole-call throttling, partial failure at random indices, 5xx, hangs with or without
 * the records landing, outages), time steps, reply releases, crashes and closes. fc.scheduler()
 * decides when each PutRecords answer arrives relative to timers and close(). A fake Kinesis that
 * keeps everything it stored (duplicates included) is the oracle for "delivered"; an independent
 * reader of the spool directory is the oracle for "on disk".
 *
 * After every command:
 *   - every accepted record is delivered, on disk, or accounted for by what the shipper holds in
 *     memory or in flight, what the drop policy dropped (capped spool only), or what a crash took
 *     out of memory (and a crash may take only what was in memory or in flight);
 *   - memory stays within its budget (plus one replay batch);
 *   - no PutRecords call starts while the breaker is open; nothing is dropped with an uncapped spool.
 * After close(): memory is empty and every accepted record is delivered or on disk (or dropped).
 * At the end, with faults stopped: every accepted record not taken by a crash or dropped by policy
 * is delivered.
 *
 * Replaying a failure: fast-check prints a seed and a path. Run
 *   MODEL_SEED=<seed> MODEL_PATH=<path> npx vitest run test/pipeline/delivery.model.test.ts
 * to replay exactly that (shrunk) case; the failure message lists its commands. MODEL_RUNS=2000
 * runs a longer soak than the default 120 runs.
 */
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { Shipper } from "../../src/pipeline/shipper.js";
import type { KinesisPort, PutEntry, PutResult } from "../../src/pipeline/kinesis-port.js";
import { SeededRandom } from "../../src/random/random.js";
import { ManualClock, SeveredClock, settle } from "./helpers/manual-clock.js";
import { FakeKinesis, refusedError, serverError, throttleError, type Reply } from "./helpers/fake-kinesis.js";
import { recordsOnDisk } from "./helpers/disk-oracle.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

type Mode =
  | { kind: "ok" }
  | { kind: "throttle" }
  | { kind: "partial"; seed: number }
  | { kind: "5xx" }
  | { kind: "hang"; stored: boolean }
  | { kind: "outage" };

/** A port a crash can cut: answers that arrive after it never reach the dead shipper. */
class SeveredPort implements KinesisPort {
  dead = false;
  constructor(private readonly inner: KinesisPort) {}
  putRecords(entries: PutEntry[]): Promise<PutResult> {
    if (this.dead) return new Promise(() => {});
    return this.inner.putRecords(entries).then(
      (r) => (this.dead ? new Promise<PutResult>(() => {}) : r),
      (e: unknown) => (this.dead ? new Promise<PutResult>(() => {}) : Promise.reject(e)),
    );
  }
}

const MEMORY_RECORDS = 12;
const BATCH_RECORDS = 5;

interface Instance {
  shipper: Shipper;
  clock: SeveredClock;
  port: SeveredPort;
}

interface World {
  dir: string;
  clock: ManualClock;
  s: fc.Scheduler;
  fake: FakeKinesis;
  mode: Mode;
  capped: boolean;
  dropPolicy: "drop-newest" | "drop-oldest";
  current: Instance;
  boots: number;
  accepted: number[];
  nextId: number;
  lostInCrash: Set<number>;
  droppedBefore: number;
  violations: string[];
}

function startInstance(w: Pick<World, "dir" | "clock" | "fake" | "capped" | "dropPolicy" | "boots">): Instance {
  const clock = new SeveredClock(w.clock);
  const port = new SeveredPort(w.fake);
  const shipper = new Shipper({
    clock,
    random: new SeededRandom(1_000 + w.boots),
    kinesis: port,
    host: "model",
    spool: {
      dir: w.dir,
      segmentBytes: 600,
      fsync: "never",
      maxBytes: w.capped ? 800 : 1 << 30,
      dropPolicy: w.dropPolicy,
    },
    batch: { maxRecords: BATCH_RECORDS, lingerMs: 50 },
    memory: { maxRecords: MEMORY_RECORDS },
    maxInFlight: 2,
    requestTimeoutMs: 1_000,
    retry: { baseMs: 20, capMs: 200, maxAttempts: 4, deadlineMs: 2_000 },
    breaker: { consecutiveFailures: 3, openMs: 3_000, minCalls: 6, windowMs: 5_000 },
    replay: { ratePerSec: 50, startJitterMs: 1_000 },
    closeGraceMs: 2_000,
  });
  return { shipper, clock, port };
}

function replyFor(mode: Mode, call: number): Reply {
  switch (mode.kind) {
    case "ok":
      return { kind: "ok" };
    case "throttle":
      return { kind: "throw", error: throttleError };
    case "5xx":
      return { kind: "throw", error: serverError };
    case "outage":
      return { kind: "throw", error: refusedError };
    case "hang":
      return { kind: "hang", stored: mode.stored };
    case "partial": {
      // Which indices fail is a pure function of the command's seed and the call number.
      const rng = new SeededRandom((mode.seed + call * 7919) >>> 0);
      return { kind: "partial", fail: () => rng.next() < 0.5 };
    }
  }
}

function idOf(text: string): number {
  return (JSON.parse(text) as { i: number }).i;
}

/** Ids Kinesis stored and ids on disk now. */
function observed(w: World): { stored: Set<number>; disk: Set<number> } {
  return { stored: new Set(w.fake.stored.map((r) => idOf(r.text))), disk: new Set(recordsOnDisk(w.dir).map(idOf)) };
}

function missing(w: World): number[] {
  const { stored, disk } = observed(w);
  return w.accepted.filter((id) => !stored.has(id) && !disk.has(id) && !w.lostInCrash.has(id));
}

function checkInvariants(w: World, after: string): void {
  const m = w.current.shipper.metrics();
  const gone = missing(w);
  const dropped = w.droppedBefore + m.dropped.total;
  const where = `after ${after}: missing ${JSON.stringify(gone.slice(0, 10))}${gone.length > 10 ? "..." : ""}, metrics ${JSON.stringify({ inMemory: m.inMemory, inFlight: m.inFlight, dropped, breaker: m.breaker })}`;
  expect(gone.length, `records unaccounted for ${where}`).toBeLessThanOrEqual(m.inMemory + m.inFlight + dropped);
  expect(m.inMemory + m.inFlight, `memory over budget ${where}`).toBeLessThanOrEqual(MEMORY_RECORDS + BATCH_RECORDS);
  if (!w.capped) expect(dropped, `drops without a cap ${where}`).toBe(0);
  expect(w.violations, where).toEqual([]);
}

/** Drives close() to completion: releases answers and moves time; close must finish within 10 s. */
async function closeWithin10s(w: World): Promise<void> {
  let done = false;
  let failure: unknown;
  w.current.shipper.close().then(
    () => (done = true),
    (e: unknown) => (failure = e),
  );
  const start = w.clock.now();
  for (;;) {
    await settle();
    if (done || failure) break;
    if (w.s.count() > 0) await w.s.waitNext(1);
    else await w.clock.advance(250);
    expect(w.clock.now() - start, "close() took longer than 10 s").toBeLessThanOrEqual(10_000);
  }
  expect(failure).toBeUndefined();
  const m = w.current.shipper.metrics();
  expect(m.inMemory + m.inFlight, "close() left records in memory").toBe(0);
  const gone = missing(w);
  expect(gone.length, `after close, records neither delivered nor on disk: ${JSON.stringify(gone)}`).toBeLessThanOrEqual(w.droppedBefore + m.dropped.total);
}

function restart(w: World): void {
  w.droppedBefore += w.current.shipper.metrics().dropped.total;
  w.boots++;
  w.current = startInstance(w);
}

type Cmd = fc.AsyncCommand<object, World>;

class Write implements Cmd {
  constructor(readonly n: number) {}
  check = () => true;
  async run(_m: object, w: World): Promise<void> {
    for (let k = 0; k < this.n; k++) {
      const id = w.nextId++;
      w.current.shipper.write({ i: id });
      w.accepted.push(id);
    }
    await settle();
    checkInvariants(w, this.toString());
  }
  toString = () => `Write(${this.n})`;
}

class SetMode implements Cmd {
  constructor(readonly mode: Mode) {}
  check = () => true;
  async run(_m: object, w: World): Promise<void> {
    w.mode = this.mode;
    checkInvariants(w, this.toString());
  }
  toString = () => `SetMode(${JSON.stringify(this.mode)})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_m: object, w: World): Promise<void> {
    await w.clock.advance(this.ms);
    checkInvariants(w, this.toString());
  }
  toString = () => `Advance(${this.ms})`;
}

class Release implements Cmd {
  constructor(readonly k: number) {}
  check = () => true;
  async run(_m: object, w: World): Promise<void> {
    const n = Math.min(this.k, w.s.count());
    if (n > 0) await w.s.waitNext(n);
    await settle();
    checkInvariants(w, this.toString());
  }
  toString = () => `Release(${this.k})`;
}

class CrashRestart implements Cmd {
  check = () => true;
  async run(_m: object, w: World): Promise<void> {
    const m = w.current.shipper.metrics();
    const gone = missing(w);
    // A crash can only take what was in memory: everything else is delivered or on disk.
    expect(gone.length, `a crash would lose more than memory held: ${JSON.stringify(gone)}`).toBeLessThanOrEqual(m.inMemory + m.inFlight + w.droppedBefore + m.dropped.total);
    for (const id of gone) w.lostInCrash.add(id);
    w.current.clock.sever();
    w.current.port.dead = true;
    restart(w);
    await settle();
    checkInvariants(w, this.toString());
  }
  toString = () => "CrashRestart";
}

class CloseRestart implements Cmd {
  check = () => true;
  async run(_m: object, w: World): Promise<void> {
    await closeWithin10s(w);
    restart(w);
    await settle();
    checkInvariants(w, this.toString());
  }
  toString = () => "CloseRestart";
}

const modeArb: fc.Arbitrary<Mode> = fc.oneof(
  { arbitrary: fc.constant<Mode>({ kind: "ok" }), weight: 3 },
  { arbitrary: fc.constant<Mode>({ kind: "throttle" }), weight: 1 },
  { arbitrary: fc.nat({ max: 1_000 }).map((seed): Mode => ({ kind: "partial", seed })), weight: 2 },
  { arbitrary: fc.constant<Mode>({ kind: "5xx" }), weight: 1 },
  { arbitrary: fc.boolean().map((stored): Mode => ({ kind: "hang", stored })), weight: 1 },
  { arbitrary: fc.constant<Mode>({ kind: "outage" }), weight: 1 },
);

const commandArbs: fc.Arbitrary<Cmd>[] = [
    // Listed twice: writes are what the other commands act on.
    fc.integer({ min: 1, max: 8 }).map((n) => new Write(n)),
    fc.integer({ min: 1, max: 8 }).map((n) => new Write(n)),
    modeArb.map((m) => new SetMode(m)),
    fc.constantFrom(10, 60, 300, 1_200, 4_000).map((ms) => new Advance(ms)),
    fc.integer({ min: 1, max: 3 }).map((k) => new Release(k)),
    fc.constant(new CrashRestart()),
    fc.constant(new CloseRestart()),
];
const commandArb = fc.commands(commandArbs, { maxCommands: 40, size: "max" });

async function runModel(s: fc.Scheduler, cmds: Iterable<Cmd>, capped: boolean, dropPolicy: World["dropPolicy"]): Promise<void> {
  const dir = dirs.make();
  const clock = new ManualClock();
  const fake = new FakeKinesis();
  const partial: World = {
    dir,
    clock,
    s,
    fake,
    mode: { kind: "ok" },
    capped,
    dropPolicy,
    boots: 0,
    accepted: [],
    nextId: 0,
    lostInCrash: new Set(),
    droppedBefore: 0,
    violations: [],
    current: undefined as unknown as Instance,
  };
  const w = partial;
  fake.respond = (call) => replyFor(w.mode, call);
  fake.deliver = (answer) => s.schedule(answer);
  fake.onCall = () => {
    const state = w.current.shipper.metrics().breaker;
    if (state === "open") w.violations.push(`a PutRecords call started while the breaker was open (call ${fake.calls.length})`);
  };
  w.current = startInstance(w);
  await fc.asyncModelRun(() => ({ model: {}, real: w }), cmds);

  // Faults stop; answers flow; time passes until everything is delivered (or a bound is hit).
  w.mode = { kind: "ok" };
  for (let round = 0; round < 600; round++) {
    while (s.count() > 0) await s.waitNext(1);
    const m = w.current.shipper.metrics();
    if (m.spoolRecords === 0 && m.inMemory === 0 && m.inFlight === 0 && s.count() === 0) break;
    await clock.advance(1_000);
  }
  const settled = w.current.shipper.metrics();
  expect(settled.spoolRecords, "the spool did not drain once faults stopped").toBe(0);
  expect(settled.breaker).toBe("closed");
  await closeWithin10s(w);
  const dropped = w.droppedBefore + w.current.shipper.metrics().dropped.total;
  const stored = observed(w).stored;
  const undelivered = w.accepted.filter((id) => !stored.has(id) && !w.lostInCrash.has(id));
  expect(undelivered.length, `not delivered once faults stopped: ${JSON.stringify(undelivered)}`).toBeLessThanOrEqual(dropped);
  if (!capped) expect(undelivered).toEqual([]);
  if (process.env.MODEL_STATS) console.log(JSON.stringify({ accepted: w.accepted.length, stored: w.fake.stored.length, calls: w.fake.calls.length, boots: w.boots, lost: w.lostInCrash.size, dropped, capped, t: w.clock.now() - Date.UTC(2020, 10, 25, 13, 15, 0) }));
}

describe("delivery (model-based)", () => {
  it("never loses an accepted record, keeps memory bounded, and delivers everything once faults stop", async () => {
    const replay =
      process.env.MODEL_SEED !== undefined ? { seed: Number(process.env.MODEL_SEED), path: process.env.MODEL_PATH ?? "", endOnFailure: true } : {};
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), commandArb, fc.boolean(), fc.constantFrom("drop-newest" as const, "drop-oldest" as const), (s, cmds, capped, policy) =>
        runModel(s, cmds, capped, policy),
      ),
      { numRuns: Number(process.env.MODEL_RUNS ?? 120), ...replay },
    );
  }, 1_800_000);
});
