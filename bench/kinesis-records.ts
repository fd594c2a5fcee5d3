// The sandbox Kinesis's record storage over the 17-hour outage's volume: 820,000 log records of
// about 330 bytes (a 256-byte line in gameday's envelope, base64) on two shards, appended, then
// read back in GetRecords-sized batches twice (the probe's readings), as `chaos run kinesis-outage`
// does. The compact RecordStore against the implementation it replaced (measured in the same run):
// one object per record with its partition key and base64 data as strings, in an array.
// Run: node --expose-gc --import tsx bench/kinesis-records.ts   (RECORDS=n, default 820000)
// (`npx tsx --expose-gc` does not hand the flag to the process that runs the bench.)
import { RecordStore, type StoredRecord } from "../src/sandbox/services/kinesis/record-store.js";

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc --import tsx: memory is measured after a collection");
const gc = globalThis.gc;
const total = Number(process.env.RECORDS ?? 820_000);
const SHARDS = 2;
const BATCH = 10_000;

/** The replaced storage: an array with a moving head, objects with strings (src/sandbox/services/kinesis/shard.ts before). */
class ObjectArray {
  private records: StoredRecord[] = [];
  private head = 0;
  get size(): number {
    return this.records.length - this.head;
  }
  append(r: StoredRecord): void {
    this.records.push(r);
  }
  positionOfCounter(counter: number): number {
    let lo = this.head;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.counter < counter) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }
  at(p: number): StoredRecord {
    return this.records[p + this.head]!;
  }
}

interface Store {
  size: number;
  append(r: StoredRecord): void;
  positionOfCounter(c: number): number;
  at(p: number): StoredRecord;
}

function record(n: number): StoredRecord {
  const line = `{"level":30,"time":${1_700_000_000_000 + n * 70},"service":"web","task":"1b643e32c2f4","n":${n >> 3},"msg":"GET /orders 200","pad":"${"x".repeat(126)}","_gd":{"h":"i-0${(n & 7).toString(16).padStart(16, "0")}","b":"3f2a9c1d","s":${n >> 3}}}`;
  const data = Buffer.from(line).toString("base64");
  const partitionKey = ((n * 2_654_435_761) >>> 0).toString(16).padStart(32, "0");
  return { counter: n, arrival: 1_700_000_000_000 + n * 70, partitionKey, data, size: line.length + partitionKey.length };
}

function run(make: () => Store): { ms: number; heapMb: number; checksum: number } {
  gc();
  const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  const shards = Array.from({ length: SHARDS }, make);
  for (let n = 0; n < total; n++) shards[n % SHARDS]!.append(record(n));
  gc();
  const heapMb = (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heap0) / 2 ** 20;
  let checksum = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (const s of shards) {
      for (let from = 0; ; ) {
        let p = s.positionOfCounter(from);
        if (p >= s.size) break;
        for (let k = 0; k < BATCH && p < s.size; k++, p++) {
          const r = s.at(p);
          checksum += r.data.length + r.partitionKey.length;
          from = r.counter + 1;
        }
      }
    }
  }
  return { ms: performance.now() - t0, heapMb, checksum };
}

const old = run(() => new ObjectArray());
const compact = run(() => new RecordStore());
if (old.checksum !== compact.checksum) throw new Error("the two stores read back different records");
console.log(`${total} records on ${SHARDS} shards, appended then read back twice`);
console.log(`objects in an array (before): ${old.ms.toFixed(0)} ms, ${old.heapMb.toFixed(0)} MiB held`);
console.log(`compact RecordStore:          ${compact.ms.toFixed(0)} ms, ${compact.heapMb.toFixed(0)} MiB held`);
console.log(`ratio compact / before: time ${(compact.ms / old.ms).toFixed(2)}x, memory ${(compact.heapMb / old.heapMb).toFixed(3)}x`);
