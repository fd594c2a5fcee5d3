/**
 * When the load generator, not the target, is the bottleneck (src/load/shortfall.ts). The false
 * "deviated" of a served sandbox at --speed 30 came from requests that timed out in the
 * generator's own connection pool, counted as the target's timeouts. Here the same mechanism on
 * 127.0.0.1, made deterministic: a ManualClock moves only when the test says, while a local server
 * answers only when the test releases a request, so which request waits, times out or gets a
 * connection is the test's choice, not the machine's speed.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { runHttpLoad } from "../../src/load/http-load.js";
import { HttpTraffic } from "../../src/load/traffic-port.js";
import { LoadMetrics, type MetricDatum } from "../../src/load/metrics.js";
import httpSlo from "../../probes/http-slo.js";
import { ManualClock, until } from "./manual-clock.js";

vi.setConfig({ testTimeout: 30_000 });

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
  servers = [];
});

/** A server that answers a request only when the test releases it (or at once, with `immediate`). */
async function held(immediate = false): Promise<{ url: string; waiting: ServerResponse[]; seen: () => number; release(): void }> {
  const waiting: ServerResponse[] = [];
  let seen = 0;
  const s = createServer((req, res) => {
    seen++;
    req.resume();
    if (immediate) res.writeHead(200).end("ok");
    else waiting.push(res);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/`,
    waiting,
    seen: () => seen,
    release: () => void waiting.shift()?.writeHead(200).end("ok"),
  };
}

const sum = (data: MetricDatum[], name: string) => data.filter((d) => d.name === name).reduce((n, d) => n + (d.value ?? 0), 0);

/** A CloudWatch over what was put: every Sum is the total of its metric, every latency 10 ms. */
function cloudWatchOf(put: MetricDatum[]) {
  const client = {
    async send(command: { input: { MetricDataQueries: { Id: string; MetricStat: { Metric: { MetricName: string }; Stat: string } }[] } }) {
      return {
        MetricDataResults: command.input.MetricDataQueries.map((q) => {
          const name = q.MetricStat.Metric.MetricName;
          const value = name === "TargetResponseTime" ? 0.01 : sum(put, name);
          return { Id: q.Id, Values: put.some((d) => d.name === name) ? [value] : [] };
        }),
      };
    },
  };
  return { cloudwatch: async () => client };
}

describe("a generator whose own connection pool is full", () => {
  it("counts requests that never got a connection as its own failures, not the target's timeouts, warns, and the http-slo reading cannot judge the target", async () => {
    const srv = await held();
    const clock = new ManualClock();
    const put: MetricDatum[] = [];
    // One connection, the default 10 s timeout: the --speed 30 trial's 256 sockets and 0.33 s, in small.
    const traffic = new HttpTraffic({ urls: { web: srv.url }, clock, sink: { put: (d) => put.push(d) }, maxSockets: 1 });
    // 20 requests, one a millisecond, each at its own time.
    traffic.ramp("web", 1000, 1000, 20);
    clock.step(20, 1);
    await until(() => srv.waiting.length === 1);
    // web answers the first after 5 s: slow, but within the timeout.
    clock.step(5_000, 100);
    srv.release();
    // The connection is free: the second request, queued since 1 ms, reaches web 5 s late.
    await until(() => srv.waiting.length === 1 && srv.seen() === 2);
    // 10 s after they were due, the 18 still queued give up, never having reached web.
    clock.step(5_100, 100);
    srv.release();
    const [r] = await traffic.close();

    expect(srv.seen()).toBe(2);
    expect(r!.sent).toBe(20);
    expect(r!.byStatus).toEqual({ 200: 2 });
    // web is blamed for nothing: it answered both requests it was sent.
    expect(r!.errors).toEqual({ timeout: 0, refused: 0, reset: 0, other: 0 });
    expect(r!.shortfall).toMatchObject({ scheduled: 20, unsent: 18, late: 1, waitedForSocket: 19, stalled: 0 });
    expect(sum(put, "RequestCount")).toBe(2);
    expect(sum(put, "TimeoutCount")).toBe(0);
    expect(sum(put, "GeneratorErrorCount")).toBe(18);
    expect(sum(put, "GeneratorLateCount")).toBe(1);

    // The run's warning names the service, what went wrong and what to do.
    const [warning, ...more] = traffic.warnings();
    expect(more).toEqual([]);
    expect(warning).toMatch(/^the load generator for web could not keep its schedule: of 20 requests, 1 went out more than 1 s late \(up to 5\.0 s\), 18 never got one of its 1 connections within the 10 s timeout; 19 waited for a free connection of its own pool\./);
    expect(warning).toMatch(/not web's/);
    expect(warning).toMatch(/lower --speed/);

    // http-slo reads those metrics back: an error of the reading (cannot judge), not a deviation.
    const ctx = { clock, traffic, aws: cloudWatchOf(put), params: httpSlo.params.parse({ service: "web", window: "PT30S" }), state: { warmedUp: true }, signal: new AbortController().signal, final: false, mode: "continuous" as const };
    await expect(httpSlo.run(ctx as never)).rejects.toThrow("in the last 30 s the load generator sent 1 request(s) more than 1 s late and could not send (or lost the answer of) 18, beside 2 whose outcome it measured, 1% or more of its load: it could not keep its schedule; cannot judge web");
  });

  it("still counts a request web was sent and never answered as web's timeout, with nothing to warn about", async () => {
    const srv = await held();
    const clock = new ManualClock();
    const traffic = new HttpTraffic({ urls: { web: srv.url }, clock, sink: { put() {} } });
    traffic.ramp("web", 1000, 1000, 5);
    clock.step(5, 1);
    await until(() => srv.waiting.length === 5);
    clock.step(10_100, 100);
    const [r] = await traffic.close();
    expect(r!.errors.timeout).toBe(5);
    expect(r!.shortfall.missed).toBe(0);
    expect(traffic.warnings()).toEqual([]);
  });
});

describe("a generator that cannot keep up with its clock", () => {
  it("counts requests that went out more than a second late, however they were answered", async () => {
    const srv = await held(true);
    const clock = new ManualClock();
    const put: MetricDatum[] = [];
    const metrics = new LoadMetrics({ put: (d) => put.push(d) }, { dimensions: { Service: "web" }, periodMs: 1000 });
    // 10 req/s for 3 s, due at 0, 100 … 2,900 ms; the process stalls 3 s once the first is out.
    const done = runHttpLoad({ url: srv.url, stages: [{ rate: 10, duration: 3_000 }], clock, metrics });
    await until(() => srv.seen() === 1);
    clock.advance(3_000);
    await until(() => srv.seen() === 30);
    const r = await done;
    expect(r.byStatus).toEqual({ 200: 30 });
    // Those due before 2,000 ms went out more than 1 s late: 100 … 1,900 ms.
    expect(r.shortfall).toMatchObject({ late: 19, maxLateMs: 2_900, unsent: 0, waitedForSocket: 0 });
    expect(sum(put, "RequestCount")).toBe(30);
    expect(sum(put, "GeneratorLateCount")).toBe(19);
  });

  it("does not blame the target for a timeout that fired while the process was stalled: its answer may have come unread", async () => {
    const srv = await held();
    const clock = new ManualClock();
    const put: MetricDatum[] = [];
    const metrics = new LoadMetrics({ put: (d) => put.push(d) }, { dimensions: { Service: "web" }, periodMs: 1000 });
    const done = runHttpLoad({ url: srv.url, stages: [{ rate: 1, duration: 1 }], clock, metrics });
    await until(() => srv.waiting.length === 1);
    // The 10 s timeout fires 5 s late, in one jump.
    clock.advance(15_000);
    const r = await done;
    expect(r.errors.timeout).toBe(0);
    expect(r.shortfall).toMatchObject({ stalled: 1, unsent: 0 });
    expect(sum(put, "RequestCount")).toBe(0);
    expect(sum(put, "GeneratorErrorCount")).toBe(1);
  });
});
