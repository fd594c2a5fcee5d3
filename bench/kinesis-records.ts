// The sandbox Kinesis's record storage over the 17-hour outage's volume: 820,000 log records of
// about 330 bytes (a 256-byte line in gameday's envelope, base64) on two shards, appended, then
// read back in GetRecords-sized batches twice (the probe's readings), as `chaos run kinesis-outage`
// does. The compact RecordStore against the implementation it replaced (measured in the same run):
// one object per record with its partition key and base64 data as strings, in an array.
// Then the write path PutRecords takes per record (hash key, route, store) against the one before
// it (BigInt hash keys, two objects per record, the record store of git revision BASE), as CPU time.
// Run: node --expose-gc --import tsx bench/kinesis-records.ts   (RECORDS=n, default 820000; BASE=rev, default 68a861a)
// (`npx tsx --expose-gc` does not hand the flag to the process that runs the bench.)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hashKeyHexOf, hashKeyOf } from "../src/sandbox/services/kinesis/hash-keys.js";
import { RecordStore, type StoredRecord } from "../src/sandbox/services/kinesis/record-store.js";
import { Stream } from "../src/sandbox/services/kinesis/stream.js";

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

// --- The write path per record: what putRecords does for each entry after checking it.
const BASE = process.env.BASE ?? "68a861a";
const root = fileURLToPath(new URL("..", import.meta.url));
const scratchDir = mkdtempSync(join(tmpdir(), "kinesis-records-"));
let BaseStore: typeof RecordStore;
try {
  const source = execFileSync("git", ["show", `${BASE}:src/sandbox/services/kinesis/record-store.ts`], { cwd: root, encoding: "utf8" });
  writeFileSync(join(scratchDir, "record-store.ts"), source);
  BaseStore = ((await import(join(scratchDir, "record-store.ts"))) as { RecordStore: typeof RecordStore }).RecordStore;
} finally {
  rmSync(scratchDir, { recursive: true, force: true });
}
const stream = () => new Stream({ name: "logs", arn: "arn", mode: "PROVISIONED", shardCount: SHARDS, createdAt: 0, retentionHours: 24, maxRecordSizeKiB: 1024, tags: {}, status: "ACTIVE" });
const inputs = Array.from({ length: Math.min(total, 200_000) }, (_, n) => record(n));
const writes = Number(process.env.WRITES ?? total);

/** CPU ms of writing `writes` records the way `write` does, stores included. */
function writePath(write: (s: Stream, stores: Map<unknown, { append(r: StoredRecord): void }>, r: StoredRecord, counter: number) => void, Store: typeof RecordStore): number {
  const s = stream();
  const stores = new Map(s.openShards.map((sh) => [sh, new Store()] as const));
  gc();
  const t0 = process.cpuUsage();
  for (let n = 0; n < writes; n++) write(s, stores, inputs[n % inputs.length]!, n);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}
// Before: the digest as a BigInt, an object for the store call, then a spread copy with the counter.
const before = (s: Stream, stores: Map<unknown, { append(r: StoredRecord): void }>, r: StoredRecord, counter: number) => {
  const shard = s.route(hashKeyOf(r.partitionKey));
  const record = { arrival: r.arrival, partitionKey: r.partitionKey, data: r.data, size: r.size };
  stores.get(shard)!.append({ ...record, counter });
};
// Now: the digest's hex against the hex range starts, one object per record.
const now = (s: Stream, stores: Map<unknown, { append(r: StoredRecord): void }>, r: StoredRecord, counter: number) => {
  const shard = s.routeHex(hashKeyHexOf(r.partitionKey));
  stores.get(shard)!.append({ counter, arrival: r.arrival, partitionKey: r.partitionKey, data: r.data, size: r.size });
};
const beforeMs: number[] = [];
const nowMs: number[] = [];
for (let round = 0; round < 3; round++) {
  beforeMs.push(writePath(before, BaseStore));
  nowMs.push(writePath(now, RecordStore));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
console.log(`\nwrite path, ${writes} records on ${SHARDS} shards (hash key, route, store), CPU median of 3 rounds each, in turn:`);
console.log(`before (BigInt keys, two objects, record store at ${BASE}): ${median(beforeMs).toFixed(0)} ms`);
console.log(`now (hex keys, one object, current record store):         ${median(nowMs).toFixed(0)} ms`);
console.log(`ratio now / before: CPU ${(median(nowMs) / median(beforeMs)).toFixed(2)}x`);
