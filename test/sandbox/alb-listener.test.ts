/**
 * The served sandbox's ALB listener, in process: HTTP requests on a real port become arrivals at
 * the simulated ALB and come back when, and as, the simulation says: queued behind a busy thread,
 * cut off at the idle timeout. (503 with no target: test/e2e/serve-http.test.ts.) The sandbox's clock is paced (as `chaos sandbox serve` paces it).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { request } from "node:http";
import { harness, stackYaml, type Harness } from "./harness.js";
import { listenAlb, type AlbListener } from "../../src/sandbox/alb-listener.js";

vi.setConfig({ testTimeout: 30_000 });

let h: Harness | undefined;
let listener: AlbListener | undefined;
afterEach(async () => {
  await listener?.close();
  h?.close();
  listener = undefined;
  h = undefined;
});

function get(url: string): Promise<{ status: number; simulatedMs: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode!, simulatedMs: Number(res.headers["x-gameday-latency-ms"]) }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** One web task whose single thread takes `serviceTime`, behind a proxy that queues `backlog`. */
async function oneThread(serviceTime: string, idleTimeout = "PT60S", speed = 1): Promise<AlbListener> {
  h = await harness(
    stackYaml({
      taskDefinitions: `  - { family: web, cpu: 512, memory: 1024, startup: PT5S, shutdown: PT1S, app: { threads: 1, serviceTime: { distribution: constant, value: ${serviceTime} }, proxy: { backlog: 5 } } }`,
      services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 1, targetGroup: web }",
      targetGroups: `  - { name: web, idleTimeout: ${idleTimeout}, deregistrationDelay: PT5S, healthCheck: { interval: PT10S, healthyThreshold: 2, unhealthyThreshold: 2 } }`,
      load: "load: { web: [{ constantUsersPerSec: { rate: 0 } }] }",
    }),
  );
  await h.advance(60_000);
  h.clock.pace(speed);
  listener = await listenAlb(h.sandbox.traffic, h.clock, "web", 0);
  return listener;
}

describe("the ALB listener of a served sandbox", () => {
  it("queues requests behind a busy thread and answers each when the simulation finishes it", async () => {
    const l = await oneThread("100ms");
    const answers = await Promise.all([get(l.url), get(l.url), get(l.url)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    // One thread of 100 ms: the second waits for the first, the third for both.
    const latencies = answers.map((a) => a.simulatedMs).sort((a, b) => a - b);
    expect(latencies[0]).toBeCloseTo(100, -1);
    expect(latencies[1]! - latencies[0]!).toBeGreaterThan(80);
    expect(latencies[2]! - latencies[1]!).toBeGreaterThan(80);
    // The sandbox's request log saw the same three requests.
    const stats = h!.sandbox.traffic.stats("web", h!.clock.now() - 10_000, h!.clock.now());
    expect(stats.byStatus).toEqual({ 200: 3 });
  });

  it("serves a request queued behind one nobody waits on (the simulated load's) once that one ends", async () => {
    const l = await oneThread("200ms", "PT2S");
    // The simulated load's request takes the one thread for 200 ms; nothing else will look at the app.
    h!.sandbox.traffic.group("web")!.registered()[0]!.app.accept(h!.clock.now());
    const a = await get(l.url);
    expect(a.status).toBe(200);
    // About 200 ms queued, then 200 ms served: not cut off at the 2 s idle timeout.
    expect(a.simulatedMs).toBeGreaterThan(300);
    expect(a.simulatedMs).toBeLessThanOrEqual(400);
  });

  it("answers 504 at the ALB's idle timeout when the target takes longer", async () => {
    // 100x: a 2-minute request against a 10 s idle timeout comes back after 0.1 s of real time.
    const l = await oneThread("PT120S", "PT10S", 100);
    const t0 = performance.now();
    const a = await get(l.url);
    expect(a.status).toBe(504);
    expect(a.simulatedMs).toBe(10_000);
    // At the timeout (0.1 s real), not when the target finally finishes (1.2 s real).
    expect(performance.now() - t0).toBeLessThan(700);
  });
});
