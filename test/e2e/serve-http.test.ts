/**
 * `chaos sandbox serve` exposes each load-balanced service's ALB listener as a real HTTP port on
 * 127.0.0.1: an HTTP request is an arrival at that ALB in the sandbox, answered after the simulated
 * latency (on the sandbox's clock, scaled) with the simulated status. The stack here is the default
 * one without its own offered load, so every request the sandbox sees is one of ours.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "node:http";
import { ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { chaos, freePort, REPO, scratch, start, type Running } from "./cli.js";
import { runHttpLoad } from "../../src/load/http-load.js";
import { ScaledClock } from "../../src/time/clock.js";

vi.setConfig({ testTimeout: 120_000 });

const SPEED = 10;
const served: Running[] = [];
afterAll(async () => {
  for (const s of served) {
    s.child.kill("SIGTERM");
    await s.done;
  }
});

/** A scratch stack: the default one with no offered load of its own. */
function idleStack(dir: string): string {
  const file = join(dir, "idle.yaml");
  writeFileSync(file, `extends: ${JSON.stringify(join(REPO, "fixtures/stacks/default.yaml"))}\nload:\n  web: [{ constantUsersPerSec: { rate: 0 } }]\n`);
  return file;
}

interface ServedWithAlb {
  endpoint: string;
  alb: string;
  stdout: () => string;
}

async function serveWithAlb(extra: string[] = []): Promise<ServedWithAlb> {
  const dir = scratch();
  const port = await freePort();
  const s = start(["sandbox", "serve", "--port", String(port), "--speed", String(SPEED), "--seed", "3", "--stack", idleStack(dir), ...extra], { cwd: dir });
  let out = "";
  s.child.stdout!.on("data", (d: string) => (out += d));
  served.push(s);
  await s.waitFor(/alb web listening on http:\/\/127\.0\.0\.1:\d+\n/);
  const alb = /alb web listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out)![1]!;
  return { endpoint: `http://127.0.0.1:${port}`, alb, stdout: () => out };
}

/** One GET, as curl would send it: status, simulated latency header, and real time taken. */
function get(url: string): Promise<{ status: number; simulatedMs: number; realMs: number; body: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, simulatedMs: Number(res.headers["x-gameday-latency-ms"]), realMs: performance.now() - t0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("chaos sandbox serve: the ALB listener as a real HTTP port", () => {
  it("answers a plain GET with a 200 after the simulated service time, scaled by the speed", async () => {
    const s = await serveWithAlb();
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await get(`${s.alb}/`));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    // The default stack's web tasks take 25 ms at the median (p99 250 ms) of the sandbox's time.
    const simulated = answers.map((a) => a.simulatedMs).sort((a, b) => a - b);
    expect(simulated[0]!).toBeGreaterThan(0);
    expect(simulated[10]!).toBeGreaterThan(5);
    expect(simulated[10]!).toBeLessThan(150);
    // A slow simulated answer comes back no sooner than its latency at 10x, give or take the
    // paced clock's lead (a timer fires up to one wall millisecond early) and one more for a request
    // that arrives while the sandbox is a moment behind the wall (it takes the overdue event's time).
    // At least one answer is slow enough (30 ms, 3 ms at 10x) that answering at once would fail this.
    expect(simulated[19]!).toBeGreaterThan(30);
    for (const a of answers) expect(a.realMs).toBeGreaterThanOrEqual(a.simulatedMs / SPEED - 2);
  });

  it("answers 503 once the service has no target to route to", async () => {
    const s = await serveWithAlb();
    expect((await get(s.alb)).status).toBe(200);
    const ecs = new ECSClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, endpoint: s.endpoint, requestHandler: new NodeHttpHandler() });
    try {
      await ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", desiredCount: 0 }));
    } finally {
      ecs.destroy();
    }
    let last = 0;
    for (let i = 0; i < 200 && last !== 503; i++) {
      last = (await get(s.alb)).status;
      if (last !== 503) await new Promise((r) => setTimeout(r, 50));
    }
    expect(last).toBe(503);
    const again = await get(s.alb);
    expect(again.status).toBe(503);
    expect(again.body).toContain("503 Service Temporarily Unavailable");
  });

  it("takes the port asked with --alb-port", async () => {
    const port = await freePort();
    const s = await serveWithAlb(["--alb-port", `web=${port}`]);
    expect(s.alb).toBe(`http://127.0.0.1:${port}`);
    expect((await get(s.alb)).status).toBe(200);
  });

  it("is driven by the load generator: open-model load at 20 rps, every request answered, latencies in the sandbox's time", async () => {
    const s = await serveWithAlb();
    // The generator's clock runs at the sandbox's speed, so it measures in the sandbox's time.
    const clock = new ScaledClock(SPEED);
    // 3 real seconds at 20 requests per real second.
    const r = await runHttpLoad({ url: s.alb, stages: [{ rate: 20 / SPEED, duration: 3000 * SPEED }], clock, maxSockets: 16 });
    expect(r.sent).toBe(60);
    expect(r.byStatus).toEqual({ 200: 60 });
    expect(r.errors).toEqual({ timeout: 0, refused: 0, reset: 0, other: 0 });
    expect(r.latency.p50).toBeGreaterThan(5);
    expect(r.latency.p50).toBeLessThan(150);

    // The sandbox's ALB saw the same requests: its AWS/ApplicationELB metrics, read as a dashboard
    // would, count them once each minute is over (6 real seconds at 10x).
    const cw = new CloudWatchClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, endpoint: s.endpoint, requestHandler: new NodeHttpHandler() });
    try {
      const sums = async (): Promise<Record<string, number>> => {
        const listed = await cw.send(new ListMetricsCommand({ Namespace: "AWS/ApplicationELB", MetricName: "RequestCount" }));
        const lb = listed.Metrics?.find((m) => m.Dimensions?.length === 1 && m.Dimensions[0]!.Name === "LoadBalancer")?.Dimensions;
        if (!lb) return {};
        // The sandbox's clock runs ahead of the wall clock at 10x: a window wide enough for both.
        const now = Date.now();
        const out = await cw.send(
          new GetMetricDataCommand({
            StartTime: new Date(now - 3_600_000),
            EndTime: new Date(now + 3_600_000),
            MetricDataQueries: ["RequestCount", "HTTPCode_Target_2XX_Count"].map((name, i) => ({ Id: `m${i}`, Label: name, MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: name, Dimensions: lb }, Period: 60, Stat: "Sum" } })),
          }),
        );
        return Object.fromEntries((out.MetricDataResults ?? []).map((m) => [m.Label!, (m.Values ?? []).reduce((a, b) => a + b, 0)]));
      };
      let seen: Record<string, number> = {};
      for (let i = 0; i < 100 && seen.RequestCount !== r.sent; i++) {
        seen = await sums();
        if (seen.RequestCount !== r.sent) await new Promise((done) => setTimeout(done, 200));
      }
      expect(seen).toEqual({ RequestCount: 60, HTTPCode_Target_2XX_Count: 60 });
    } finally {
      cw.destroy();
    }
  });
});

describe("chaos sandbox serve --alb-port: bad input", () => {
  it("exits 2 naming the flag and the services when the service is not load-balanced", async () => {
    const r = await chaos(["sandbox", "serve", "--port", "0", "--alb-port", "worker=8080"], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--alb-port: expected a load-balanced service of the stack (web), found "worker"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 on a value that is not SERVICE=PORT", async () => {
    const r = await chaos(["sandbox", "serve", "--port", "0", "--alb-port", "web:8080"], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--alb-port: expected SERVICE=PORT (a port from 0 to 65535), found "web:8080"');
  });
});
