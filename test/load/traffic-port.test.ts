/**
 * The traffic port on real targets: drive(service, rps) sends an open-model load to the service's
 * URL until close(), and publishes what it measured as Gameday/LoadGenerator metrics with
 * dimensions { Service } at 1-second periods.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpTraffic } from "../../src/load/traffic-port.js";
import type { MetricDatum } from "../../src/load/metrics.js";
import { RealClock, ScaledClock } from "../../src/time/clock.js";
import { SeededRandom } from "../../src/random/random.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** A local HTTP server that counts requests and answers `status`. */
async function counting(status = 200): Promise<{ url: string; seen: () => number }> {
  let seen = 0;
  server = createServer((req, res) => {
    seen++;
    req.resume();
    res.writeHead(status).end("ok");
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen: () => seen };
}

const realMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (data: MetricDatum[], name: string) => data.filter((d) => d.name === name).reduce((s, d) => s + (d.value ?? 0), 0);

describe("HttpTraffic", () => {
  it("drives the service's URL until closed and publishes every request it sent as 1-second Gameday/LoadGenerator metrics by Service", async () => {
    const { url, seen } = await counting(503);
    const put: MetricDatum[] = [];
    const traffic = new HttpTraffic({ urls: { web: url }, clock: new RealClock(), sink: { put: (d) => put.push(d) } });
    expect(traffic.services()).toEqual(["web"]);
    traffic.drive("web", 100);
    await realMs(600);
    const [result] = await traffic.close();
    expect(result!.sent).toBeGreaterThan(10);
    expect(seen()).toBe(result!.sent);
    expect(put.length).toBeGreaterThan(0);
    for (const d of put) {
      expect(d).toMatchObject({ namespace: "Gameday/LoadGenerator", dimensions: { Service: "web" }, storageResolution: 1 });
      expect(d.timestamp % 1000).toBe(0);
    }
    expect(sum(put, "RequestCount")).toBe(result!.sent);
    expect(sum(put, "HTTPCode_5XX_Count")).toBe(result!.sent);
  });

  it("runs on the clock it is given: at 20x the same real time offers 20 times the requests", async () => {
    const { url, seen } = await counting();
    const traffic = new HttpTraffic({ urls: { web: url }, clock: new ScaledClock(20), sink: { put() {} } });
    traffic.drive("web", 10);
    await realMs(500);
    await traffic.close();
    // 10 rps for 10 sandbox seconds: about 100 requests, where real time would send about 5.
    expect(seen()).toBeGreaterThan(40);
  });

  it("offers at least the highest rate asked, never lowers it, and stops with close()", async () => {
    const { url, seen } = await counting();
    const traffic = new HttpTraffic({ urls: { web: url }, clock: new ScaledClock(10), sink: { put() {} } });
    traffic.drive("web", 20);
    traffic.drive("web", 5);
    traffic.drive("web", 50);
    const results = await (async () => {
      await realMs(400);
      return traffic.close();
    })();
    // Two generators: the first 20 rps, then the 30 rps short of 50; the 5 asked added nothing.
    expect(results).toHaveLength(2);
    const after = seen();
    await realMs(100);
    expect(seen()).toBe(after);
    traffic.drive("web", 100);
    await realMs(100);
    expect(seen()).toBe(after);
  });

  it("ramps natively: one open-model load whose rate rises linearly over the ramp, three times as many requests in its second half as in its first", async () => {
    // 0 -> 100 req/s over 2 s of the clock's time: 100 requests expected, 25 in the first second.
    const clock = new ScaledClock(2);
    const at: number[] = [];
    let start = 0;
    server = createServer((req, res) => {
      at.push(clock.now() - start);
      req.resume();
      res.writeHead(200).end("ok");
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const put: MetricDatum[] = [];
    const traffic = new HttpTraffic({ urls: { web: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }, clock, sink: { put: (d) => put.push(d) } });
    start = clock.now();
    traffic.ramp("web", 0, 100, 2_000);
    // The ramp ends by itself: close() only waits for it.
    await clock.sleep(4_000);
    const [result] = await traffic.close();
    expect(result!.sent).toBe(100);
    expect(at).toHaveLength(100);
    expect(sum(put, "RequestCount")).toBe(100);
    const firstHalf = at.filter((t) => t < 1_000).length;
    // A steady 50 req/s would split them evenly; the ramp sends a quarter in its first half.
    expect(firstHalf).toBeLessThan((100 - firstHalf) / 2);
  });

  it("ramps with Poisson arrivals drawn from the Random it is given: the same seed sends the same requests", async () => {
    const { url, seen } = await counting();
    const sent: number[] = [];
    for (let i = 0; i < 2; i++) {
      const traffic = new HttpTraffic({ urls: { web: url }, clock: new ScaledClock(10), sink: { put() {} }, random: new SeededRandom(11) });
      traffic.ramp("web", 10, 110, 2_000);
      // 200 ms of real time at 10x; the margin lets a loaded machine finish the ramp before close().
      await realMs(1_000);
      const [result] = await traffic.close();
      sent.push(result!.sent);
    }
    expect(sent[0]).toBe(sent[1]);
    expect(seen()).toBe(sent[0]! * 2);
    // About 120 expected (the rate's integral): Poisson, not the uniform schedule's exact 120.
    expect(sent[0]).toBeGreaterThan(80);
    expect(sent[0]).toBeLessThan(160);
  });

  it("published(service, until) resolves once the periods that ended by then are put and the sink has answered, and never puts an unfinished one", async () => {
    const { url } = await counting();
    // A sink that holds puts until flushed, and answers a flush a moment later: PutMetricData over a network.
    const held: MetricDatum[] = [];
    const sent: MetricDatum[] = [];
    const stored: MetricDatum[] = [];
    const listeners: ((datums: readonly MetricDatum[]) => void)[] = [];
    // Every other flush fails, as a throttled PutMetricData does: its datums are never stored.
    let flushes = 0;
    const sink = {
      put: (d: MetricDatum) => void held.push(d),
      flush: async () => {
        const batch = held.splice(0);
        sent.push(...batch);
        await realMs(20);
        if (flushes++ % 2 === 1) return;
        stored.push(...batch);
        for (const l of listeners) l(batch);
      },
      onStored: (l: (datums: readonly MetricDatum[]) => void) => void listeners.push(l),
    };
    const clock = new ScaledClock(10);
    const traffic = new HttpTraffic({ urls: { web: url }, clock, sink });
    await traffic.published("web", clock.now()); // never driven: nothing to wait for
    traffic.drive("web", 50);
    await realMs(350); // 3.5 s of the generator's clock
    const until = Math.floor(clock.now() / 1000) * 1000;
    await traffic.published("web", until);
    const seconds = new Set(stored.filter((d) => d.name === "RequestCount").map((d) => d.timestamp));
    // Every second that ended by `until` is in CloudWatch; the one under way is not.
    expect(seconds.has(until - 1000)).toBe(true);
    expect(Math.max(...seconds)).toBeLessThan(until);
    expect(sum(stored, "RequestCount")).toBeGreaterThan(0);
    // What a reader waits to see in CloudWatch: the requests stored for a window's seconds, exactly.
    const put = (from: number, to: number) => sum(stored.filter((d) => d.timestamp >= from && d.timestamp < to), "RequestCount");
    expect(traffic.requestsPut("web", 0, until)).toBe(put(0, until));
    expect(traffic.requestsPut("web", until - 1000, until)).toBe(put(until - 1000, until));
    expect(traffic.requestsPut("web", until - 1000, until)).toBeGreaterThan(0);
    expect(traffic.requestsPut("api", 0, until)).toBe(0);
    // The next seconds' put fails (the second flush): sent, never stored, and not waited for.
    await realMs(200);
    const later = Math.floor(clock.now() / 1000) * 1000;
    await traffic.published("web", later);
    expect(sum(sent.filter((d) => d.timestamp >= until && d.timestamp < later), "RequestCount")).toBeGreaterThan(0);
    expect(traffic.requestsPut("web", until, later)).toBe(0);
    // A sink that does not say which puts succeeded: nothing to wait for.
    expect(new HttpTraffic({ urls: { web: url }, clock, sink: { put() {} } }).requestsPut("web", 0, until)).toBeUndefined();
    await traffic.close();
  });

  it("says which services it knows when asked to drive another", () => {
    const traffic = new HttpTraffic({ urls: { web: "http://127.0.0.1:9/" }, clock: new RealClock(), sink: { put() {} } });
    expect(() => traffic.drive("api", 10)).toThrow('no URL for service "api"; known: web');
  });
});
