/**
 * Log shipper benchmark. Run: npx tsx --expose-gc bench/pipeline.ts [--records N] [--outage-s S]
 *
 * 1. Throughput: records/s through Shipper.write() to an in-process fake Kinesis port that answers
 *    each PutRecords after 1 ms on the real clock, against pino writing the same log objects to
 *    /dev/null, measured in this run. Printed as a ratio (aim: >= 0.5).
 * 2. Memory: a 10-minute virtual outage at 5,000 records/s (virtual clock, Kinesis refusing every
 *    call): peak RSS and heap above the baseline measured just before the outage (aim: < 64 MiB),
 *    the spool's size on disk, then recovery and a full drain with a count check (no loss).
 * 3. Durability: the cost of durability "wal" (every line on the spool before the transport takes
 *    more from pino, sent from there) against the default "memory" mode, both fed as the pino
 *    transport feeds them (writeLines, 1,000 lines a chunk) and timed until Kinesis has every
 *    record, with the wal's spool synced at intervals and on every chunk. Printed as ratios.
 *    `--durability-only` runs just this part.
 * 4. The sandbox's outage, per record: shippers fed as the sandbox's log producers feed them (a burst
 *    of lines every 5 s of virtual time, EMF metrics every 5 s) through an outage (Kinesis refusing
 *    every call: the breaker opens, everything is spooled) and the replay after it, on a virtual
 *    clock. CPU time of the spooling and of the replay, per 100,000 records, with each burst handed
 *    over in one writeLines() call against the baseline of one write() per line, in this run.
 *    `--outage-shape-only` runs just this part; `--outage-records N` sets its size.
 * Nothing here is asserted; the figures are printed for the project's notes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import pino from "pino";
import { Shipper } from "../src/pipeline/shipper.js";
import type { KinesisPort, PutEntry, PutResult } from "../src/pipeline/kinesis-port.js";
import { RealClock, VirtualClock } from "../src/time/clock.js";
import { SeededRandom } from "../src/random/random.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RECORDS = arg("records", 1_000_000);
const OUTAGE_S = arg("outage-s", 600);
const RATE = 5_000;
const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
const mem = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
};
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 });
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

/** A log object like a web service writes: same shape for pino and the shipper. */
function logObject(i: number) {
  return { level: 30, time: 1606310100000 + i, pid: 4242, hostname: "web-1", route: "/api/orders", status: 200, ms: i % 97, msg: "request served" };
}

function ok(entries: PutEntry[]): PutResult {
  return { failedRecordCount: 0, records: entries.map(() => ({ sequenceNumber: "1", shardId: "shardId-000000000000" })) };
}

async function pinoBaseline(n: number): Promise<number> {
  const dest = pino.destination({ dest: "/dev/null", sync: true });
  const logger = pino({ base: { pid: 4242, hostname: "web-1" }, timestamp: false }, dest);
  const started = performance.now();
  for (let i = 0; i < n; i++) logger.info({ route: "/api/orders", status: 200, ms: i % 97 }, "request served");
  dest.flushSync();
  return n / ((performance.now() - started) / 1_000);
}

async function shipperThroughput(n: number): Promise<{ rate: number; delivered: number; calls: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), "gameday-bench-"));
  let delivered = 0;
  let calls = 0;
  const port: KinesisPort = {
    async putRecords(entries) {
      calls++;
      await new Promise((r) => setTimeout(r, 1));
      delivered += entries.length;
      return ok(entries);
    },
  };
  const shipper = new Shipper({ clock: new RealClock(), random: new SeededRandom(1), kinesis: port, host: "web-1", spool: { dir, fsync: "never" } });
  // The lines pino would hand the transport, prepared up front (pino's own cost is the baseline).
  const lines = Array.from({ length: 1_000 }, (_, i) => JSON.stringify(logObject(i)));
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    if (!shipper.write(lines[i % lines.length]!)) await shipper.drain();
  }
  await shipper.flush();
  const seconds = (performance.now() - started) / 1_000;
  const m = shipper.metrics();
  await shipper.close();
  rmSync(dir, { recursive: true, force: true });
  if (m.spooled > 0) console.log(`  (note: ${m.spooled} records spilled to the spool during the run)`);
  return { rate: n / seconds, delivered, calls };
}

/** Records/s from writeLines() in pino-sized chunks until Kinesis (a fake, 1 ms a call) holds every one. */
async function chunkedThroughput(n: number, durability: "memory" | "wal", fsync: "interval" | "always"): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "gameday-bench-wal-"));
  let delivered = 0;
  const port: KinesisPort = {
    async putRecords(entries) {
      await new Promise((r) => setTimeout(r, 1));
      delivered += entries.length;
      return ok(entries);
    },
  };
  const shipper = new Shipper({ clock: new RealClock(), random: new SeededRandom(1), kinesis: port, host: "web-1", durability, spool: { dir, fsync } });
  const lines = Array.from({ length: 1_000 }, (_, i) => JSON.stringify(logObject(i)));
  const started = performance.now();
  for (let i = 0; i < n; i += lines.length) {
    if (!shipper.writeLines(lines)) await shipper.drain();
    // The worker reads pino's buffer between turns of its event loop.
    await new Promise((r) => setImmediate(r));
  }
  while (delivered < n) await new Promise((r) => setTimeout(r, 1));
  const seconds = (performance.now() - started) / 1_000;
  await shipper.close();
  rmSync(dir, { recursive: true, force: true });
  return n / seconds;
}

async function durabilityCost(n: number): Promise<void> {
  await chunkedThroughput(50_000, "memory", "interval");
  await chunkedThroughput(50_000, "wal", "interval");
  const memory = await chunkedThroughput(n, "memory", "interval");
  const walInterval = await chunkedThroughput(n, "wal", "interval");
  const walAlways = await chunkedThroughput(n, "wal", "always");
  console.log(`\nDurability: ${fmt(n)} records fed 1,000 a chunk, until all delivered (fake Kinesis, 1 ms a call; spool in ${tmpdir()})`);
  console.log(`  memory (default, baseline)                 ${fmt(memory)} records/s`);
  console.log(`  wal, fsync interval (1 s)                  ${fmt(walInterval)} records/s   ratio ${(walInterval / memory).toFixed(2)}`);
  console.log(`  wal, fsync always (one sync per chunk)     ${fmt(walAlways)} records/s   ratio ${(walAlways / memory).toFixed(2)}`);
}

async function outage(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "gameday-bench-spool-"));
  const clock = new VirtualClock();
  let down = false;
  // Counts each record once by its sequence number, without keeping the records.
  const seen = new Uint8Array(RATE * (OUTAGE_S + 200) + 100_000);
  let unique = 0;
  let stored = 0;
  const port: KinesisPort = {
    async putRecords(entries) {
      if (down) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      for (const e of entries) {
        const text = Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength).toString("latin1");
        const s = Number(text.slice(text.lastIndexOf('"s":') + 4, -2));
        stored++;
        if (!seen[s]) {
          seen[s] = 1;
          unique++;
        }
      }
      return ok(entries);
    },
  };
  const shipper = new Shipper({
    clock,
    random: new SeededRandom(11),
    kinesis: port,
    host: "web-1",
    spool: { dir, maxBytes: 8 * 1024 * MiB, fsync: "interval" },
    replay: { ratePerSec: 25_000, startJitterMs: 10_000 },
  });
  let written = 0;
  const writeFor = async (seconds: number, onSecond?: () => void) => {
    // 50 records every 10 ms of virtual time = 5,000 records/s.
    for (let tick = 0; tick < seconds * 100; tick++) {
      for (let k = 0; k < RATE / 100; k++) shipper.write(logObject(written++));
      await clock.sleep(10);
      if (tick % 100 === 0) onSecond?.();
    }
  };

  await writeFor(10); // healthy warm-up
  gc?.();
  const base = mem();
  let peak = { ...base };
  const sample = () => {
    const m = mem();
    peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heap) };
  };
  const wallStart = performance.now();
  down = true;
  await writeFor(OUTAGE_S, sample);
  const atEnd = shipper.metrics();
  down = false;
  const recoveredAt = clock.now();
  await writeFor(60, sample); // live traffic continues while the backlog drains
  while (shipper.metrics().spoolRecords > 0 || shipper.metrics().inMemory > 0) {
    await clock.sleep(1_000);
    sample();
  }
  const drainedAfter = (clock.now() - recoveredAt) / 1_000;
  await shipper.close();
  const m = shipper.metrics();
  const wall = (performance.now() - wallStart) / 1_000;
  rmSync(dir, { recursive: true, force: true });

  console.log(`\nOutage: ${OUTAGE_S} s virtual at ${fmt(RATE)} records/s (${fmt(RATE * OUTAGE_S)} records), Kinesis refusing every call`);
  console.log(`  baseline before the outage   rss ${mib(base.rss)}, heap ${mib(base.heap)}${gc ? "" : " (run with --expose-gc for a steadier baseline)"}`);
  console.log(`  peak above baseline          rss +${mib(peak.rss - base.rss)}, heap +${mib(peak.heap - base.heap)}   (aim: < 64 MiB)`);
  console.log(`  spool at the end of outage   ${mib(atEnd.spoolBytes)} on disk, ${fmt(atEnd.spoolRecords)} records, oldest ${fmt(atEnd.oldestSpooledAgeMs / 1_000)} s old, breaker ${atEnd.breaker}`);
  console.log(`  drained                      ${fmt(drainedAfter)} s (virtual) after recovery, replay limit 25,000 records/s`);
  console.log(`  count check                  written ${fmt(written)}, delivered unique ${fmt(unique)}, stored with duplicates ${fmt(stored)}, dropped ${m.dropped.total}, dead-lettered ${m.deadLettered}: ${unique === written ? "no loss" : `LOSS of ${written - unique}`}`);
  console.log(`  wall time for the scenario   ${wall.toFixed(1)} s`);
}

/** CPU ms of the user and system time `fn` takes (the process is otherwise idle: a virtual clock). */
async function cpuOf(fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1_000;
}

/**
 * One shipper through an outage and its replay as the sandbox drives it: 10 lines of ~256 bytes
 * every 5 s (2 a second), a burst handed over per writeLines() call or line by line with write().
 */
async function outageShape(records: number, burst: "writeLines" | "write"): Promise<{ spoolMs: number; replayMs: number; delivered: number; spooled: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), "gameday-bench-shape-"));
  const clock = new VirtualClock();
  let down = true;
  let delivered = 0;
  const port: KinesisPort = {
    async putRecords(entries) {
      if (down) throw Object.assign(new Error("Service Unavailable"), { name: "ServiceUnavailableException", $metadata: { httpStatusCode: 503 } });
      delivered += entries.length;
      return ok(entries);
    },
  };
  const shipper = new Shipper({
    clock,
    random: new SeededRandom(5),
    kinesis: port,
    host: "i-0123456789abcdef0",
    spool: { dir, maxBytes: 512 * MiB, fsync: "never" },
    metrics: { stream: "app-logs", write: () => {}, intervalMs: 5_000 },
  });
  const pad = "x".repeat(256 - 130);
  const messages = ["GET /orders 200", "POST /orders 201", "GET /health 200", "GET /orders/:id 200", "cache refreshed"];
  let n = 0;
  const lines = (): string[] =>
    Array.from({ length: 10 }, () => {
      const i = n++;
      return `{"level":30,"time":${clock.now()},"service":"web","task":"0123456789ab","n":${i},"msg":"${messages[i % messages.length]}","pad":"${pad}"}`;
    });
  const spoolMs = await cpuOf(async () => {
    while (n < records) {
      const next = lines();
      if (burst === "writeLines") shipper.writeLines(next);
      else for (const line of next) shipper.write(line);
      await clock.sleep(5_000);
    }
  });
  const spooled = shipper.metrics().spooled;
  down = false;
  const replayMs = await cpuOf(async () => {
    while (shipper.metrics().spoolRecords > 0) await clock.sleep(5_000);
  });
  await shipper.close();
  clock.stop();
  rmSync(dir, { recursive: true, force: true });
  return { spoolMs, replayMs, delivered, spooled };
}

async function outageShapeCost(records: number): Promise<void> {
  // Warm both up so that the JIT does not favour whichever runs second.
  await outageShape(20_000, "write");
  await outageShape(20_000, "writeLines");
  const perLine = await outageShape(records, "write");
  const bursts = await outageShape(records, "writeLines");
  const per100k = (ms: number, n: number) => `${fmt((ms * 100_000) / n)} ms CPU per 100,000 records`;
  console.log(`\nThe sandbox's outage, per record: ${fmt(records)} records, 10 lines a burst every 5 s (virtual), Kinesis down then back`);
  console.log(`  spooling, write() per line (baseline)     ${per100k(perLine.spoolMs, perLine.spooled)}`);
  console.log(`  spooling, writeLines() per burst          ${per100k(bursts.spoolMs, bursts.spooled)}   ratio ${(bursts.spoolMs / bursts.spooled / (perLine.spoolMs / perLine.spooled)).toFixed(2)}`);
  console.log(`  replay of the spool (same in both)        ${per100k(bursts.replayMs, bursts.delivered)} (baseline run: ${per100k(perLine.replayMs, perLine.delivered)})`);
  console.log(`  count check                               delivered ${fmt(bursts.delivered)} and ${fmt(perLine.delivered)} of ${fmt(records)}`);
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}; ${fmt(RECORDS)} records for throughput`);
  if (process.argv.includes("--durability-only")) return durabilityCost(RECORDS);
  if (process.argv.includes("--outage-shape-only")) return outageShapeCost(arg("outage-records", 200_000));
  // Warm both paths up once so that the JIT does not favour whichever runs second.
  await pinoBaseline(50_000);
  await shipperThroughput(50_000);
  const pinoRate = await pinoBaseline(RECORDS);
  const ship = await shipperThroughput(RECORDS);
  console.log(`\nThroughput`);
  console.log(`  pino -> /dev/null (baseline)               ${fmt(pinoRate)} records/s`);
  console.log(`  Shipper -> fake Kinesis, 1 ms per call     ${fmt(ship.rate)} records/s (${fmt(ship.calls)} PutRecords, ${fmt(ship.delivered)} delivered)`);
  console.log(`  ratio Shipper / pino                       ${(ship.rate / pinoRate).toFixed(2)}   (aim: >= 0.50)`);
  await durabilityCost(RECORDS);
  await outage();
  await outageShapeCost(arg("outage-records", 200_000));
}

await main();
