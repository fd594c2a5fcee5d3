import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/time/clock.js";
import { FakeKinesis } from "./helpers/fake-kinesis.js";
import { makeShipper, range, storedIds } from "./helpers/harness.js";
import { recordsOnDisk } from "./helpers/disk-oracle.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const ids = (texts: string[]) => texts.map((t) => (JSON.parse(t) as { i: number }).i);

describe('Shipper with durability "wal"', () => {
  it("has every accepted line on disk when writeLines() returns, so a crash at that moment loses none", () => {
    const hanging = new FakeKinesis();
    hanging.respond = () => ({ kind: "hang", stored: false });
    const dir = dirs.make();
    const { shipper } = makeShipper(dir, { durability: "wal", memory: { maxRecords: 10 } }, { fake: hanging });
    shipper.writeLines(range(1_000).map((i) => JSON.stringify({ i })));
    // No close(), no timer: the process could die right here.
    expect(ids(recordsOnDisk(dir)).sort((a, b) => a - b)).toEqual(range(1_000));
    expect(shipper.metrics().inMemory).toBe(0);
  });

  it("delivers from the spool at Kinesis's pace, not the backlog's replay rate, and leaves no spool on a clean close", async () => {
    const clock = new VirtualClock();
    const dir = dirs.make();
    // A replay rate of 10/s would take 100 s for these records if the live path went at it.
    const { shipper, fake } = makeShipper(dir, { durability: "wal", replay: { ratePerSec: 10 } }, { clock });
    const start = clock.now();
    shipper.writeLines(range(1_000).map((i) => JSON.stringify({ i })));
    shipper.writeLines(["not json"]);
    while (shipper.metrics().spoolRecords > 0) await clock.sleep(10);
    expect(clock.now() - start).toBeLessThan(1_000);
    await shipper.close();
    expect(storedIds(fake).slice(0, -1).sort((a, b) => a - b)).toEqual(range(1_000));
    expect(fake.storedJson().at(-1)).toMatchObject({ unparsedLine: "not json" });
    expect(recordsOnDisk(dir)).toEqual([]);
  });

  it("a restart after a crash sends what the crashed run had not delivered", async () => {
    const clock = new VirtualClock();
    const dir = dirs.make();
    const down = new FakeKinesis();
    down.respond = () => ({ kind: "hang", stored: false });
    const crashed = makeShipper(dir, { durability: "wal" }, { clock, fake: down });
    crashed.shipper.writeLines(range(300).map((i) => JSON.stringify({ i })));
    // The crashed shipper is simply abandoned: its spool is what the next run finds.
    const next = makeShipper(dir, { durability: "wal", replay: { startJitterMs: 0 } }, { clock });
    while (next.shipper.metrics().spoolRecords > 0) await clock.sleep(100);
    expect(storedIds(next.fake).sort((a, b) => a - b)).toEqual(range(300));
    await next.shipper.close();
  });
});
