/**
 * kinesis-health against an in-process sandbox whose web tasks ship logs to Kinesis: everything
 * beyond its own reads of the stream comes from CloudWatch (the run has no log pipeline port).
 */
import { afterEach, describe, expect, it } from "vitest";
import kinesisHealth from "../../probes/kinesis-health.js";
import { rig, type Rig } from "../faults/rig.js";
import { shippingStack } from "./shipping-stack.js";
import { expectDeclared } from "./declared.js";

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

type Value = Record<string, number | boolean>;

const MINUTE = 60_000;

describe("kinesis-health reads the stream and CloudWatch", () => {
  it("sees records coming in and nothing throttled or spooled in steady state", async () => {
    r = await rig(shippingStack());
    const read = r.reader(kinesisHealth, { stream: "app-logs" });
    await read();
    await r.h.advance(2 * MINUTE);
    const v = (await read()).value as Value;
    expectDeclared(kinesisHealth, v);
    expect(v.incomingRecords).toBeGreaterThan(0);
    expect(v.shipperHosts).toBeGreaterThan(0);
    expect({ throttled: v.throttledRecords, spooled: v.spooledRecords, spoolBytes: v.spoolBytes, breakers: v.breakersOpen }).toEqual({ throttled: 0, spooled: 0, spoolBytes: 0, breakers: 0 });
  });

  it("while the producers' role is throttled: sees them spool, then replay it all and the shards' write limits push back", async () => {
    r = await rig(shippingStack());
    const read = r.reader(kinesisHealth, { stream: "app-logs" });
    await read();
    await r.start("kinesis-throttle", { role: "web-task" }, { percentage: 100, duration: "PT3M" });
    await r.h.advance(2 * MINUTE);
    const during = (await read()).value as Value;
    expect(during.spooledRecords).toBeGreaterThan(0);
    expect(during.spoolBytes).toBeGreaterThan(0);
    expect(during.replayedRecords).toBe(0);
    await r.h.advance(6 * MINUTE);
    const after = (await read()).value as Value;
    // Every record spooled was replayed, the spools are empty, and the burst of replay met the
    // shards' write limits (AWS/Kinesis counts those; the injected API errors it does not).
    expect(after.replayedRecords).toBe(after.spooledRecords);
    expect(after.spoolBytes).toBe(0);
    expect(after.writeThroughputExceeded).toBeGreaterThan(0);
    expect(after.throttledRecords).toBe(after.writeThroughputExceeded);
  });

  it("counts the hosts whose breaker is open during an outage of the producers' role, and none once it is over", async () => {
    r = await rig(shippingStack());
    const read = r.reader(kinesisHealth, { stream: "app-logs" });
    await read();
    await r.start("kinesis-outage", { role: "web-task" }, { duration: "PT3M", effect: "errors" });
    // The sandbox's shippers publish every few seconds: a reading seconds into the outage sees it.
    await r.h.advance(20_000);
    expect(((await read()).value as Value).breakersOpen).toBeGreaterThan(0);
    await r.h.advance(2 * MINUTE);
    const during = (await read()).value as Value;
    expect(during.shipperHosts).toBeGreaterThan(0);
    expect(during.breakersOpen).toBe(during.shipperHosts);
    await r.h.advance(5 * MINUTE);
    const after = (await read()).value as Value;
    expect(after.breakersOpen).toBe(0);
    expect(after.spoolBytes).toBe(0);
  });
});
