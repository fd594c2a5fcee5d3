// The sandbox Kinesis's record storage over the 17-hour outage's volume: 820,000 log records (a
// line of about 320 bytes in gameday's envelope) on two shards, appended, then read back in
// GetRecords-sized batches, as `chaos run kinesis-outage` does. The record store that keeps data
// as bytes against the one before it, which kept the base64 text the wire carries
// (test/sandbox/kinesis/reference/record-store-base64.ts), each with what the object lane did
// around it per record: before, the lane encoded the producer's bytes to base64, the sandbox
// decoded them to check and count them, and the lane decoded the stored text back to bytes on the
// way out (checking it re-encodes); now the bytes are copied in and copied out. CPU time (median
// of 3 rounds, sides interleaved) and memory held after the appends.
// Run: node --expose-gc --import tsx bench/kinesis-records.ts   (RECORDS=n, default 820000)
// (`npx tsx --expose-gc` does not hand the flag to the process that runs the bench.)
import { RecordStore } from "../src/sandbox/services/kinesis/record-store.js";
import { decodeBase64 } from "../src/sandbox/services/kinesis/input.js";
import { RecordStore as Base64RecordStore } from "../test/sandbox/kinesis/reference/record-store-base64.js";

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc --import tsx: memory is measured after a collection");
const gc = globalThis.gc;
const total = Number(process.env.RECORDS ?? 820_000);
const SHARDS = 2;
/** Records per GetRecords: the outage's probe reads about a thousand a call. */
const BATCH = 1_000;

/** A log line as the outage's shippers send it, and its partition key. */
function line(n: number): { partitionKey: string; data: Uint8Array } {
  const text = `{"level":30,"time":${1_700_000_000_000 + n * 70},"service":"web","task":"1b643e32c2f4","n":${n >> 3},"msg":"GET /orders 200","pad":"${"x".repeat(126)}","_gd":{"h":"i-0${(n & 7).toString(16).padStart(16, "0")}","b":"3f2a9c1d","s":${n >> 3}}}`;
  return { partitionKey: ((n * 2_654_435_761) >>> 0).toString(16).padStart(8, "0"), data: Buffer.from(text) };
}
const lines = Array.from({ length: 50_000 }, (_, n) => line(n));

interface Side {
  name: string;
  /** Appends record n (copying or encoding the producer's bytes as that side did). */
  append(stores: unknown[], n: number): void;
  /** Reads one batch from `position`; returns the bytes handed to the consumer and the records read. */
  read(store: unknown, position: number): { bytes: number; count: number };
  make(): unknown;
  size(store: unknown): number;
}

const base64Side: Side = {
  name: "base64 text (before)",
  make: () => new Base64RecordStore(),
  size: (s) => (s as Base64RecordStore).size,
  append(stores, n) {
    const { partitionKey, data: bytes } = lines[n % lines.length]!;
    // The lane's putBlob, then the sandbox's check (which decoded into a scratch buffer).
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
    const length = decodeBase64(data)!.length;
    (stores[n % SHARDS] as Base64RecordStore).append({ counter: n, arrival: 1_700_000_000_000 + n * 70, partitionKey, data, size: length + partitionKey.length });
  },
  read(store, position) {
    const s = store as Base64RecordStore;
    let bytes = 0;
    let count = 0;
    for (let p = position; p < s.size && count < BATCH; p++, count++) {
      // The lane's getBlob: decode, and check the text re-encodes to itself.
      const text = s.at(p).data;
      const decoded = Buffer.from(text, "base64");
      if (decoded.toString("base64") !== text) throw new Error("not canonical");
      bytes += new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength).byteLength;
    }
    return { bytes, count };
  },
};

const bytesSide: Side = {
  name: "bytes (now)",
  make: () => new RecordStore(),
  size: (s) => (s as RecordStore).size,
  append(stores, n) {
    const { partitionKey, data } = lines[n % lines.length]!;
    // The lane's putBlob copies the producer's bytes; the store copies them into its chunk.
    const copy = Buffer.allocUnsafe(data.byteLength);
    copy.set(data);
    (stores[n % SHARDS] as RecordStore).append({ counter: n, arrival: 1_700_000_000_000 + n * 70, partitionKey, data: copy, size: copy.byteLength + partitionKey.length });
  },
  read(store, position) {
    const { records } = (store as RecordStore).read(position, BATCH, Number.POSITIVE_INFINITY);
    let bytes = 0;
    // The lane's getBlob: a plain view of the same bytes.
    for (const r of records) bytes += new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength).byteLength;
    return { bytes, count: records.length };
  },
};

const cpuMs = (t: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};

function run(side: Side): { writeMs: number; readMs: number; heldMb: number; checksum: number } {
  gc();
  const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const stores = Array.from({ length: SHARDS }, side.make);
  const t0 = process.cpuUsage();
  for (let n = 0; n < total; n++) side.append(stores, n);
  const writeMs = cpuMs(t0);
  gc();
  const heldMb = (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heap0) / 2 ** 20;
  let checksum = 0;
  const t1 = process.cpuUsage();
  for (const s of stores) {
    for (let p = 0; p < side.size(s); ) {
      const { bytes, count } = side.read(s, p);
      checksum += bytes;
      p += count;
    }
  }
  return { writeMs, readMs: cpuMs(t1), heldMb, checksum };
}

const results = new Map<Side, ReturnType<typeof run>[]>([
  [base64Side, []],
  [bytesSide, []],
]);
for (let round = 0; round < 3; round++) for (const [side, rs] of results) rs.push(run(side));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
const summary = (side: Side) => {
  const rs = results.get(side)!;
  return { write: median(rs.map((r) => r.writeMs)), read: median(rs.map((r) => r.readMs)), held: median(rs.map((r) => r.heldMb)), checksum: rs[0]!.checksum };
};
const before = summary(base64Side);
const now = summary(bytesSide);
if (before.checksum !== now.checksum) throw new Error("the two sides read back different byte counts");
console.log(`${total} records on ${SHARDS} shards, appended then read back in batches of ${BATCH}; CPU median of 3 rounds, sides interleaved`);
for (const [side, s] of [
  [base64Side, before],
  [bytesSide, now],
] as const) {
  console.log(`  ${side.name.padEnd(22)} write ${s.write.toFixed(0).padStart(5)} ms   read ${s.read.toFixed(0).padStart(5)} ms   held ${s.held.toFixed(1)} MiB`);
}
console.log(`ratio now / before: write ${(now.write / before.write).toFixed(2)}x, read ${(now.read / before.read).toFixed(2)}x, memory held ${(now.held / before.held).toFixed(2)}x`);
