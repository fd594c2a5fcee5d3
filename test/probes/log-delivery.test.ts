/**
 * log-delivery against an in-process sandbox whose web tasks ship logs to Kinesis: it reads the
 * stream as a consumer and the shippers' gauges through CloudWatch (the run has no log pipeline
 * port), and accounts for every record a shipper accepted.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GetMetricDataCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import logDelivery from "../../probes/log-delivery.js";
import { rig, type Rig } from "../faults/rig.js";
import { DISK_SPOOL, shippingStack } from "./shipping-stack.js";
import { expectDeclared } from "./declared.js";

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

type Value = Record<string, number | boolean | null>;

const MINUTE = 60_000;

describe("log-delivery reads the stream and CloudWatch", () => {
  it("in steady state: every record the shippers accepted is in the stream or on its way, none lost", async () => {
    r = await rig(shippingStack());
    const read = r.reader(logDelivery, { stream: "app-logs" });
    await read();
    await r.h.advance(2 * MINUTE);
    const v = (await read(true)).value as Value;
    expectDeclared(logDelivery, v);
    // 20 lines/s for two minutes across the web tasks.
    expect(v.produced as number).toBeGreaterThan(2_000);
    expect(v).toMatchObject({ unaccounted: 0, dropped: 0, duplicates: 0, spooled: 0, verified: true });
    expect((v.delivered as number) + (v.pending as number)).toBeGreaterThanOrEqual(v.produced as number);
  });

  // Ten simulated minutes of three shippers: about 12 s alone, more on a busy machine.
  it("through an outage of the producers' role: sees the fallback within seconds, the spools drain after it, nothing lost", { timeout: 120_000 }, async () => {
    r = await rig(shippingStack());
    const read = r.reader(logDelivery, { stream: "app-logs", fallbackWithin: "PT1M", drainWithin: "PT10M" });
    await read();
    await r.start("kinesis-outage", { role: "web-task" }, { duration: "PT3M", effect: "errors" });
    await r.h.advance(2 * MINUTE);
    const during = (await read()).value as Value;
    expect(during.fallbackAfterMs).not.toBeNull();
    expect(during.fallbackAfterMs as number).toBeLessThan(20_000);
    expect(during.spooled as number).toBeGreaterThan(0);
    expect(during.breakersOpen as number).toBeGreaterThan(0);
    expect(during.unaccounted).toBe(0);
    await r.h.advance(8 * MINUTE);
    const after = (await read(true)).value as Value;
    expectDeclared(logDelivery, after);
    expect(after.drainedAfterMs).not.toBeNull();
    expect(after).toMatchObject({ spooled: 0, unaccounted: 0, dropped: 0, lateFallbacks: 0, lateDrains: 0, breakersOpen: 0 });
    expect(after.delivered as number).toBeGreaterThanOrEqual((after.produced as number) - (after.pending as number));
  });

  it("counts what shippers without a spool drop in an outage as dropped, not as delivered or lost", async () => {
    r = await rig(shippingStack("false"));
    const read = r.reader(logDelivery, { stream: "app-logs" });
    await read();
    await r.start("kinesis-outage", { role: "web-task" }, { duration: "PT2M", effect: "errors" });
    await r.h.advance(4 * MINUTE);
    const v = (await read(true)).value as Value;
    expect(v.dropped as number).toBeGreaterThan(1_000);
    expect(v.unaccounted).toBe(0);
    expect((v.delivered as number) + (v.dropped as number) + (v.pending as number)).toBeGreaterThanOrEqual(v.produced as number);
  });

  it("counts records spooled on hosts that are gone as unaccounted: no shipper publishes from there any more", async () => {
    r = await rig(shippingStack());
    const read = r.reader(logDelivery, { stream: "app-logs" });
    await read();
    await r.start("kinesis-outage", { role: "web-task" }, { duration: "PT10M", effect: "errors" });
    await r.h.advance(MINUTE);
    const before = (await read()).value as Value;
    expect(before.unaccounted).toBe(0);
    const spot = r.h.sandbox.ec2.all().filter((i) => i.lifecycle === "spot").map((i) => i.id).slice(0, 5);
    await r.start("spot-interrupt", { cluster: "prod", instanceIds: spot }, { durationBeforeInterruption: "PT2M" });
    await r.h.advance(5 * MINUTE);
    const v = (await read()).value as Value;
    expect(v.unaccounted as number).toBeGreaterThan(0);
  });

  it("reads at once, in a run that began just after the shippers last published in the minute before (their gauges are a minute apart at most, not within the run)", async () => {
    r = await rig(shippingStack(DISK_SPOOL, 1));
    await r.h.advance(2 * MINUTE);
    // The one shipper's newest line whose next one comes only after the following minute began.
    const cloudwatch = await r.services.aws.cloudwatch();
    const newestLine = async (): Promise<number> => {
      const metric = { Namespace: "Gameday/LogShipper", MetricName: "Accepted", Dimensions: [{ Name: "Stream", Value: "app-logs" }, { Name: "Host", Value: boot.host }, { Name: "Boot", Value: boot.boot }] };
      const now = r!.h.clock.now();
      const out = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: [{ Id: "a", MetricStat: { Metric: metric, Period: 1, Stat: "Maximum" } }], StartTime: new Date(now - MINUTE), EndTime: new Date(now + 1) }));
      return out.MetricDataResults![0]!.Timestamps![0]!.getTime();
    };
    const boot = await onlyBoot(r);
    let line = await newestLine();
    while (Math.floor(line / MINUTE) === Math.floor((line + 28_000) / MINUTE)) {
      await r.h.advance(30_000);
      line = await newestLine();
    }
    await r.h.advance(line + 29_000 - r.h.clock.now());
    expect(await newestLine()).toBe(line);
    // The run began 28 s after that line, in the next minute; its first reading is now.
    const read = readerFrom(r, line + 28_000, { stream: "app-logs" });
    const before = r.h.clock.now();
    const v = (await read(false)).value as Value;
    expect(r.h.clock.now()).toBe(before);
    expect(v.produced as number).toBeGreaterThan(0);
    expect(v.unaccounted).toBe(0);
  });

  it("is one consumer per run: a later step reads on from the checkpoint (each record crosses the SDK once) and accounts for the whole stream, as a consumer reading it all again would", async () => {
    r = await rig(shippingStack());
    const outgoing = () => r!.h.sandbox.kinesis!.metrics().streams["app-logs"]!.outgoingRecords;
    const window = r.reader(logDelivery, { stream: "app-logs" });
    await window();
    await r.h.advance(2 * MINUTE);
    const first = (await window(true)).value as Value;
    expect(first.delivered as number).toBeGreaterThan(2_000);
    // Another step of the same run (its own series state), then a consumer of another run, at the same moment.
    const before = outgoing();
    const later = (await r.reader(logDelivery, { stream: "app-logs" })()).value as Value;
    const readOn = outgoing() - before;
    const alone = (await readerFrom(r, r.run.startedAt, { stream: "app-logs" })(false)).value as Value;
    const readAll = outgoing() - before - readOn;
    expect(later).toEqual(alone);
    expect(later).toMatchObject({ unaccounted: 0, duplicates: 0, verified: true });
    expect(readAll).toBeGreaterThanOrEqual(alone.delivered as number);
    expect(readOn).toBeLessThan((first.delivered as number) / 2);
  });

  it("readings of two steps at once take turns with the run's consumer: no record is read twice or counted as a duplicate", async () => {
    r = await rig(shippingStack());
    await r.h.advance(2 * MINUTE);
    const stream = () => r!.h.sandbox.kinesis!.metrics().streams["app-logs"]!;
    const [a, b] = await Promise.all([r.reader(logDelivery, { stream: "app-logs" })(), r.reader(logDelivery, { stream: "app-logs" })()]);
    const va = a.value as Value;
    const vb = b.value as Value;
    expect(va).toMatchObject({ duplicates: 0, unaccounted: 0 });
    expect(vb).toMatchObject({ duplicates: 0, unaccounted: 0, delivered: va.delivered });
    // Everything in the stream read once, not once per reading.
    expect(stream().outgoingRecords).toBeGreaterThanOrEqual(va.delivered as number);
    expect(stream().outgoingRecords).toBeLessThanOrEqual(stream().incomingRecords);
  });

  it("says so, after waiting one publishing interval, when no shipper publishes for the stream: naming the namespace and dimensions it looked for", async () => {
    r = await rig(shippingStack());
    await r.h.advance(MINUTE);
    const read = r.reader(logDelivery, { stream: "app-logs", shipperNamespace: "Elsewhere/Shippers", gaugeInterval: "PT30S" });
    const before = r.h.clock.now();
    await expect(read()).rejects.toThrow(/no log shipper publishes: CloudWatch has no Accepted in namespace Elsewhere\/Shippers with dimensions Stream=app-logs, Host, Boot/);
    expect(r.h.clock.now() - before).toBeGreaterThanOrEqual(30_000);
  });
});

/** The (host, boot) of the one shipper publishing for app-logs. */
async function onlyBoot(r: Rig): Promise<{ host: string; boot: string }> {
  const cloudwatch = await r.services.aws.cloudwatch();
  const out = await cloudwatch.send(new ListMetricsCommand({ Namespace: "Gameday/LogShipper", MetricName: "Accepted", Dimensions: [{ Name: "Stream", Value: "app-logs" }] }));
  const boots = (out.Metrics ?? []).filter((m) => m.Dimensions!.length === 3);
  expect(boots).toHaveLength(1);
  const dim = (name: string) => boots[0]!.Dimensions!.find((d) => d.Name === name)!.Value!;
  return { host: dim("Host"), boot: dim("Boot") };
}

/** Readings of a probe in a run that began at `startedAt` (the rig's run began when the rig did). */
function readerFrom(r: Rig, startedAt: number, withParams: Record<string, unknown>): (final: boolean) => Promise<{ value: unknown }> {
  const params = logDelivery.params.parse(withParams);
  const state: Record<string, unknown> = {};
  const run = { ...r.run, startedAt };
  return (final) => logDelivery.run({ ...r.services, params, run, signal: new AbortController().signal, state, runState: {}, mode: "sot", final });
}
