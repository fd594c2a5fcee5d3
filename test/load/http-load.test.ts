/**
 * The real-target load generator against a node:http server on 127.0.0.1 that the test controls:
 * how long it takes to answer, which requests it leaves hanging, fails or cuts off. Bounded request
 * counts and durations; every request goes to 127.0.0.1.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { RealClock, ScaledClock } from "../../src/time/clock.js";
import { runHttpLoad } from "../../src/load/http-load.js";
import { LoadMetrics, type MetricDatum } from "../../src/load/metrics.js";
import { MetricStore } from "../../src/sandbox/services/cloudwatch/store.js";
import type { MetricSink as SandboxSink } from "../../src/sandbox/services/cloudwatch/sink.js";

vi.setConfig({ testTimeout: 30_000 });

/** What the server does with the n-th request (0-based). */
type Behaviour = (n: number) => { delayMs: number; status?: number; hang?: boolean; reset?: boolean };

interface TestServer {
  url: string;
  /** performance.now() of each request's arrival. */
  arrivals: number[];
  /** performance.now() of the first answer sent. */
  firstAnswerAt: number;
  connections: number;
  close(): Promise<void>;
}

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
  servers = [];
});

async function server(behaviour: Behaviour): Promise<TestServer> {
  const state = { arrivals: [] as number[], firstAnswerAt: Infinity, connections: 0 };
  const s = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = state.arrivals.length;
    state.arrivals.push(performance.now());
    const b = behaviour(n);
    req.resume();
    if (b.reset) return void req.socket.destroy();
    if (b.hang) return;
    setTimeout(() => {
      state.firstAnswerAt = Math.min(state.firstAnswerAt, performance.now());
      res.writeHead(b.status ?? 200, { "content-type": "text/plain" }).end("ok\n");
    }, b.delayMs);
  });
  s.on("connection", () => state.connections++);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  return Object.assign(state, { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((r) => s.close(() => r())) }) as TestServer;
}

describe("runHttpLoad (open model against a real HTTP server)", () => {
  it("keeps the offered rate when the server is slow: requests go out before any answer comes back", async () => {
    const srv = await server(() => ({ delayMs: 1500 }));
    const started = performance.now();
    const r = await runHttpLoad({ url: srv.url, stages: [{ rate: 20, duration: 1000 }], clock: new RealClock() });
    expect(r.sent).toBe(20);
    expect(srv.arrivals).toHaveLength(20);
    // A closed loop would have sent one (or one per socket) before the first 1.5 s answer.
    expect(srv.arrivals.filter((t) => t < srv.firstAnswerAt)).toHaveLength(20);
    // And on schedule: the last one leaves about 950 ms in, not after the first answers.
    expect(srv.arrivals[19]! - started).toBeLessThan(1400);
    expect(r.byStatus).toEqual({ 200: 20 });
    expect(r.latency.p50).toBeGreaterThanOrEqual(1500);
  });

  it("counts requests left unanswered past the timeout as timeouts, and the rest by status", async () => {
    const srv = await server((n) => (n % 4 === 0 ? { delayMs: 0, hang: true } : n % 4 === 1 ? { delayMs: 5, status: 503 } : { delayMs: 5 }));
    const r = await runHttpLoad({ url: srv.url, stages: [{ rate: 40, duration: 500 }], clock: new RealClock(), timeoutMs: 300 });
    expect(r.sent).toBe(20);
    expect(r.errors).toEqual({ timeout: 5, refused: 0, reset: 0, other: 0 });
    expect(r.byStatus).toEqual({ 200: 10, 503: 5 });
    expect(r.answered).toBe(15);
  });

  it("measures the server's latency: percentiles within a tolerance of what it injected", async () => {
    // Nine in ten answer after 40 ms, one in ten after 250 ms.
    const srv = await server((n) => ({ delayMs: n % 10 === 9 ? 250 : 40 }));
    const r = await runHttpLoad({ url: srv.url, stages: [{ rate: 50, duration: 2000 }], clock: new RealClock() });
    expect(r.answered).toBe(100);
    // Never below what the server waited; above it by the loop's and the machine's overhead only.
    expect(r.latency.p50).toBeGreaterThanOrEqual(39);
    expect(r.latency.p50).toBeLessThan(40 + 60);
    expect(r.latency.p99).toBeGreaterThanOrEqual(245);
    expect(r.latency.p99).toBeLessThan(250 + 150);
    expect(r.latency.min).toBeGreaterThanOrEqual(39);
  });

  it("reuses keep-alive connections within a bounded pool", async () => {
    const srv = await server(() => ({ delayMs: 2 }));
    const r = await runHttpLoad({ url: srv.url, stages: [{ rate: 100, duration: 1000 }], clock: new RealClock(), maxSockets: 4 });
    expect(r.byStatus).toEqual({ 200: 100 });
    expect(srv.connections).toBeGreaterThan(0);
    expect(srv.connections).toBeLessThanOrEqual(4);
  });

  it("never opens more connections than the pool allows, even when answers are slow", async () => {
    const srv = await server(() => ({ delayMs: 200 }));
    const r = await runHttpLoad({ url: srv.url, stages: [{ rate: 50, duration: 400 }], clock: new RealClock(), maxSockets: 3 });
    expect(r.answered).toBe(20);
    expect(srv.connections).toBe(3);
  });

  it("classes refused and reset connections apart", async () => {
    const gone = await server(() => ({ delayMs: 0 }));
    await gone.close();
    const refused = await runHttpLoad({ url: gone.url, stages: [{ rate: 20, duration: 250 }], clock: new RealClock() });
    expect(refused.errors).toEqual({ timeout: 0, refused: 5, reset: 0, other: 0 });
    const cutter = await server(() => ({ delayMs: 0, reset: true }));
    const reset = await runHttpLoad({ url: cutter.url, stages: [{ rate: 20, duration: 250 }], clock: new RealClock() });
    expect(reset.errors).toEqual({ timeout: 0, refused: 0, reset: 5, other: 0 });
  });

  it("catches up when its timers fire late: every arrival goes out, none a whole timer behind the next", async () => {
    const srv = await server(() => ({ delayMs: 0 }));
    // Every timer fires 60 ms late: one request per timer would take 100 x 60 ms = 6 s for a 1 s schedule.
    class LateTimers extends ScaledClock {
      override setTimer(ms: number, fn: () => void): () => void {
        return super.setTimer(Math.max(0, ms) + 60, fn);
      }
    }
    const clock = new LateTimers(1);
    const r = await runHttpLoad({ url: srv.url, stages: [{ rate: 100, duration: 1000 }], clock, timeoutMs: 5000 });
    expect(r.sent).toBe(100);
    expect(r.byStatus).toEqual({ 200: 100 });
    expect(r.maxLagMs).toBeGreaterThanOrEqual(50);
    expect(srv.arrivals[99]! - srv.arrivals[0]!).toBeLessThan(2500);
  });

  it("stops sending when aborted, and still accounts for what it sent", async () => {
    const srv = await server(() => ({ delayMs: 0 }));
    const stop = new AbortController();
    const clock = new RealClock();
    clock.setTimer(300, () => stop.abort());
    const r = await runHttpLoad({ url: srv.url, stages: [{ rate: 20, duration: 10_000 }], clock, signal: stop.signal });
    expect(r.sent).toBeGreaterThan(2);
    expect(r.sent).toBeLessThan(20);
    expect(r.answered).toBe(r.sent);
  });

  it("rejects a URL it cannot drive, saying what it expected", () => {
    expect(() => runHttpLoad({ url: "ftp://127.0.0.1/", stages: [{ rate: 1, duration: 1000 }], clock: new RealClock() })).toThrow(/url: expected an http:\/\/ or https:\/\/ URL, found "ftp:\/\/127.0.0.1\/"/);
    expect(() => runHttpLoad({ url: "http://127.0.0.1/", stages: [{ rate: 1, duration: 1000 }], clock: new RealClock(), timeoutMs: 0 })).toThrow(/timeout: expected/);
    expect(() => runHttpLoad({ url: "http://127.0.0.1/", stages: [{ rate: 1, duration: 1000 }], clock: new RealClock(), headers: { "x-bad": "a\nb" } })).toThrow(/headers: expected HTTP header names and values, found "x-bad": "a\\nb"/);
  });
});

describe("runHttpLoad publishing what it measured as CloudWatch metrics", () => {
  it("puts RequestCount, status and error counts and TargetResponseTime per period, under its own namespace", async () => {
    const srv = await server((n) => (n % 5 === 0 ? { delayMs: 0, hang: true } : n % 5 === 1 ? { delayMs: 10, status: 502 } : { delayMs: 10 }));
    const put: MetricDatum[] = [];
    const metrics = new LoadMetrics({ put: (d) => put.push(d) }, { dimensions: { Url: srv.url }, periodMs: 1000 });
    const r = await runHttpLoad({ url: srv.url, stages: [{ rate: 20, duration: 2000 }], clock: new RealClock(), timeoutMs: 200, metrics });
    expect(r.sent).toBe(40);
    const sum = (name: string) => put.filter((d) => d.name === name).reduce((n, d) => n + (d.value ?? 0), 0);
    expect(sum("RequestCount")).toBe(40);
    expect(sum("HTTPCode_2XX_Count")).toBe(24);
    expect(sum("HTTPCode_5XX_Count")).toBe(8);
    expect(sum("TimeoutCount")).toBe(8);
    expect(sum("ConnectionErrorCount")).toBe(0);
    for (const d of put) {
      expect(d.namespace).toBe("Gameday/LoadGenerator");
      expect(d.dimensions).toEqual({ Url: srv.url });
      expect(d.storageResolution).toBe(1);
      expect(d.timestamp % 1000).toBe(0);
    }
    // At least two periods, each published once.
    const periods = put.filter((d) => d.name === "RequestCount").map((d) => d.timestamp);
    expect(periods.length).toBeGreaterThanOrEqual(2);
    expect(new Set(periods).size).toBe(periods.length);
    const trt = put.filter((d) => d.name === "TargetResponseTime");
    expect(trt.every((d) => d.unit === "Seconds" && d.values!.length === d.counts!.length && d.values!.length <= 150)).toBe(true);
    expect(trt.reduce((n, d) => n + d.counts!.reduce((a, b) => a + b, 0), 0)).toBe(32);
    const seconds = trt.flatMap((d) => d.values!);
    expect(Math.min(...seconds)).toBeGreaterThanOrEqual(0.009);
    expect(Math.max(...seconds)).toBeLessThan(0.2);
  });

  it("publishes a period as soon as it is over, while the load goes on", async () => {
    const srv = await server(() => ({ delayMs: 0 }));
    const put: { datum: MetricDatum; at: number }[] = [];
    const clock = new RealClock();
    const metrics = new LoadMetrics({ put: (datum) => put.push({ datum, at: clock.now() }) }, { dimensions: { Service: "web" }, periodMs: 1000 });
    const r = await runHttpLoad({ url: srv.url, stages: [{ rate: 10, duration: 2500 }], clock, metrics });
    const first = put.find((p) => p.datum.name === "RequestCount")!;
    expect(first.at).toBeLessThan(r.endedAt - 500);
    expect(first.at).toBeGreaterThanOrEqual(first.datum.timestamp + 1000);
  });

  it("fits the sandbox's MetricSink, so the sandbox's CloudWatch stores what it measured", () => {
    const store: SandboxSink = new MetricStore(() => 0);
    const metrics = new LoadMetrics(store, { dimensions: { Url: "http://127.0.0.1/" } });
    metrics.record(1000, { status: 200, latencyMs: 12 });
    expect(() => metrics.flush()).not.toThrow();
  });

  it("rejects a period CloudWatch cannot store, saying which ones it can", () => {
    expect(() => new LoadMetrics({ put() {} }, { dimensions: {}, periodMs: 7000 })).toThrow(/expected 60000 ms, or whole seconds dividing a minute .* found 7000/);
  });
});
