import { afterEach, describe, expect, it } from "vitest";
import { ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import httpSlo from "../../probes/http-slo.js";
import { rig, stackYaml, type Rig } from "../faults/rig.js";
import type { TrafficPort } from "../../src/engine/ports.js";
import { VirtualClock } from "../../src/time/clock.js";
import { expectDeclared } from "./declared.js";
import { VISIBILITY_POLL_MS } from "../../src/aws/load-window.js";

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

type Value = { requests: number; availability: number; p50: number; p95: number; p99: number; max: number; windowMs: number; byStatus: Record<string, number> };

const webApp = (serviceTime: string) => `  - family: web
    cpu: 512
    memory: 1024
    startup: PT10S
    shutdown: PT2S
    app: { threads: 20, serviceTime: ${serviceTime} }`;

describe("http-slo on the sandbox's web path", () => {
  it("reads percentiles of the trailing window: a constant 100 ms service time is 100 ms at p50, p95 and p99", async () => {
    r = await rig(stackYaml({ taskDefinitions: webApp("{ distribution: constant, value: 100ms }"), load: "load: { web: [{ constantUsersPerSec: { rate: 50 } }] }" }));
    const v = (await r.reader(httpSlo, { service: "web", window: "PT10S" })()).value as Value;
    expectDeclared(httpSlo, v);
    expect(v.windowMs).toBe(10_000);
    expect(v.availability).toBe(1);
    for (const p of [v.p50, v.p95, v.p99]) {
      expect(p).toBeGreaterThanOrEqual(100);
      expect(p).toBeLessThan(120);
    }
  });

  it("orders p50 < p95 < p99 for a skewed service time, near the configured p50 and p99", async () => {
    r = await rig(stackYaml({ taskDefinitions: webApp("{ p50: 25ms, p99: 250ms }"), load: "load: { web: [{ constantUsersPerSec: { rate: 100 } }] }" }));
    const v = (await r.reader(httpSlo, { service: "web", window: "PT30S" })()).value as Value;
    expect(v.p50).toBeLessThan(v.p95);
    expect(v.p95).toBeLessThan(v.p99);
    expect(v.p50).toBeGreaterThan(15);
    expect(v.p50).toBeLessThan(40);
    expect(v.p99).toBeGreaterThan(150);
    expect(v.p99).toBeLessThan(400);
  });

  it("covers exactly its window: three times the window, three times the requests", async () => {
    r = await rig(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 40 } }] }" }));
    const short = r.reader(httpSlo, { service: "web", window: "PT10S" });
    const long = r.reader(httpSlo, { service: "web", window: "PT30S" });
    await long(); // warms up: waits a full 30 s window
    const a = (await short()).value as Value; // waits its own 10 s
    const b = (await long()).value as Value;
    expect(a.requests).toBeGreaterThan(360);
    expect(a.requests).toBeLessThan(440);
    expect(b.requests / a.requests).toBeGreaterThan(2.7);
    expect(b.requests / a.requests).toBeLessThan(3.3);
  });

  it("offers load at `rps` when the target carries none, and sees availability fall when every task is killed", async () => {
    r = await rig(stackYaml());
    const read = r.reader(httpSlo, { service: "web", rps: 50, window: "PT10S" });
    const before = (await read()).value as Value;
    expect(before.requests).toBeGreaterThan(450);
    expect(before.availability).toBe(1);
    const tasks = (await r.h.ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "web" }))).taskArns!;
    for (const task of tasks) await r.h.ecs.send(new StopTaskCommand({ cluster: "prod", task }));
    await r.h.advance(10_000);
    const reading = await read();
    const during = reading.value as Value;
    expect(during.availability).toBeLessThan(0.9);
    expect(Object.keys(during.byStatus).some((s) => s.startsWith("5"))).toBe(true);
    expect(reading.observations?.[0]?.message).toMatch(/^web: \d+ of \d+ requests failed in the last 10 s/);
  });

  it("refuses to judge a window with too few requests, and a service it has no traffic for", async () => {
    r = await rig(stackYaml());
    await expect(r.reader(httpSlo, { service: "web", window: "PT10S" })()).rejects.toThrow(/only 0 request\(s\) to web in the last 10 s; cannot judge availability/);
    await expect(r.reader(httpSlo, { service: "api" })()).rejects.toThrow(/no traffic for service "api" on this target; known: web/);
  });
});

describe("http-slo's windows", () => {
  /** A CloudWatch that records each GetMetricData and answers every query with `value`. */
  function fakeCloudWatch(value: (id: string) => number | undefined) {
    const asked: { start: number; end: number; periods: number[]; stats: string[] }[] = [];
    const client = {
      async send(command: { input: { StartTime: Date; EndTime: Date; MetricDataQueries: { Id: string; MetricStat: { Period: number; Stat: string } }[] } }) {
        const q = command.input;
        asked.push({ start: q.StartTime.getTime(), end: q.EndTime.getTime(), periods: [...new Set(q.MetricDataQueries.map((m) => m.MetricStat.Period))], stats: q.MetricDataQueries.map((m) => m.MetricStat.Stat) });
        return { MetricDataResults: q.MetricDataQueries.map((m) => ({ Id: m.Id, Values: value(m.Id) === undefined ? [] : [value(m.Id)] })) };
      },
    };
    return { asked, aws: { cloudwatch: async () => client } };
  }

  it("reads the last whole period of the window from CloudWatch (Period = window), after a first full period of warm-up", async () => {
    const clock = new VirtualClock();
    // 10 requests: 9 2XX, 1 5XX; latencies in seconds as CloudWatch holds them.
    const cw = fakeCloudWatch((id) => ({ c0: 10, c1: 9, c4: 1, l0: 0.001, l1: 0.002, l2: 0.003, l3: 0.004 })[id]);
    const traffic: TrafficPort = { services: () => ["web"], drive() {} };
    const t0 = clock.now();
    const params = httpSlo.params.parse({ service: "web", window: "PT30S" });
    const ctx = { clock, traffic, aws: cw.aws, params, state: {}, signal: new AbortController().signal, final: false, mode: "continuous" as const } as never;
    const first = await httpSlo.run(ctx);
    await clock.sleep(5_000);
    await httpSlo.run(ctx);
    clock.stop();
    const end = Math.ceil((t0 + 30_000) / 30_000) * 30_000;
    expect(end - 30_000).toBeGreaterThanOrEqual(t0);
    expect(cw.asked.map((a) => [a.start, a.end])).toEqual([
      [end - 30_000, end],
      [end - 30_000, end], // 5 s later the period that ended last is still the same one
    ]);
    expect(cw.asked[0]!.periods).toEqual([30]);
    expect(cw.asked[0]!.stats).toEqual(expect.arrayContaining(["Sum", "p50", "p95", "p99", "Maximum"]));
    expect(first.value).toMatchObject({ requests: 10, availability: 0.9, p50: 1, p95: 2, p99: 3, max: 4, byStatus: { "2XX": 9, "5XX": 1 }, windowMs: 30_000 });
  });

  it("counts timeouts and connection errors as failed requests, by name in byStatus", async () => {
    const clock = new VirtualClock();
    // RequestCount 10: 6 2XX, 1 3XX, 2 timeouts, 1 connection error.
    const cw = fakeCloudWatch((id) => ({ c0: 10, c1: 6, c2: 1, c5: 2, c6: 1, l0: 0.01, l1: 0.01, l2: 0.01, l3: 0.01 })[id]);
    const ctx = { clock, traffic: { services: () => ["web"], drive() {} }, aws: cw.aws, params: httpSlo.params.parse({ service: "web", window: "PT10S" }), state: { warmedUp: true }, signal: new AbortController().signal, final: false, mode: "continuous" as const } as never;
    const reading = await httpSlo.run(ctx);
    clock.stop();
    expect(reading.value).toMatchObject({ requests: 10, availability: 0.7, byStatus: { "2XX": 6, "3XX": 1, timeout: 2, connectionError: 1 } });
    expect(reading.observations?.[0]?.message).toMatch(/^web: 3 of 10 requests failed in the last 10 s/);
  });

  it("waits for the generator's puts of the window before reading it, when the target's port says they are still going out", async () => {
    const clock = new VirtualClock();
    await clock.sleep(45_000); // mid-period: the last whole 30 s period ended 15 s ago or less
    // The port's last put lands only when published() is awaited: until then CloudWatch has 9 requests.
    let landed = false;
    const cw = fakeCloudWatch((id) => (id.startsWith("l") ? 0.001 : ((landed ? { c0: 10, c1: 9, c4: 1 } : { c0: 9, c1: 9 }) as Record<string, number>)[id]));
    const asked: [string, number][] = [];
    const traffic: TrafficPort = {
      services: () => ["web"],
      drive() {},
      async published(service, until) {
        asked.push([service, until]);
        // The put is answered a moment later (a real turn of the event loop, as a network call is).
        await new Promise((resolve) => setImmediate(resolve));
        landed = true;
      },
    };
    const ctx = { clock, traffic, aws: cw.aws, params: httpSlo.params.parse({ service: "web", window: "PT30S" }), state: { warmedUp: true }, signal: new AbortController().signal, final: false, mode: "continuous" as const } as never;
    const reading = await httpSlo.run(ctx);
    clock.stop();
    const end = Math.floor(clock.now() / 30_000) * 30_000;
    expect(asked).toEqual([["web", end]]);
    expect(cw.asked.map((a) => a.end)).toEqual([end]);
    expect(reading.value).toMatchObject({ requests: 10, availability: 0.9 });
  });

  it("reads again until CloudWatch shows every request the generator put for the window, and refuses to judge a part of it", async () => {
    const clock = new VirtualClock();
    await clock.sleep(45_000);
    // Answered puts become readable a few seconds later, as on AWS: 4, then 8, then all 10 requests.
    let first = 0;
    const shown = [4, 8, 10];
    const cw = fakeCloudWatch((id) => (id === "c0" || id === "c1" ? shown[Math.min(cw.asked.length - 1 - first, 2)] : id.startsWith("l") ? 0.001 : undefined));
    const windows: [number, number][] = [];
    const traffic: TrafficPort = {
      services: () => ["web"],
      drive() {},
      published: async () => {},
      requestsPut(_service, start, end) {
        windows.push([start, end]);
        return 10;
      },
    };
    const params = httpSlo.params.parse({ service: "web", window: "PT30S" });
    const ctx = { clock, traffic, aws: cw.aws, params, state: { warmedUp: true }, signal: new AbortController().signal, final: false, mode: "continuous" as const } as never;
    const t0 = clock.now();
    const reading = await httpSlo.run(ctx);
    expect(reading.value).toMatchObject({ requests: 10, availability: 1 });
    expect(cw.asked).toHaveLength(3);
    expect(clock.now() - t0).toBe(2 * VISIBILITY_POLL_MS);
    const end = Math.floor(t0 / 30_000) * 30_000;
    expect(windows).toEqual([[end - 30_000, end]]);
    // A window CloudWatch never completes is an error of the reading, not a verdict on 8 of 10.
    first = cw.asked.length - 1;
    shown[2] = 8;
    await expect(httpSlo.run(ctx)).rejects.toThrow(/^CloudWatch shows 8 of the 10 requests the load generator put for web from .* after waiting 3 minutes for the rest; cannot judge part of a window$/);
    clock.stop();
  });

  it("refuses a window CloudWatch cannot read as one period of the 1-second metrics", () => {
    expect(() => httpSlo.params.parse({ service: "web", window: "1500ms" })).toThrow(/whole number of seconds \(the load generator's metrics have 1-second resolution\)/);
    expect(() => httpSlo.params.parse({ service: "web", window: "PT45S" })).toThrow(/CloudWatch period: 1, 5, 10, 20 or 30 s, or a whole number of minutes/);
    expect(() => httpSlo.params.parse({ service: "web", window: "PT90S" })).toThrow(/CloudWatch period/);
    for (const window of ["PT1S", "PT5S", "PT10S", "PT20S", "PT30S", "PT1M", "PT5M"]) expect(httpSlo.params.parse({ service: "web", window }).window).toBeGreaterThan(0);
  });
});
