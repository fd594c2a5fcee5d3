/**
 * capacity-ramp on the embedded sandbox: the seed's Puma load test (4 tasks × 20 threads, 300 ms)
 * ramped from 1 to 1,000 requests/s. Puma alone refuses a request as soon as its 20 threads are
 * busy, so Poisson bursts fail well below the theoretical maximum; nginx in front queues them, so
 * errors start only once the queue overflows, past it.
 */
import { describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

interface Capacity {
  knee: number;
  kneeReached: boolean;
  theoreticalMax: number;
  requests: number;
  errorsBySource: Record<string, number>;
  albErrors: Record<string, number>;
  series: { at: number; offered: number; requests: number; errors: number; p50: number; p95: number; p99: number }[];
}

/** The ramp on `stack`, or on the experiment's own stack (its gameday extension) when none is named. */
async function ramp(stack: string | undefined, ...extra: string[]): Promise<{ code: number | null; value: Capacity; stdout: string }> {
  const dir = scratch();
  const journal = join(dir, "journal.json");
  const r = await chaos(["run", join(REPO, "experiments/capacity-ramp.yaml"), ...(stack ? ["--stack", join(REPO, "fixtures/stacks", stack)] : []), "--seed", "7", "--log-format", "plain", "--journal-path", journal, ...extra], { cwd: dir });
  const doc = JSON.parse(readFileSync(journal, "utf8")) as { run: { output?: unknown }[] };
  const entry = doc.run.find((e) => typeof e.output === "object" && e.output !== null && "knee" in e.output);
  expect(entry, r.stdout + r.stderr).toBeDefined();
  return { code: r.code, value: entry!.output as Capacity, stdout: r.stdout };
}

describe("capacity-ramp on the embedded sandbox", () => {
  it("Puma alone: the knee falls well short of the 266.7 req/s theoretical maximum, and the hypothesis (knee >= 200) deviates", async () => {
    const { code, value, stdout } = await ramp("capacity-puma.yaml");
    expect(value.theoreticalMax).toBe(266.7);
    expect(value.kneeReached).toBe(true);
    // Erlang B: 20 threads per task lose 1% of arrivals at about 12 busy threads' worth of load (~160-190 req/s for 4 tasks).
    expect(value.knee).toBeGreaterThan(130);
    expect(value.knee).toBeLessThan(200);
    expect(value.errorsBySource["5XX"]).toBeGreaterThan(0);
    // The load balancer's side: Puma refused the connection, so every failure is an ELB 502 with a
    // target connection error; there was always a healthy target (no 503) and nothing waited (no 504).
    expect(value.albErrors.ELB_502).toBeGreaterThanOrEqual(value.errorsBySource["5XX"]!);
    expect(value.albErrors.TargetConnectionError).toBe(value.albErrors.ELB_502);
    expect(value.albErrors.ELB_503).toBe(0);
    expect(value.albErrors.ELB_504).toBe(0);
    // Refused at once: no request waits, so the slowest answers stay near the 300 ms service time all along.
    expect(Math.max(...value.series.map((p) => p.p99))).toBeLessThan(400);
    expect(code).toBe(1);
    expect(stdout).toMatch(/knee was \d+(\.\d)?, expected >= 200/);
  });

  it("nginx in front: the queue carries the knee past the theoretical maximum, at the price of waiting, and the hypothesis holds", async () => {
    // Without --stack the experiment runs on its own stack, Puma alone: the same ramp as the test above.
    const puma = (await ramp(undefined)).value;
    expect(puma).toEqual((await ramp("capacity-puma.yaml")).value);
    const { code, value } = await ramp("capacity-nginx-puma.yaml");
    expect(value.theoreticalMax).toBe(266.7);
    expect(value.kneeReached).toBe(true);
    expect(value.knee).toBeGreaterThan(266.7);
    expect(value.knee).toBeGreaterThan(puma.knee + 50);
    // Queued requests wait for a thread: past the maximum, latency grows far beyond the service time.
    expect(Math.max(...value.series.map((p) => p.p99))).toBeGreaterThan(1000);
    expect(code).toBe(0);
    // When the queue overflows, nginx answers with its own 502 page: the target's 5XX to the ALB,
    // not the ALB's own 502 and no refused connection, unlike Puma alone.
    expect(value.albErrors.Target_5XX).toBeGreaterThan(0);
    expect(value.albErrors.Target_5XX).toBeGreaterThanOrEqual(value.errorsBySource["5XX"]!);
    expect(value.albErrors.ELB_502).toBe(0);
    expect(value.albErrors.TargetConnectionError).toBe(0);
    expect(puma.albErrors.Target_5XX).toBe(0);
  });

  it("a 3 ms CPU-bound render on 1 vCPU tasks: the theoretical maximum is the vCPUs' 1,333 req/s, not the threads' 20,000, and the ramp to 1,000 req/s is answered while latency climbs", async () => {
    const { code, value } = await ramp("capacity-puma-render.yaml", "--var", "serviceTime=4ms", "--var", "cpuTime=3ms");
    expect(value.theoreticalMax).toBe(1333.3);
    expect(value.kneeReached).toBe(false);
    expect(value.errorsBySource["5XX"]).toBe(0);
    // The CPU queue grows as the ramp nears 1,000 req/s (75% of the 4 vCPUs).
    const early = value.series.find((p) => p.offered > 100)!;
    const late = value.series[value.series.length - 1]!;
    expect(late.p99).toBeGreaterThan(early.p99 * 1.3);
    expect(code).toBe(0);
  });

  it("the user's hypothesis decides: --var minKnee=300 makes the nginx stack deviate too", async () => {
    const { code } = await ramp("capacity-nginx-puma.yaml", "--var", "minKnee:int=300");
    expect(code).toBe(1);
  });
});
