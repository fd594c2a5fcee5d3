import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/time/clock.js";
import { emfLine } from "../../src/pipeline/emf.js";
import { parseEmf } from "../../src/sandbox/metrics/emf.js";
import type { MetricDatum } from "../../src/sandbox/services/cloudwatch/sink.js";
import { FakeKinesis, refusedError } from "./helpers/fake-kinesis.js";
import { makeShipper, range } from "./helpers/harness.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** name -> value of one EMF line's per-host metrics, checked to be valid EMF with the shipper's namespace. */
function read(line: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of datums(line).filter((d) => !("Boot" in d.dimensions))) {
    expect(d.dimensions).toEqual({ Stream: "app-logs", Host: "test-host" });
    out[d.name] = d.value!;
  }
  return out;
}

/** name -> value of one EMF line's per-boot gauges, and the boot they are for. */
function readBoot(line: string): { boot: string | undefined; values: Record<string, number> } {
  const values: Record<string, number> = {};
  let boot: string | undefined;
  for (const d of datums(line).filter((d) => "Boot" in d.dimensions)) {
    expect(d.dimensions).toEqual({ Stream: "app-logs", Host: "test-host", Boot: d.dimensions.Boot });
    boot = d.dimensions.Boot;
    values[d.name] = d.value!;
  }
  return { boot, values };
}

function datums(line: string): MetricDatum[] {
  const parsed = parseEmf(line);
  if (!("datums" in parsed)) throw new Error(parsed.error);
  for (const d of parsed.datums) expect(d.namespace).toBe("Gameday/LogShipper");
  return parsed.datums;
}

describe("the shipper's own metrics as embedded metric format", () => {
  it("writes a line a minute: deliveries of that minute, then at close() the rest", async () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const { shipper } = makeShipper(dirs.make(), { metrics: { stream: "app-logs", write: (l) => lines.push(l) } }, { clock });
    for (const i of range(30)) shipper.write({ i });
    await clock.sleep(59_000);
    expect(lines).toEqual([]);
    await clock.sleep(1_000);
    expect(lines).toHaveLength(1);
    expect(read(lines[0]!)).toEqual({ Delivered: 30, Spooled: 0, Replayed: 0, Dropped: 0, SpoolBytes: 0, OldestSpooledAge: 0, BreakerState: 0 });
    for (const i of range(5)) shipper.write({ i });
    await shipper.close();
    expect(lines).toHaveLength(2);
    expect(read(lines[1]!).Delivered).toBe(5);
    const units = Object.fromEntries((JSON.parse(lines[1]!)._aws.CloudWatchMetrics[0].Metrics as { Name: string; Unit: string }[]).map((m) => [m.Name, m.Unit]));
    expect(units).toMatchObject({ Delivered: "Count", SpoolBytes: "Bytes", OldestSpooledAge: "Milliseconds" });
  });

  it("says when records go to the spool and the breaker opens", async () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const fake = new FakeKinesis();
    fake.respond = () => ({ kind: "throw", error: () => refusedError() });
    const { shipper } = makeShipper(dirs.make(), { metrics: { stream: "app-logs", write: (l) => lines.push(l) }, retry: { maxAttempts: 2, baseMs: 10, capMs: 10 } }, { clock, fake });
    for (const i of range(20)) shipper.write({ i });
    await clock.sleep(60_000);
    const m = read(lines[0]!);
    expect(m.Delivered).toBe(0);
    expect(m.Spooled).toBe(shipper.metrics().spooled);
    expect(m.Spooled).toBe(20);
    expect(m.SpoolBytes).toBeGreaterThan(0);
    expect(m.OldestSpooledAge).toBeGreaterThan(0);
    expect(m.BreakerState).toBe(2);
    await shipper.close();
  });

  it("publishes at high resolution when it writes more often than once a minute, so each line stays its own datapoint", async () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const { shipper } = makeShipper(dirs.make(), { metrics: { stream: "app-logs", write: (l) => lines.push(l), intervalMs: 1_000 } }, { clock });
    for (const i of range(3)) shipper.write({ i });
    await clock.sleep(1_000);
    expect(lines).toHaveLength(1);
    const datums = (parseEmf(lines[0]!) as { datums: MetricDatum[] }).datums;
    expect(new Set(datums.map((d) => d.storageResolution))).toEqual(new Set([1]));
    const minutely: string[] = [];
    const other = makeShipper(dirs.make(), { metrics: { stream: "app-logs", write: (l) => minutely.push(l) } }, { clock }).shipper;
    await other.close();
    expect(new Set((parseEmf(minutely[0]!) as { datums: MetricDatum[] }).datums.map((d) => d.storageResolution))).toEqual(new Set([60]));
    await shipper.close();
  });

  it("refuses a metrics option without a write function or stream, naming the field", () => {
    expect(() => makeShipper(dirs.make(), { metrics: { stream: "app-logs" } as never })).toThrow(/metrics\.write must be a function/);
    expect(() => makeShipper(dirs.make(), { metrics: { write: () => {} } as never })).toThrow(/metrics\.stream must be the stream's name/);
    expect(() => makeShipper(dirs.make(), { metrics: { write: () => {}, stream: "s", namespace: "AWS/Kinesis" } })).toThrow(/metrics\.namespace .* not starting with "AWS\/"/);
  });

  it("emfLine counts from the previous reading; gauges are the current values", () => {
    const base = { accepted: 0, delivered: 10, deliveredSecondary: 0, resent: 0, throttled: 0, spooled: 4, replayed: 1, dropped: { "spool-full": 0, "spool-evicted": 0, "io-error": 0, total: 0 }, deadLettered: 0, duplicatesPossible: 0, spoolBytes: 900, spoolRecords: 3, oldestSpooledAgeMs: 1_500, breaker: "half-open" as const, inMemory: 0, inFlight: 0, replayInFlight: 0, backpressure: false, partitionKeyFallbacks: 0, spoolCorruptBytes: 0 };
    const later = { ...base, delivered: 25, spooled: 4, replayed: 3, dropped: { ...base.dropped, "spool-full": 2, total: 2 }, spoolBytes: 100 };
    const line = emfLine({ namespace: "Gameday/LogShipper", stream: "app-logs" }, "test-host", 120_000, later, base);
    expect(read(line)).toEqual({ Delivered: 15, Spooled: 0, Replayed: 2, Dropped: 2, SpoolBytes: 100, OldestSpooledAge: 1_500, BreakerState: 1 });
    expect(JSON.parse(line)._aws.Timestamp).toBe(120_000);
  });

  it("says per boot where its records are: Accepted (seq 0 .. Accepted-1), in memory, in flight, spooled, dropped, dead-lettered", async () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    // Kinesis refuses every call: records go from memory to the wire to the spool.
    const fake = new FakeKinesis();
    fake.respond = () => ({ kind: "throw", error: refusedError });
    const { shipper } = makeShipper(dirs.make(), { metrics: { stream: "app-logs", write: (l) => lines.push(l), intervalMs: 1_000 } }, { clock, fake });
    for (const i of range(40)) shipper.write({ i });
    await clock.sleep(1_000);
    const first = readBoot(lines[0]!);
    expect(first.boot).toBe(shipper.boot);
    const m = shipper.metrics();
    expect(first.values.Accepted).toBe(40);
    // Each of the 40 records is in exactly one place.
    const v = first.values;
    expect(v.DeliveredTotal).toBe(m.delivered);
    expect(v.InMemory! + v.InFlight! + v.SpoolRecords! + v.DroppedTotal! + v.DeadLettered! + v.DeliveredTotal!).toBe(40);
    await shipper.close();
    const last = readBoot(lines.at(-1)!).values;
    expect(last).toEqual({ Accepted: 40, DeliveredTotal: shipper.metrics().delivered, InMemory: 0, InFlight: 0, SpoolRecords: last.SpoolRecords, DroppedTotal: 0, DeadLettered: 0 });
    expect(last.SpoolRecords! + shipper.metrics().delivered).toBe(40);
  });

  it("writes the per-boot gauges with the first line, then every 30 s, and always with the last line at close()", async () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const { shipper } = makeShipper(dirs.make(), { metrics: { stream: "app-logs", write: (l) => lines.push(l), intervalMs: 5_000 } }, { clock });
    for (const i of range(3)) shipper.write({ i });
    await clock.sleep(61_000);
    expect(lines).toHaveLength(12);
    expect(lines.map((l) => readBoot(l).boot !== undefined)).toEqual([true, false, false, false, false, false, true, false, false, false, false, false]);
    expect(readBoot(lines[6]!).boot).toBe(shipper.boot);
    await shipper.close();
    expect(readBoot(lines.at(-1)!).values.Accepted).toBe(3);
  });
});
