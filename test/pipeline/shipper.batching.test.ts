import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { SeededRandom } from "../../src/random/random.js";
import { Shipper } from "../../src/pipeline/shipper.js";
import { ManualClock } from "./helpers/manual-clock.js";
import { FakeKinesis } from "./helpers/fake-kinesis.js";
import { makeShipper, range, storedIds } from "./helpers/harness.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe("Shipper batching", () => {
  it("stamps every record with {h, b, s}: s counts per record and each Shipper gets its own boot id", async () => {
    const random = new SeededRandom(3);
    const fake = new FakeKinesis();
    const { VirtualClock } = await import("../../src/time/clock.js");
    const clock = new VirtualClock();
    const a = new Shipper({ clock, random, kinesis: fake, host: "web-1", spool: { dir: dirs.make(), fsync: "never" } });
    const b = new Shipper({ clock, random, kinesis: fake, host: "web-1", spool: { dir: dirs.make(), fsync: "never" } });
    for (const i of range(3)) a.write({ i });
    b.write('{"i":99}');
    await Promise.all([a.flush(), b.flush()]);
    const ids = fake.storedJson().map((r) => r._gd as { h: string; b: string; s: number });
    expect(ids.map((id) => id.h)).toEqual(["web-1", "web-1", "web-1", "web-1"]);
    expect(ids.slice(0, 3).map((id) => id.s)).toEqual([0, 1, 2]);
    expect(ids[0]!.b).toBe(a.boot);
    expect(ids[3]!.b).toBe(b.boot);
    expect(a.boot).not.toBe(b.boot);
  });

  it("puts at most batch.maxRecords records in one PutRecords", async () => {
    const { shipper, fake } = makeShipper(dirs.make());
    for (const i of range(1234)) shipper.write({ i });
    await shipper.flush();
    expect(fake.calls.map((c) => c.entries.length)).toEqual([500, 500, 234]);
    expect(storedIds(fake).sort((x, y) => x - y)).toEqual(range(1234));
  });

  it("keeps every PutRecords within batch.maxBytes, counting data and partition keys, and fills each call", async () => {
    const maxBytes = 2_000;
    const { shipper, fake } = makeShipper(dirs.make(), { batch: { maxBytes, maxRecordBytes: 1_000 } });
    const sizes = [50, 300, 700, 120, 850, 60, 400, 30, 800, 10];
    for (const [i, n] of sizes.entries()) shipper.write({ i, pad: "p".repeat(n) });
    await shipper.flush();
    const callBytes = fake.calls.map((c) => c.entries.map((e) => e.data.length + Buffer.byteLength(e.partitionKey)));
    for (const bytes of callBytes) expect(bytes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(maxBytes);
    // Greedy filling: the first record of each call would not have fitted in the call before it.
    for (let k = 1; k < callBytes.length; k++) {
      const before = callBytes[k - 1]!.reduce((a, b) => a + b, 0);
      expect(before + callBytes[k]![0]!).toBeGreaterThan(maxBytes);
    }
    expect(storedIds(fake).sort((x, y) => x - y)).toEqual(range(sizes.length));
  });

  it("sends a record larger than batch.maxRecordBytes to the dead-letter file, counted, never to Kinesis", async () => {
    const dir = dirs.make();
    const { shipper, fake, events } = makeShipper(dir, { batch: { maxRecordBytes: 200 } });
    shipper.write({ i: 0 });
    shipper.write({ i: 1, pad: "x".repeat(300) });
    shipper.write({ i: 2 });
    await shipper.flush();
    expect(storedIds(fake)).toEqual([0, 2]);
    expect(shipper.metrics().deadLettered).toBe(1);
    const lines = fs.readFileSync(path.join(dir, "dead-letter.ndjson"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    const letter = JSON.parse(lines[0]!) as { reason: string; detail: string; record: string };
    expect(letter.reason).toBe("too-large");
    expect(letter.detail).toMatch(/the limit is 200/);
    expect(JSON.parse(letter.record)).toMatchObject({ i: 1 });
    expect(events.some((e) => e.type === "dead-letter" && e.reason === "too-large")).toBe(true);
  });

  it("holds a partial batch for lingerMs, then sends it", async () => {
    const clock = new ManualClock();
    const { shipper, fake } = makeShipper(dirs.make(), { batch: { lingerMs: 200 } }, { clock });
    shipper.write({ i: 0 });
    await clock.advance(100);
    shipper.write({ i: 1 });
    await clock.advance(99);
    expect(fake.calls).toHaveLength(0);
    await clock.advance(1);
    expect(fake.calls.map((c) => c.entries.length)).toEqual([2]);
  });

  it("spreads random partition keys, uses a named field when the record has it, and counts the fallbacks", async () => {
    const random = makeShipper(dirs.make());
    for (const i of range(2_000)) random.shipper.write({ i });
    await random.shipper.flush();
    const keys = random.fake.stored.map((s) => s.key);
    expect(new Set(keys).size).toBeGreaterThan(1_990);
    // Keys spread over a 4-shard hash space roughly evenly (first hex digit as a stand-in).
    const quarters = [0, 0, 0, 0];
    for (const k of keys) quarters[Math.floor(parseInt(k[0]!, 16) / 4)]!++;
    for (const q of quarters) expect(q).toBeGreaterThan(400);

    const byField = makeShipper(dirs.make(), { partitionKeyField: "user" });
    byField.shipper.write({ i: 0, user: "alice" });
    byField.shipper.write('{"i":1,"user":"bob"}');
    byField.shipper.write({ i: 2, user: 42 });
    byField.shipper.write({ i: 3 });
    byField.shipper.write({ i: 4, user: "" });
    await byField.shipper.flush();
    const got = byField.fake.stored.map((s) => s.key);
    expect(got.slice(0, 3)).toEqual(["alice", "bob", "42"]);
    expect(got[3]).toMatch(/^[0-9a-f]{8}$/);
    expect(byField.shipper.metrics().partitionKeyFallbacks).toBe(2);
  });

  it("flush() resolves once everything written before it has left memory", async () => {
    const { shipper, fake } = makeShipper(dirs.make(), { batch: { lingerMs: 60_000 } });
    for (const i of range(10)) shipper.write({ i });
    await shipper.flush();
    expect(storedIds(fake)).toEqual(range(10));
    expect(shipper.metrics()).toMatchObject({ inMemory: 0, inFlight: 0, delivered: 10, accepted: 10 });
  });

  it("refuses input that is not a JSON object and accepts nothing after close()", async () => {
    const { shipper } = makeShipper(dirs.make());
    expect(() => shipper.write("hello")).toThrow(/expected one JSON object per line/);
    expect(shipper.metrics().accepted).toBe(0);
    await shipper.close();
    expect(() => shipper.write({ i: 1 })).toThrow(/closed/);
  });

  it("refuses bad options naming the setting, what it expects and what it found", () => {
    const dir = dirs.make();
    expect(() => makeShipper(dir, { batch: { maxRecords: 501 } })).toThrow(/batch\.maxRecords: Too big: expected number to be <=500, found 501/);
    expect(() => makeShipper(dir, { batch: { lingerMS: 5 } as never })).toThrow(/Unrecognized key: "lingerMS"/);
    expect(() => makeShipper(dir, { spool: { dir, dropPolicy: "oldest" as never } })).toThrow(/spool\.dropPolicy: .*found "oldest"/);
    expect(() => makeShipper(dir, { batch: { maxBytes: 100, maxRecordBytes: 200 } })).toThrow(/maxRecordBytes \(200\) must not exceed batch\.maxBytes \(100\)/);
    // close() has to fit in pino's 10 s exit window.
    expect(() => makeShipper(dir, { closeGraceMs: 20_000 })).toThrow(/closeGraceMs: Too big: expected number to be <=8000, found 20000/);
  });
});
