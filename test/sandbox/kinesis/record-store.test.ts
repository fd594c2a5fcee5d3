import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CHUNK_RECORDS, RecordStore, type StoredRecord } from "../../../src/sandbox/services/kinesis/record-store.js";
import { RecordStore as Base64RecordStore } from "./reference/record-store-base64.js";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
/** A record as the tests compare it: data as a plain Uint8Array (the model's may be a Buffer). */
const plain = (r: StoredRecord) => ({ ...r, data: Uint8Array.from(r.data) });

/** The plain model the compact store must behave as: an array of records, oldest first. */
class ArrayModel {
  records: StoredRecord[] = [];
  trim(before: number): void {
    this.records = this.records.filter((r) => r.arrival >= before);
  }
  positionOfCounter(c: number): number {
    const i = this.records.findIndex((r) => r.counter >= c);
    return i < 0 ? this.records.length : i;
  }
  positionAtTime(at: number): number {
    const i = this.records.findIndex((r) => r.arrival >= at);
    return i < 0 ? this.records.length : i;
  }
}

type Op = { put: number; key: string; data: Uint8Array; gap: number; skip: number } | { trimBack: number } | { readAt: number } | { sliceAt: number; count: number; maxBytes: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ put: fc.integer({ min: 1, max: 3 * CHUNK_RECORDS }), key: fc.string({ minLength: 1, maxLength: 8, unit: "grapheme" }), data: fc.uint8Array({ maxLength: 300 }), gap: fc.integer({ min: 0, max: 3 }), skip: fc.integer({ min: 0, max: 2 }) }),
  },
  { weight: 2, arbitrary: fc.record({ trimBack: fc.integer({ min: 0, max: 4 * CHUNK_RECORDS }) }) },
  { weight: 3, arbitrary: fc.record({ readAt: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ sliceAt: fc.nat(), count: fc.integer({ min: 1, max: 4 * CHUNK_RECORDS + 5 }), maxBytes: fc.oneof(fc.nat(2000), fc.constant(Number.POSITIVE_INFINITY)) }) },
);

describe("RecordStore (a shard's compact record storage)", () => {
  it("holds exactly what a plain array of records holds under random appends, trims and reads", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        const store = new RecordStore();
        const model = new ArrayModel();
        let counter = 0;
        let now = 0;
        for (const o of ops) {
          if ("put" in o) {
            for (let i = 0; i < o.put; i++) {
              // Counters are stream-wide: other shards take some between this shard's records.
              counter += 1 + ((i * o.skip) % 3);
              now += (i % 4) * o.gap;
              const data = i % 7 === 0 ? o.data : Buffer.concat([o.data, Buffer.from(String(i))]);
              const r: StoredRecord = { counter, arrival: now, partitionKey: `${o.key}${i % 5}`, data, size: Buffer.byteLength(o.key) + i };
              store.append(r);
              model.records.push(r);
            }
          } else if ("trimBack" in o) {
            store.trimArrivedBefore(now - o.trimBack);
            model.trim(now - o.trimBack);
          } else if ("readAt" in o && model.records.length > 0) {
            const p = o.readAt % model.records.length;
            expect(plain(store.at(p))).toEqual(plain(model.records[p]!));
          } else if ("sliceAt" in o && model.records.length > 0) {
            // The model's read: up to `count` records while their sizes fit, the first always.
            const p = o.sliceAt % model.records.length;
            const expected: StoredRecord[] = [];
            let bytes = 0;
            for (const r of model.records.slice(p, p + o.count)) {
              if (expected.length > 0 && bytes + r.size > o.maxBytes) break;
              expected.push(r);
              bytes += r.size;
            }
            const got = store.read(p, o.count, o.maxBytes);
            expect(got.records.map(plain)).toEqual(expected.map(plain));
            expect(got.bytes).toBe(bytes);
          }
          expect(store.size).toBe(model.records.length);
          expect(store.firstCounter()).toBe(model.records[0]?.counter);
        }
        for (const probe of [0, Math.floor(counter / 2), counter, counter + 1]) {
          expect(store.positionOfCounter(probe)).toBe(model.positionOfCounter(probe));
        }
        for (const at of [0, Math.floor(now / 2), now, now + 1]) expect(store.positionAtTime(at)).toBe(model.positionAtTime(at));
        const held = model.records.map((_, p) => plain(store.at(p)));
        expect(held).toEqual(model.records.map(plain));
        const numbers = model.records.map((_, p) => [store.counterAt(p), store.arrivalAt(p), store.sizeAt(p)]);
        expect(numbers).toEqual(model.records.map((r) => [r.counter, r.arrival, r.size]));
      }),
      { numRuns: 40 },
    );
  });

  it("gives back data and partition keys byte for byte, empty data and multi-byte keys included", () => {
    const store = new RecordStore();
    const odd = [
      { partitionKey: "ключ-🔑", data: new Uint8Array([0, 1, 2, 3, 255]) },
      { partitionKey: "k", data: new Uint8Array(0) },
      { partitionKey: "x".repeat(256), data: new TextEncoder().encode("hello") },
    ];
    for (let i = 0; i < CHUNK_RECORDS + 3; i++) store.append({ counter: i, arrival: i, size: 1, ...odd[i % 3]! });
    for (const p of [0, 1, 2, CHUNK_RECORDS - 1, CHUNK_RECORDS, CHUNK_RECORDS + 1]) {
      const r = store.at(p);
      expect([r.partitionKey, [...r.data]]).toEqual([odd[p % 3]!.partitionKey, [...odd[p % 3]!.data]]);
    }
  });

  it("hands out data the caller may keep and change: reading again, or appending more, gives the stored bytes", () => {
    const store = new RecordStore();
    for (let i = 0; i < CHUNK_RECORDS + 10; i++) store.append({ counter: i, arrival: i, size: 1, partitionKey: "k", data: new Uint8Array([i & 255, 7]) });
    const batch = store.read(CHUNK_RECORDS - 2, 6, Number.POSITIVE_INFINITY).records;
    for (const r of batch) r.data.fill(0);
    store.append({ counter: 5000, arrival: 5000, size: 1, partitionKey: "k", data: new Uint8Array([9]) });
    expect(store.read(CHUNK_RECORDS - 2, 6, Number.POSITIVE_INFINITY).records.map((r) => [...r.data])).toEqual([0, 1, 2, 3, 4, 5].map((k) => [(CHUNK_RECORDS - 2 + k) & 255, 7]));
  });

  it("answers exactly as the store that kept base64 text did (the reference), data decoded", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key: fc.string({ minLength: 1, maxLength: 6, unit: "grapheme" }), data: fc.uint8Array({ maxLength: 80 }), gap: fc.nat(5) }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 40 }), (records, copies) => {
        const store = new RecordStore();
        const reference = new Base64RecordStore();
        let now = 0;
        let n = 0;
        for (let c = 0; c < copies; c++) {
          for (const r of records) {
            now += r.gap;
            const size = r.data.length + Buffer.byteLength(r.key);
            store.append({ counter: 2 * n, arrival: now, partitionKey: r.key, data: r.data, size });
            reference.append({ counter: 2 * n, arrival: now, partitionKey: r.key, data: b64(r.data), size });
            n++;
          }
        }
        store.trimArrivedBefore(now / 3);
        reference.trimArrivedBefore(now / 3);
        expect(store.size).toBe(reference.size);
        const all = store.read(0, store.size, Number.POSITIVE_INFINITY).records.map((r) => ({ ...r, data: b64(r.data) }));
        expect(all).toEqual(Array.from({ length: reference.size }, (_, p) => reference.at(p)));
        for (const probe of [0, n, 2 * n - 1, 2 * n + 1]) expect(store.positionOfCounter(probe)).toBe(reference.positionOfCounter(probe));
        for (const at of [0, now / 2, now]) expect(store.positionAtTime(at)).toBe(reference.positionAtTime(at));
      }),
      { numRuns: 30 },
    );
  });

  it("holds a long run's log records in a fraction of their size", () => {
    const store = new RecordStore();
    let raw = 0;
    for (let n = 0; n < 20 * CHUNK_RECORDS; n++) {
      const line = `{"level":30,"time":${1_700_000_000_000 + n * 500},"service":"web","n":${n},"msg":"GET /orders 200","pad":"${"x".repeat(126)}","_gd":{"h":"i-0abc","b":"3f2a","s":${n}}}\n`;
      const data = Buffer.from(line);
      const partitionKey = (n * 2654435761).toString(16).padStart(32, "0");
      raw += data.length + partitionKey.length;
      store.append({ counter: n, arrival: n * 500, partitionKey, data, size: line.length + 32 });
    }
    expect(store.heldBytes).toBeLessThan(raw / 4);
  });
  it("keeps a sealed chunk's counters, arrivals and sizes inside its deflated bytes, not 26 bytes a record beside them", () => {
    const store = new RecordStore();
    const records = 40 * CHUNK_RECORDS;
    // Identical lines: what remains is almost all the per-record numbers.
    const hello = new TextEncoder().encode("hello");
    for (let n = 0; n < records; n++) store.append({ counter: 3 * n, arrival: 1_700_000_000_000 + n * 70, partitionKey: "k", data: hello, size: 6 });
    expect(store.heldBytes / records).toBeLessThan(8);
    expect(plain(store.at(records - CHUNK_RECORDS - 1))).toEqual({ counter: 3 * (records - CHUNK_RECORDS - 1), arrival: 1_700_000_000_000 + (records - CHUNK_RECORDS - 1) * 70, partitionKey: "k", data: hello, size: 6 });
    expect(store.positionOfCounter(3 * 5000 + 1)).toBe(5001);
    expect(store.positionAtTime(1_700_000_000_000 + 5000 * 70)).toBe(5000);
  });

  it("gives back fractional arrival times exactly after sealing", () => {
    const store = new RecordStore();
    const arrival = (n: number) => 0.1 * n + n / 3;
    for (let n = 0; n < 2 * CHUNK_RECORDS + 5; n++) store.append({ counter: n, arrival: arrival(n), partitionKey: "k", data: new Uint8Array(0), size: 1 });
    const back = Array.from({ length: 2 * CHUNK_RECORDS }, (_, p) => store.arrivalAt(p));
    expect(back).toEqual(Array.from({ length: 2 * CHUNK_RECORDS }, (_, n) => arrival(n)));
    expect(store.positionAtTime(arrival(1500))).toBe(1500);
    store.trimArrivedBefore(arrival(CHUNK_RECORDS + 7));
    expect(store.firstCounter()).toBe(CHUNK_RECORDS + 7);
  });
});
