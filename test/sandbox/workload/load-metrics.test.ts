import { afterEach, describe, expect, it } from "vitest";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { parseStatistic } from "../../../src/sandbox/services/cloudwatch/statistic.js";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const NS = "Gameday/LoadGenerator";
const sum = parseStatistic("Sum")!;

describe("the sandbox's simulated load generator publishes what the real one does", () => {
  it("Gameday/LoadGenerator by { Service }, one 1-second datum per metric and second, counts matching the requests that ended in it", async () => {
    h = await harness(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 50 } }] }" }));
    const puts: { name: string; timestamp: number; storageResolution?: number; dimensions: Readonly<Record<string, string>> }[] = [];
    const store = h.sandbox.metrics;
    const put = store.put.bind(store);
    store.put = (d) => {
      if (d.namespace === NS) puts.push(d);
      put(d);
    };
    const t0 = Math.ceil(h.clock.now() / 1000) * 1000;
    await h.advance(t0 + 20_000 - h.clock.now());
    const id = { namespace: NS, name: "RequestCount", dimensions: { Service: "web" } };
    // A read publishes every second that ended by now.
    const points = store.query({ ...id, period: 1, start: t0, end: t0 + 20_000, statistic: sum });
    expect(points.map((p) => p.timestamp)).toEqual(Array.from({ length: 20 }, (_, i) => t0 + i * 1000));
    for (const p of points) expect(p.value).toBe(h.sandbox.traffic.stats("web", p.timestamp, p.timestamp + 1000).requests);
    // Aggregated per second: never a datum per request (about 50 a second here).
    const requestPuts = puts.filter((d) => d.name === "RequestCount" && d.timestamp >= t0 && d.timestamp < t0 + 20_000);
    expect(requestPuts).toHaveLength(20);
    expect(requestPuts.every((d) => d.storageResolution === 1 && d.dimensions.Service === "web")).toBe(true);
    expect(store.list({ namespace: NS }).map((m) => m.name)).toEqual(
      expect.arrayContaining(["RequestCount", "HTTPCode_2XX_Count", "HTTPCode_5XX_Count", "TimeoutCount", "ConnectionErrorCount", "TargetResponseTime"]),
    );
    // Latency in seconds, as TargetResponseTime is.
    const [p95] = store.query({ ...id, name: "TargetResponseTime", period: 10, start: t0 + 10_000, end: t0 + 20_000, statistic: parseStatistic("p95")! });
    const log = h.sandbox.traffic.stats("web", t0 + 10_000, t0 + 20_000);
    expect(p95!.value * 1000).toBeGreaterThan(log.p95 * 0.96);
    expect(p95!.value * 1000).toBeLessThan(log.p95 * 1.04);
  });

  it("counts the ALB's 5XX answers when the tasks are gone, readable through GetMetricData", async () => {
    h = await harness(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 40 } }] }" }));
    const tasks = (await h.ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "web" }))).taskArns!;
    for (const task of tasks) await h.ecs.send(new StopTaskCommand({ cluster: "prod", task }));
    const t0 = Math.ceil(h.clock.now() / 10_000) * 10_000 + 10_000;
    await h.advance(t0 + 10_000 - h.clock.now());
    const cloudwatch = await h.clients.cloudwatch();
    const q = (Id: string, MetricName: string) => ({ Id, MetricStat: { Metric: { Namespace: NS, MetricName, Dimensions: [{ Name: "Service", Value: "web" }] }, Period: 10, Stat: "Sum" } });
    const out = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: [q("r", "RequestCount"), q("f", "HTTPCode_5XX_Count")], StartTime: new Date(t0), EndTime: new Date(t0 + 10_000) }));
    const [requests, failed] = out.MetricDataResults!.map((r) => r.Values?.[0] ?? 0);
    const log = h.sandbox.traffic.stats("web", t0, t0 + 10_000);
    expect(requests).toBe(log.requests);
    expect(failed).toBe(log.failed);
    expect(failed).toBeGreaterThan(0);
  });

  it("leaves out requests from clients of the served ALB port: those are the ALB's, not the simulated generator's", async () => {
    h = await harness(stackYaml());
    const t0 = Math.ceil(h.clock.now() / 1000) * 1000 + 1000;
    await h.advance(t0 - h.clock.now());
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) h.sandbox.traffic.arrive("web", { started() {}, answered: (status) => answers.push(status) });
    await h.advance(5_000);
    const id = { namespace: NS, name: "RequestCount", dimensions: { Service: "web" } };
    // Reading the log retires what finished (the served port's clients hear their answers then too).
    expect(h.sandbox.traffic.stats("web", t0, t0 + 5_000).requests).toBe(5);
    expect(answers).toEqual([200, 200, 200, 200, 200]);
    // The stack offers no load of its own: nothing for the simulated generator to have measured.
    expect(h.sandbox.metrics.query({ ...id, period: 1, start: t0, end: t0 + 5_000, statistic: sum })).toEqual([]);
  });
});
