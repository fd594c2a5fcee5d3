// The parts of the sandbox's workload and log path that run per request or per record, each timed
// against the implementation it replaced (kept under test/ as the oracle of its differential test),
// run for run in turn in this process: CPU time, the ratio, and whether both gave the same answers.
//   - readRecordId: the log-delivery probe's consumer reads every record's id (821,880 in the
//     17-hour outage).
//   - randomPartitionKey: a key per record the shippers send.
//   - LoadMetrics: the load generator's per-second metrics, a request at a time (about 7 million
//     requests in the outage), then each second put.
//   - AlbMetrics: the ALB's per-minute metrics over three zones.
// Run: npx tsx bench/workload-parts.ts   (RUNS=n, default 5)
import { createHash } from "node:crypto";
import { LoadMetrics } from "../src/load/metrics.js";
import type { MetricDatum } from "../src/metrics/datum.js";
import { Stamper, readRecordId } from "../src/pipeline/envelope.js";
import { randomPartitionKey } from "../src/pipeline/partition-key.js";
import { SeededRandom } from "../src/random/random.js";
import { AlbMetrics, albIdentity } from "../src/sandbox/metrics/alb.js";
import { ReferenceLoadMetrics } from "../test/load/reference/load-metrics.js";
import { referenceReadRecordId } from "../test/pipeline/reference/read-record-id.js";
import { ReferenceAlbMetrics } from "../test/sandbox/metrics/reference/alb.js";

const runs = Number(process.env.RUNS ?? 5);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Times `now` and `before` in turn, `runs` times each; each returns what it computed, compared untimed. */
function compare(label: string, unit: string, n: number, now: () => unknown[], before: () => unknown[]): void {
  const a: number[] = [];
  const b: number[] = [];
  let same = true;
  for (let r = 0; r < runs; r++) {
    let t = cpuMs();
    const ra = now();
    a.push(cpuMs() - t);
    t = cpuMs();
    const rb = before();
    b.push(cpuMs() - t);
    same &&= digest(ra) === digest(rb);
  }
  const ma = median(a);
  const mb = median(b);
  console.log(label);
  console.log(`  now      ${ma.toFixed(0).padStart(6)} ms CPU (median of ${runs}), ${((ma * 1e6) / n).toFixed(0).padStart(5)} ns ${unit}`);
  console.log(`  before   ${mb.toFixed(0).padStart(6)} ms CPU (median of ${runs}), ${((mb * 1e6) / n).toFixed(0).padStart(5)} ns ${unit}`);
  console.log(`  now / before: ${(ma / mb).toFixed(2)}; the same results: ${same ? "yes" : "NO"}`);
}

const digest = (parts: Iterable<unknown>) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(JSON.stringify(p) ?? "u");
  return h.digest("hex").slice(0, 16);
};

// Records as the sandbox's shippers stamp them (lines of about 256 bytes), six shippers
// interleaved at random as their random partition keys interleave them on a shard, as the SDK
// hands them over (Uint8Array).
const picks = new SeededRandom(3);
const stampers = Array.from({ length: 6 }, (_, i) => new Stamper(`ip-10-0-${i % 3}-${20 + i}.ec2.internal`, `3f9c0a1b2c${i}d`));
const pad = "x".repeat(126);
const records = Array.from({ length: 200_000 }, (_, i) => new Uint8Array(Buffer.from(stampers[picks.int(0, 5)]!.stamp(`{"level":30,"time":1700000000000,"service":"web","task":"0123456789ab","n":${i},"msg":"GET /orders 200","pad":"${pad}"}`, i))));
const ids = (read: typeof readRecordId) => () => records.map((r) => read(r));
compare("readRecordId, 200,000 records", "a record", records.length, ids(readRecordId), ids(referenceReadRecordId));

const KEYS = 500_000;
compare(
  "randomPartitionKey, 500,000 keys",
  "a key",
  KEYS,
  () => {
    const random = new SeededRandom(7);
    return Array.from({ length: KEYS }, () => randomPartitionKey(random));
  },
  () => {
    const random = new SeededRandom(7);
    return Array.from({ length: KEYS }, () => random.int(0, 0xffffffff).toString(16).padStart(8, "0"));
  },
);

// Three virtual hours at 100 requests a second: latencies lognormal-ish around 25 ms, a few 5xx.
const REQUESTS = 1_080_000;
const draws = new SeededRandom(11);
const times = Float64Array.from({ length: REQUESTS }, (_, i) => 1_700_000_000_000 + i * 10 + draws.next() * 5);
const latencies = Float64Array.from({ length: REQUESTS }, () => Math.exp(Math.log(25) + 0.8 * (draws.next() + draws.next() + draws.next() - 1.5)));
const statuses = Uint16Array.from({ length: REQUESTS }, () => (draws.next() < 0.002 ? 502 : 200));
const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
/** Keeps the datums put, to compare once the timing is over. */
const sink = () => {
  const datums: MetricDatum[] = [];
  return { put: (d: MetricDatum) => void datums.push(d), datums };
};
compare(
  "LoadMetrics, three virtual hours at 100 requests/s, each second put",
  "a request",
  REQUESTS,
  () => {
    const s = sink();
    const m = new LoadMetrics(s, { dimensions: { Service: "web" }, periodMs: 1000 });
    for (let i = 0; i < REQUESTS; i++) {
      m.recordStatus(times[i]!, statuses[i]!, latencies[i]!);
      if (i % 6000 === 0) m.flush(times[i]!);
    }
    m.flush();
    return s.datums;
  },
  () => {
    const s = sink();
    const m = new ReferenceLoadMetrics(s, { dimensions: { Service: "web" }, periodMs: 1000 });
    for (let i = 0; i < REQUESTS; i++) {
      m.record(times[i]!, { status: statuses[i]!, latencyMs: latencies[i]! });
      if (i % 6000 === 0) m.flush(times[i]!);
    }
    m.flush();
    return s.datums;
  },
);

const id = albIdentity("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef");
const alb = (make: (s: ReturnType<typeof sink>) => AlbMetrics | ReferenceAlbMetrics) => () => {
  const s = sink();
  const m = make(s);
  for (let i = 0; i < REQUESTS; i++) {
    m.targetResponse(times[i]!, zones[i % 3]!, statuses[i]!, latencies[i]!);
    if (i % 6000 === 0) m.flush(times[i]!);
  }
  m.flush(Infinity);
  return s.datums;
};
compare("AlbMetrics, three virtual hours at 100 requests/s over 3 zones, each minute put", "a request", REQUESTS, alb((s) => new AlbMetrics(s, id)), alb((s) => new ReferenceAlbMetrics(s, id)));
