import { afterEach, describe, expect, it } from "vitest";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { AlbMetrics, albIdentity } from "../../../src/sandbox/metrics/alb.js";
import { parseStatistic } from "../../../src/sandbox/services/cloudwatch/statistic.js";
import { harness, stackYaml, type Harness } from "../harness.js";
import { RecordingSink } from "./recording-sink.js";

const id = albIdentity("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef");
const LB = { LoadBalancer: id.loadBalancer };
const TG = { TargetGroup: id.targetGroup, LoadBalancer: id.loadBalancer };
const AZ = (zone: string) => ({ AvailabilityZone: zone, LoadBalancer: id.loadBalancer });
const TGAZ = (zone: string) => ({ TargetGroup: id.targetGroup, AvailabilityZone: zone, LoadBalancer: id.loadBalancer });

describe("AWS/ApplicationELB from the ALB's traffic", () => {
  it("names the load balancer and target group as AWS's dimensions do", () => {
    expect(id.targetGroup).toBe("targetgroup/web/0123456789abcdef");
    expect(id.loadBalancer).toMatch(/^app\/web\/[0-9a-f]{16}$/);
  });

  it("puts one datum per metric and minute, after the minute ends, with counts that match the requests", () => {
    const sink = new RecordingSink();
    const alb = new AlbMetrics(sink, id);
    for (let i = 0; i < 90; i++) alb.targetResponse(i * 1_000, i % 2 ? "us-east-1a" : "us-east-1b", 200, 20 + (i % 3));
    alb.elbError(1_000, undefined, 503);
    alb.elbError(2_000, "us-east-1a", 502, true);
    alb.elbError(3_000, "us-east-1b", 504);
    alb.flush(59_999);
    expect(sink.datums).toEqual([]);
    alb.flush(60_000);

    // 60 of the 90 responses fell in the first minute; the rest wait for their own. The 503 had
    // no target chosen: AWS leaves it out of RequestCount.
    expect(sink.find("RequestCount", LB)).toHaveLength(1);
    expect(sink.sum("RequestCount", LB)).toBe(62);
    expect(sink.sum("RequestCount", TG)).toBe(62);
    expect(sink.find("RequestCount", LB)[0]).toMatchObject({ namespace: "AWS/ApplicationELB", timestamp: 0, unit: "Count", storageResolution: 60, statistics: { sampleCount: 62, sum: 62, minimum: 1, maximum: 1 } });
    expect(sink.sum("HTTPCode_Target_2XX_Count", LB)).toBe(60);
    expect(sink.sum("HTTPCode_Target_2XX_Count", TGAZ("us-east-1a"))).toBe(30);
    expect(sink.sum("HTTPCode_Target_2XX_Count", AZ("us-east-1b"))).toBe(30);
    expect(sink.sum("HTTPCode_ELB_5XX_Count", LB)).toBe(3);
    expect(sink.sum("HTTPCode_ELB_503_Count", LB)).toBe(1);
    expect(sink.sum("HTTPCode_ELB_502_Count", AZ("us-east-1a"))).toBe(1);
    expect(sink.sum("HTTPCode_ELB_504_Count", AZ("us-east-1b"))).toBe(1);
    expect(sink.sum("TargetConnectionErrorCount", TGAZ("us-east-1a"))).toBe(1);
    // Nothing to count is absent, not zero.
    expect(sink.find("HTTPCode_Target_5XX_Count", LB)).toEqual([]);
    expect(sink.find("RejectedConnectionCount", LB)).toEqual([]);
    // TargetResponseTime: seconds, as a distribution (Values/Counts) of the targets' answers only.
    const trt = sink.find("TargetResponseTime", TG);
    expect(trt).toHaveLength(1);
    expect(trt[0]).toMatchObject({ unit: "Seconds", values: [0.02, 0.021, 0.022], counts: [20, 20, 20] });

    sink.datums.length = 0;
    alb.flush(120_000);
    expect(sink.sum("RequestCount", LB)).toBe(30);
    expect(sink.find("RequestCount", LB)[0]!.timestamp).toBe(60_000);
  });

  it("puts what is recorded late for a minute already put under that minute's timestamp", () => {
    const sink = new RecordingSink();
    const alb = new AlbMetrics(sink, id);
    alb.targetResponse(10_000, "us-east-1a", 200, 5);
    alb.flush(60_000);
    // A 504 becomes known when the request ends, dated when the idle timeout ran out.
    alb.elbError(50_000, "us-east-1a", 504);
    alb.flush(120_000);
    expect(sink.find("HTTPCode_ELB_504_Count", LB).map((d) => d.timestamp)).toEqual([0]);
    expect(sink.sum("RequestCount", LB)).toBe(2);
  });

  it("splits a distribution into datums of at most 150 values", () => {
    const sink = new RecordingSink();
    const alb = new AlbMetrics(sink, id);
    // Sub-second and longer times alike (0 ms to 1.596 s), in increasing order across datums.
    for (let i = 399; i >= 0; i--) alb.targetResponse(0, "us-east-1a", 200, i * 4);
    alb.flush(60_000);
    const trt = sink.find("TargetResponseTime", LB);
    expect(trt.map((d) => d.values!.length)).toEqual([150, 150, 100]);
    expect(trt.flatMap((d) => d.values!)).toEqual(Array.from({ length: 400 }, (_, i) => (i * 4) / 1000));
    expect(trt.reduce((n, d) => n + d.counts!.reduce((a, b) => a + b, 0), 0)).toBe(400);
  });

  it("samples healthy and unhealthy hosts by zone: Minimum, Maximum and Average over the minute", () => {
    const sink = new RecordingSink();
    const alb = new AlbMetrics(sink, id);
    alb.hosts(0, new Map([["us-east-1a", { healthy: 2, unhealthy: 0 }], ["us-east-1b", { healthy: 1, unhealthy: 0 }]]));
    alb.hosts(30_000, new Map([["us-east-1a", { healthy: 1, unhealthy: 1 }], ["us-east-1b", { healthy: 1, unhealthy: 0 }]]));
    alb.flush(60_000);
    expect(sink.find("HealthyHostCount", TG)[0]!.statistics).toEqual({ sampleCount: 2, sum: 5, minimum: 2, maximum: 3 });
    expect(sink.find("UnHealthyHostCount", TGAZ("us-east-1a"))[0]!.statistics).toEqual({ sampleCount: 2, sum: 1, minimum: 0, maximum: 1 });
    expect(sink.find("HealthyHostCount", LB)).toEqual([]);
  });
});

describe("the sandbox's ALB publishes into its CloudWatch", () => {
  let h: Harness;
  afterEach(() => h?.close());
  const sum = parseStatistic("Sum")!;

  const minutes = (from: number, n: number) => Array.from({ length: n }, (_, i) => Math.ceil(from / 60_000) * 60_000 + i * 60_000);

  it("RequestCount per minute equals the request log's count for that minute, and p95 its p95", async () => {
    h = await harness(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 50 } }] }" }));
    const start = h.clock.now();
    await h.advance(240_000);
    const [lb] = h.sandbox.metrics.list({ namespace: "AWS/ApplicationELB", name: "RequestCount", dimensions: [{ name: "TargetGroup" }] });
    expect(lb).toBeDefined();
    for (const m of minutes(start, 3)) {
      const log = h.sandbox.traffic.stats("web", m, m + 60_000);
      expect(log.requests).toBeGreaterThan(2_500);
      const [point] = h.sandbox.metrics.query({ ...lb!, period: 60, start: m, end: m + 60_000, statistic: sum });
      expect(point!.value).toBe(log.requests);
      const [p95] = h.sandbox.metrics.query({ ...lb!, name: "TargetResponseTime", period: 60, start: m, end: m + 60_000, statistic: parseStatistic("p95")! });
      expect(p95!.value).toBeCloseTo(log.p95 / 1000, 3);
      const [healthy] = h.sandbox.metrics.query({ ...lb!, name: "HealthyHostCount", period: 60, start: m, end: m + 60_000, statistic: parseStatistic("Minimum")! });
      expect(healthy!.value).toBe(3);
    }
  });

  it("counts RejectedConnectionCount when the load balancer is at its maximum number of connections, and only then", async () => {
    // ELB's metrics page: "The number of connections that were rejected because the load balancer
    // had reached its maximum number of connections." One task of 2 threads x 100 ms (20 req/s)
    // behind a proxy with room to queue, 40 req/s offered, and a load balancer that holds 10.
    const stack = (maxConnections: string) =>
      stackYaml({
        taskDefinitions: "  - { family: web, cpu: 512, memory: 1024, startup: PT5S, app: { threads: 2, serviceTime: { distribution: constant, value: 100ms }, proxy: { backlog: 100 } } }",
        services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 1, targetGroup: web }",
        targetGroups: `  - { name: web, deregistrationDelay: PT5S, healthCheck: { interval: PT10S, healthyThreshold: 2, unhealthyThreshold: 2 }${maxConnections} }`,
        load: "load: { web: [{ constantUsersPerSec: { rate: 40 } }] }",
      });
    const minuteAfterWarmUp = async (): Promise<number> => {
      await h.advance(120_000);
      const m = Math.ceil(h.clock.now() / 60_000) * 60_000;
      await h.advance(m + 60_000 - h.clock.now() + 1);
      return m;
    };
    const lbSum = (name: string, m: number): number | undefined => {
      const listed = h.sandbox.metrics.list({ namespace: "AWS/ApplicationELB", name }).find((x) => Object.keys(x.dimensions).join() === "LoadBalancer");
      return listed ? h.sandbox.metrics.query({ ...listed, period: 60, start: m, end: m + 60_000, statistic: sum })[0]?.value : undefined;
    };

    h = await harness(stack(", maxConnections: 10"));
    let m = await minuteAfterWarmUp();
    // About 20 a second over the target's 20 req/s are turned away at the door; the target never refuses.
    const rejected = lbSum("RejectedConnectionCount", m)!;
    expect(rejected).toBeGreaterThan(1_100);
    expect(rejected).toBeLessThan(1_300);
    expect(lbSum("HTTPCode_ELB_502_Count", m)).toBeUndefined();
    expect(lbSum("RequestCount", m)).toBeCloseTo(1_200, -2);
    // The clients saw them as connection errors, not HTTP answers.
    const [errors] = h.sandbox.metrics.list({ namespace: "Gameday/LoadGenerator", name: "ConnectionErrorCount" });
    expect(h.sandbox.metrics.query({ ...errors!, period: 60, start: m, end: m + 60_000, statistic: sum })[0]!.value).toBe(rejected);
    await h.close();

    // With no maximum (AWS's load balancers scale), the same overload queues in the proxy instead.
    h = await harness(stack(""));
    m = await minuteAfterWarmUp();
    expect(lbSum("RejectedConnectionCount", m)).toBeUndefined();
    expect(h.sandbox.metrics.list({ namespace: "AWS/ApplicationELB", name: "RejectedConnectionCount" })).toEqual([]);
  });

  it("counts the ALB's own 503s when no target is registered, and sends no request metrics without traffic", async () => {
    h = await harness(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 20 } }] }" }));
    await h.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", desiredCount: 0 }));
    await h.advance(120_000);
    const m = Math.ceil(h.clock.now() / 60_000) * 60_000;
    await h.advance(m + 60_000 - h.clock.now());
    await h.advance(1);
    const log = h.sandbox.traffic.stats("web", m, m + 60_000);
    expect(log.byStatus).toEqual({ 503: log.requests });
    // The ALB answered before choosing a target: counted under LoadBalancer alone.
    const listed = h.sandbox.metrics.list({ namespace: "AWS/ApplicationELB", name: "HTTPCode_ELB_503_Count" });
    const lb = listed.find((x) => Object.keys(x.dimensions).join() === "LoadBalancer");
    const [point] = h.sandbox.metrics.query({ ...lb!, period: 60, start: m, end: m + 60_000, statistic: sum });
    expect(point!.value).toBe(log.requests);
    expect(log.requests).toBeGreaterThan(1_000);
    // No target was chosen for any of them, so RequestCount has nothing for that minute.
    const [requests] = h.sandbox.metrics.list({ namespace: "AWS/ApplicationELB", name: "RequestCount", dimensions: [{ name: "LoadBalancer", value: lb!.dimensions.LoadBalancer! }] });
    expect(requests ? h.sandbox.metrics.query({ ...requests, period: 60, start: m, end: m + 60_000, statistic: sum }) : []).toEqual([]);
    await h.close();

    h = await harness(stackYaml());
    await h.advance(180_000);
    expect(h.sandbox.metrics.list({ namespace: "AWS/ApplicationELB", name: "RequestCount" })).toEqual([]);
    expect(h.sandbox.metrics.list({ namespace: "AWS/ApplicationELB", name: "HealthyHostCount" }).length).toBeGreaterThan(0);
  });
});
