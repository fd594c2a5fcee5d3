// The log-delivery probe's consumer filing every record it reads under its producer (821,880
// records in the 17-hour outage, six shippers interleaved on a shard as random keys spread them).
// Now: RecordIdReader hands back the producer's bit set found by the id's bytes (Seen.addTo).
// Before (the same run): readRecordId, then Seen.add under producerKey(h, b), as the consumer did.
// Run: npx tsx bench/pipeline-consumer.ts   (RUNS=n, default 5; RECORDS=n, default 300,000)
import { Seen, producerKey } from "../src/aws/shipper-consumer.js";
import { RecordIdReader, Stamper, readRecordId } from "../src/pipeline/envelope.js";
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

const digest = (seen: Seen) => [seen.distinct, seen.duplicates, ...stampers.map((s) => seen.countBelow(producerKey(s.host, s.boot), n))].join(",");
const a: number[] = [];
const b: number[] = [];
let same = true;
for (let r = 0; r < runs; r++) {
  let t = cpuMs();
  const sa = now();
  a.push(cpuMs() - t);
  t = cpuMs();
  const sb = before();
  b.push(cpuMs() - t);
  same &&= digest(sa) === digest(sb);
}
const [ma, mb] = [median(a), median(b)];
console.log(`consumer filing ${n.toLocaleString("en-US")} records: now ${((ma * 1e6) / n).toFixed(0)} ns/record, before ${((mb * 1e6) / n).toFixed(0)} ns/record, ratio ${(ma / mb).toFixed(2)} (CPU, median of ${runs})${same ? "" : "  RESULTS DIFFER"}`);
