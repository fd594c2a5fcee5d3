import { afterEach, describe, expect, it } from "vitest";
import { StopTaskCommand } from "@aws-sdk/client-ecs";
import { EcsMetricsPublisher, publishEcsMetrics, taskCounts, type TaskCounts } from "../../../src/sandbox/metrics/ecs.js";
import { parseStatistic } from "../../../src/sandbox/services/cloudwatch/statistic.js";
import { harness, stackYaml, type Harness } from "../harness.js";
import { RecordingSink } from "./recording-sink.js";

const WEB = { ServiceName: "web", ClusterName: "prod" };

describe("ECS/ContainerInsights task counts", () => {
  it("samples each minute's counts: a task that stopped and came back shows in Minimum, not in the last sample alone", () => {
    const sink = new RecordingSink();
    const ecs = new EcsMetricsPublisher(sink);
    ecs.sample(0, "prod", "web", { desired: 3, running: 3, pending: 0 });
    ecs.sample(20_000, "prod", "web", { desired: 3, running: 2, pending: 1 });
    ecs.sample(40_000, "prod", "web", { desired: 3, running: 3, pending: 0 });
    ecs.flush(59_999);
    expect(sink.datums).toEqual([]);
    ecs.flush(60_000);
    expect(sink.find("RunningTaskCount", WEB)[0]).toMatchObject({
      namespace: "ECS/ContainerInsights",
      timestamp: 0,
      unit: "Count",
      statistics: { sampleCount: 3, sum: 8, minimum: 2, maximum: 3 },
    });
    expect(sink.find("PendingTaskCount", WEB)[0]!.statistics).toMatchObject({ minimum: 0, maximum: 1 });
    expect(sink.find("DesiredTaskCount", WEB)[0]!.statistics).toMatchObject({ minimum: 3, maximum: 3 });
  });
});

describe("the sandbox's ECS publishes into its CloudWatch", () => {
  let h: Harness;
  afterEach(() => h?.close());
  const stat = (name: string) => parseStatistic(name)!;

  it("RunningTaskCount dips in the minute a task is stopped; DesiredTaskCount holds", async () => {
    h = await harness(stackYaml());
    const m = Math.ceil(h.clock.now() / 60_000) * 60_000;
    await h.advance(m - h.clock.now() + 5_000);
    const task = h.sandbox.ecs.clusters.get("prod")!.tasks.find((t) => t.service?.name === "web" && t.lastStatus === "RUNNING")!;
    await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: task.arn }));
    await h.advance(120_000);
    const q = (name: string, statistic: string) =>
      h.sandbox.metrics.query({ namespace: "ECS/ContainerInsights", name, dimensions: WEB, period: 60, start: m, end: m + 60_000, statistic: stat(statistic) })[0]?.value;
    expect(q("RunningTaskCount", "Maximum")).toBe(3);
    expect(q("RunningTaskCount", "Minimum")).toBe(2);
    expect(q("DesiredTaskCount", "Minimum")).toBe(3);
    expect(q("PendingTaskCount", "Maximum")).toBe(1);
  });

  it("the counts kept up to date task by task equal a full count at every change, through stops and replacements", async () => {
    h = await harness(stackYaml());
    const sampled: { got: TaskCounts; want: TaskCounts }[] = [];
    const spy = new (class extends EcsMetricsPublisher {
      override sample(at: number, cluster: string, service: string, counts: TaskCounts): void {
        const s = h.sandbox.ecs.clusters.get(cluster)!.services.find((x) => x.name === service)!;
        sampled.push({ got: { ...counts }, want: taskCounts(s) });
      }
    })(new RecordingSink());
    const watch = publishEcsMetrics(spy, () => h.sandbox.ecs.clusters.values(), () => h.clock.now());
    h.sandbox.ecs.onTaskChange(watch.taskChanged);
    for (const task of h.sandbox.ecs.clusters.get("prod")!.tasks.filter((t) => t.service?.name === "web").slice(0, 2)) {
      await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: task.arn }));
    }
    await h.advance(90_000);
    watch.minute();
    expect(sampled.length).toBeGreaterThan(6);
    for (const s of sampled) expect(s.got).toEqual(s.want);
  });

  it("CPUUtilization is the web threads' busy time over the thread time the running tasks have", async () => {
    // Constant 40 ms service time and no proxy: a request's latency is its thread time.
    h = await harness(
      stackYaml({
        taskDefinitions: "  - { family: web, cpu: 512, memory: 1024, startup: PT5S, shutdown: PT1S, app: { threads: 4, serviceTime: { distribution: constant, value: 40ms } } }",
        load: "load: { web: [{ constantUsersPerSec: { rate: 150 } }] }",
      }),
    );
    const m = Math.ceil(h.clock.now() / 60_000) * 60_000;
    await h.advance(m - h.clock.now() + 120_001);
    const log = h.sandbox.traffic.stats("web", m + 60_000, m + 120_000);
    const busy = log.byStatus[200]! * 40;
    const expected = (100 * busy) / (3 * 4 * 60_000);
    const [cpu] = h.sandbox.metrics.query({ namespace: "AWS/ECS", name: "CPUUtilization", dimensions: WEB, period: 60, start: m + 60_000, end: m + 120_000, statistic: stat("Average") });
    expect(expected).toBeGreaterThan(10);
    expect(cpu!.value).toBeGreaterThan(expected * 0.98);
    expect(cpu!.value).toBeLessThan(expected * 1.02);
  });
});
