/**
 * A task's vCPUs bound its web server's throughput: a request's CPU work (cpuTime) runs on the
 * task's CPU, one request per vCPU at a time, so 20 threads on 1 vCPU serve a CPU-bound request
 * no faster than that vCPU does (ECS task definitions: 1024 CPU units are one vCPU; the seed's
 * load test ran 1 vCPU Fargate tasks).
 */
import { afterEach, describe, expect, it } from "vitest";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness;
afterEach(() => h?.close());

/** One task of `cpu` units, 20 threads, a 10 ms render and 1 ms of waiting per request, 150 req/s offered. */
const oneTask = (cpu: number, cpuTime: string) =>
  stackYaml({
    taskDefinitions: `  - { family: web, cpu: ${cpu}, memory: 2048, startup: PT5S, app: { threads: 20, serviceTime: { distribution: constant, value: 1ms }, cpuTime: ${cpuTime} } }`,
    services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 1, targetGroup: web }",
    load: "load: { web: [{ constantUsersPerSec: { rate: 150 } }] }",
  });

async function minute(stack: string) {
  h = await harness(stack);
  await h.advance(60_000);
  const t = h.clock.now();
  await h.advance(60_000);
  const s = h.sandbox.traffic.stats("web", t, h.clock.now());
  await h.close();
  return s;
}

describe("task CPU limits", () => {
  it("1 vCPU serves a 10 ms render at no more than 100 req/s, whatever its 20 threads could do; 2 vCPUs serve the 150 offered", async () => {
    const one = await minute(oneTask(1024, "10ms"));
    const two = await minute(oneTask(2048, "10ms"));
    // Threads alone would allow 20 / 11 ms = 1,818 req/s; the vCPU allows 1 / 10 ms = 100.
    expect(one.byStatus[200]! / 60).toBeLessThanOrEqual(100.5);
    expect(one.byStatus[200]! / 60).toBeGreaterThan(90);
    // The rest found every thread waiting for the CPU and was refused (ALB 502).
    expect(one.byStatus[502]! / one.requests).toBeGreaterThan(0.25);
    // Requests that got a thread waited for the CPU: up to 20 renders queued ahead of them.
    expect(one.p95).toBeGreaterThan(100);
    expect(two.availability).toBeGreaterThan(0.99);
    expect(two.p50).toBeLessThan(30);
  });

  it("a task of half a vCPU renders at half speed; without cpuTime the vCPUs bound nothing", async () => {
    const half = await minute(oneTask(512, "4ms"));
    // 8 ms of one vCPU per request at 0.5 vCPU: 125 req/s at most, under the 150 offered.
    expect(half.byStatus[200]! / 60).toBeLessThanOrEqual(125.5);
    expect(half.byStatus[502]).toBeGreaterThan(0);
    const none = await minute(oneTask(512, "0ms"));
    expect(none.availability).toBe(1);
    expect(none.max).toBe(1);
  });
});
