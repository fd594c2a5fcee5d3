// The log pipeline's per-record and per-line parts, each against what it replaced, in the same run:
//   - the log-delivery probe's consumer filing every record it reads under its producer (821,880
//     records in the 17-hour outage, six shippers interleaved on a shard as random keys spread
//     them). Now: RecordIdReader hands back the producer's bit set found by the id's bytes
//     (Seen.addTo). Before: readRecordId, then Seen.add under producerKey(h, b).
//   - a shipper's EMF line (one every 5 s per shipper in the sandbox). Now: EmfLines, its fixed
//     parts built once. Before: emfLine as it was (test/pipeline/reference/emf-line.ts).
// Both must give the same results (checked, untimed). CPU time, median of RUNS.
// Run: npx tsx bench/pipeline-parts.ts   (RUNS=n, default 5; RECORDS=n, default 300,000)
import { Seen, producerKey } from "../src/aws/shipper-consumer.js";
import { RecordIdReader, Stamper, readRecordId } from "../src/pipeline/envelope.js";
import { EmfLines } from "../src/pipeline/emf.js";
import type { ShipperMetrics } from "../src/pipeline/metrics.js";
import { referenceEmfLine } from "../test/pipeline/reference/emf-line.js";
import { SeededRandom } from "../src/random/random.js";

const runs = Number(process.env.RUNS ?? 5);
const n = Number(process.env.RECORDS ?? 300_000);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const random = new SeededRandom(11);
const stampers = Array.from({ length: 6 }, (_, i) => new Stamper(`ip-10-0-${i}-${20 + i}.ec2.internal`, random.uuid().replace(/-/g, "").slice(0, 12)));
const seqs = new Array<number>(stampers.length).fill(0);
const pad = "x".repeat(126);
const records = Array.from({ length: n }, (_, i) => {
  const k = random.int(0, stampers.length - 1);
  return Buffer.from(stampers[k]!.stamp(`{"level":30,"time":${1606310100000 + i},"service":"web","msg":"GET /orders 200","pad":"${pad}"}`, seqs[k]!++));
});

function now(): Seen {
  const seen = new Seen();
  const ids = new RecordIdReader((h, b) => seen.of(producerKey(h, b)));
  for (const data of records) if (ids.read(data)) seen.addTo(ids.producer!, ids.seq);
  return seen;
}

function before(): Seen {
  const seen = new Seen();
  for (const data of records) {
    const id = readRecordId(data);
    if (id) seen.add(producerKey(id.h, id.b), id.s);
  }
  return seen;
}

/** Times `now` and `before` in turn, `runs` times each; prints the CPU ratio and whether both gave the same. */
function compare(label: string, unit: string, count: number, nowRun: () => string, beforeRun: () => string): void {
  const a: number[] = [];
  const b: number[] = [];
  let same = true;
  for (let r = 0; r < runs; r++) {
    let t = cpuMs();
    const ra = nowRun();
    a.push(cpuMs() - t);
    t = cpuMs();
    const rb = beforeRun();
    b.push(cpuMs() - t);
    same &&= ra === rb;
  }
  const [ma, mb] = [median(a), median(b)];
  console.log(`${label}: now ${((ma * 1e6) / count).toFixed(0)} ns/${unit}, before ${((mb * 1e6) / count).toFixed(0)} ns/${unit}, ratio ${(ma / mb).toFixed(2)} (CPU, median of ${runs})${same ? "" : "  RESULTS DIFFER"}`);
}

const digest = (seen: Seen) => [seen.distinct, seen.duplicates, ...stampers.map((s) => seen.countBelow(producerKey(s.host, s.boot), n))].join(",");
compare(`consumer filing ${n.toLocaleString("en-US")} records`, "record", n, () => digest(now()), () => digest(before()));

const LINES = 100_000;
const readings: ShipperMetrics[] = Array.from({ length: LINES }, (_, i) => {
  const total = i * 50;
  return {
    accepted: total + 10, delivered: total, deliveredSecondary: 0, resent: i, throttled: i >> 2, spooled: total >> 1, replayed: total >> 2,
    dropped: { "spool-full": 0, "spool-evicted": 0, "io-error": 0, total: 0 }, deadLettered: 0, duplicatesPossible: 0, spoolBytes: total * 330,
    spoolRecords: total >> 3, oldestSpooledAgeMs: i * 5_000, breaker: i % 3 === 0 ? "open" : "closed", inMemory: 10, inFlight: 20,
    replayInFlight: 5, backpressure: false, partitionKeyFallbacks: 0, spoolCorruptBytes: 0,
  };
});
const o = { namespace: "Gameday/LogShipper", stream: "app-logs", intervalMs: 5_000 };
const host = "ip-10-0-1-23.ec2.internal";
const boot = "3f9c0a1b2c4d";
const lengths = (line: (i: number) => string) => {
  let sum = 0;
  let hash = 0;
  for (let i = 0; i < LINES; i++) {
    const text = line(i);
    sum += text.length;
    hash = (hash * 31 + text.charCodeAt(text.length >> 1)) | 0;
  }
  return `${sum}/${hash}`;
};
compare(
  `EMF lines, ${LINES.toLocaleString("en-US")}`,
  "line",
  LINES,
  () => {
    const emf = new EmfLines(o, host, boot);
    return lengths((i) => emf.line(1_606_300_000_000 + i * 5_000, readings[i]!, readings[i - 1], i % 6 === 0));
  },
  () => lengths((i) => referenceEmfLine(o, host, 1_606_300_000_000 + i * 5_000, readings[i]!, readings[i - 1], i % 6 === 0 ? boot : undefined)),
);
