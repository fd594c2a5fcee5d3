import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../src/experiment/index.js";
import { planExperiment } from "../../src/engine/plan.js";
import { probeDirs } from "../../src/engine/probe-loader.js";
import { planStopAlarms } from "../../src/engine/stop-conditions.js";
import { alarmPeriodSeconds, putAlarmInput } from "../../src/aws/stop-alarms.js";
import { templateFor } from "../../src/faults/fis-runner.js";

const OPTIONS = { probeDirs: probeDirs("/nonexistent"), region: "us-east-1", accountId: "123456789012" };

/** The stop conditions of a file with these `stop-conditions:` lines, compiled for run r1. */
async function compile(stopConditions: string[], configuration: string[] = []) {
  const yaml = ["title: t", "description: d", ...configuration, "method:", "  - pause: PT1M", "stop-conditions:", ...stopConditions, ""].join("\n");
  const plan = await planExperiment(parseExperiment(yaml, "exp.yaml", { env: {} }), OPTIONS);
  return { plan, compiled: planStopAlarms(plan.experiment, plan.checks, "r1") };
}

describe("stop conditions compiled to CloudWatch alarms", () => {
  it("a latency bound becomes a TargetResponseTime alarm in seconds on the breaching side; availability a metric math alarm", async () => {
    const { plan, compiled } = await compile([
      "  - probe: http-slo",
      "    name: web-slo",
      "    with: { service: web, window: PT30S }",
      '    tolerance: { availability: ">= 0.95", p95: "<= 300ms" }',
    ]);
    expect(plan.experiment.stopConditions[0]!.name).toBe("web-slo");
    expect(compiled.alarms.map((a) => a.name)).toEqual(["gameday-r1-web-slo-availability", "gameday-r1-web-slo-p95"]);
    const [availability, p95] = compiled.alarms;
    expect(p95!.spec).toMatchObject({
      namespace: "Gameday/LoadGenerator",
      metricName: "TargetResponseTime",
      dimensions: { Service: "web" },
      extendedStatistic: "p95",
      periodSeconds: 30,
      comparison: "GreaterThanThreshold",
      threshold: 0.3,
    });
    expect(availability!.spec).toMatchObject({ comparison: "LessThanThreshold", threshold: 0.95, periodSeconds: 30 });
    expect(compiled.watchedOnly).toEqual([]);
    // As the probe computes it: 2XX and 3XX over every request, over the window.
    const input = putAlarmInput(availability!, { runId: "r1", experiment: "t" }) as Record<string, unknown>;
    expect(input).not.toHaveProperty("MetricName");
    expect(input.Metrics).toEqual([
      { Id: "m1", MetricStat: { Metric: { Namespace: "Gameday/LoadGenerator", MetricName: "RequestCount", Dimensions: [{ Name: "Service", Value: "web" }] }, Period: 30, Stat: "Sum" }, ReturnData: false },
      { Id: "m2", MetricStat: { Metric: { Namespace: "Gameday/LoadGenerator", MetricName: "HTTPCode_2XX_Count", Dimensions: [{ Name: "Service", Value: "web" }] }, Period: 30, Stat: "Sum" }, ReturnData: false },
      { Id: "m3", MetricStat: { Metric: { Namespace: "Gameday/LoadGenerator", MetricName: "HTTPCode_3XX_Count", Dimensions: [{ Name: "Service", Value: "web" }] }, Period: 30, Stat: "Sum" }, ReturnData: false },
      { Id: "e1", Expression: "(m2 + m3) / m1", Label: "availability", ReturnData: true },
    ]);
  });

  it("the wordpress probe's viewer availability and latency compile as http-slo's, on the site's load metrics; its edge fields stay watched", async () => {
    const { compiled } = await compile([
      "  - probe: wordpress",
      "    name: site",
      "    with: { site: wordpress, distributionId: E2QWRUHAPOMQZL, apiId: a1b2c3d4e5, function: wordpress, window: PT2M }",
      '    tolerance: { availability: ">= 0.99", p95: "<= 3s", cacheShare: ">= 0.5" }',
    ]);
    expect(compiled.alarms.map((a) => a.name)).toEqual(["gameday-r1-site-availability", "gameday-r1-site-p95"]);
    expect(compiled.alarms[1]!.spec).toMatchObject({ namespace: "Gameday/LoadGenerator", dimensions: { Service: "wordpress" }, extendedStatistic: "p95", periodSeconds: 120, threshold: 3 });
    expect(JSON.stringify(compiled.watchedOnly)).toMatch(/cacheShare/);
  });

  it("maps each bound to its comparison and statistic, one alarm per field named after it", async () => {
    const { compiled } = await compile([
      "  - probe: http-slo",
      "    name: slo",
      "    with: { service: api, window: PT2M }",
      '    tolerance: { p50: "< 0.1s", p99: ">= 1ms", max: "> 2s" }',
    ]);
    expect(compiled.alarms.map((a) => [a.name, a.spec.extendedStatistic ?? a.spec.statistic, a.spec.comparison, a.spec.threshold, a.spec.periodSeconds])).toEqual([
      ["gameday-r1-slo-p50", "p50", "GreaterThanOrEqualToThreshold", 0.1, 120],
      ["gameday-r1-slo-p99", "p99", "LessThanThreshold", 0.001, 120],
      ["gameday-r1-slo-max", "Maximum", "LessThanOrEqualToThreshold", 2, 120],
    ]);
    expect(compiled.watchedOnly).toEqual([]);
  });

  it("keeps what no alarm expresses watched by gameday: ranges, other probes, Chaos Toolkit providers", async () => {
    const { compiled } = await compile([
      "  - probe: http-slo",
      "    name: ranged",
      "    with: { service: web }",
      '    tolerance: { p95: "between 1ms and 300ms", requests: ">= 10" }',
      "  - probe: draining",
      "    name: drained",
      "  - type: probe",
      "    name: ping",
      "    provider: { type: http, url: http://127.0.0.1:9/ }",
      "    tolerance: 200",
    ]);
    expect(compiled.alarms).toEqual([]);
    expect(compiled.watchedOnly.map((w) => [w.stopCondition, w.part])).toEqual([
      ["ranged", "p95"],
      ["ranged", "requests"],
      ["drained", "all"],
      ["ping", "all"],
    ]);
    expect(compiled.watchedOnly[3]!.why).toMatch(/Chaos Toolkit provider/);
  });

  it("fills a FIS template's five stop conditions after the configured alarms, and says which it could not fit", async () => {
    const arns = [1, 2, 3, 4].map((i) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:mine-${i}`);
    const { compiled } = await compile(
      ["  - probe: http-slo", "    name: slo", "    with: { service: web }", '    tolerance: { p95: "<= 300ms", p99: "<= 1s" }'],
      ["configuration:", `  fisStopAlarms: [${arns.join(", ")}]`],
    );
    expect(compiled.alarms.map((a) => a.spec.part)).toEqual(["p95"]);
    expect(compiled.watchedOnly).toEqual([{ stopCondition: "slo", part: "p99", why: expect.stringMatching(/at most 5 stop conditions/) }]);
  });

  it("rounds a window up to a period an alarm may have: 10, 20 or 30 s, else whole minutes", () => {
    expect([1_000, 5_000, 10_000, 20_000, 25_000, 30_000, 60_000, 90_000, 300_000].map(alarmPeriodSeconds)).toEqual([10, 10, 10, 20, 30, 30, 60, 120, 300]);
  });

  it("creates the alarm tagged with the run and experiment, firing on one breaching period, no data not a breach", async () => {
    const { compiled } = await compile(["  - probe: http-slo", "    name: slo", "    with: { service: web, window: PT10S }", '    tolerance: { p95: "<= 300ms" }']);
    const input = putAlarmInput(compiled.alarms[0]!, { runId: "r1", experiment: "t" });
    expect(input).toMatchObject({
      AlarmName: "gameday-r1-slo",
      ExtendedStatistic: "p95",
      Period: 10,
      EvaluationPeriods: 1,
      TreatMissingData: "notBreaching",
      Dimensions: [{ Name: "Service", Value: "web" }],
      Tags: [
        { Key: "gameday:run", Value: "r1" },
        { Key: "gameday:experiment", Value: "t" },
      ],
    });
    expect(input).not.toHaveProperty("Statistic");
    const long = putAlarmInput(compiled.alarms[0]!, { runId: "r1", experiment: "x".repeat(300) });
    expect(long.Tags[1]!.Value).toHaveLength(256);
  });

  it("every fault's template stops on the configured alarms, then gameday's", () => {
    const fragment = { description: "d", targets: {}, actions: {} } as never;
    const t = templateFor(fragment, { runId: "r1", stepName: "s", accountId: "123456789012", configuration: { fisStopAlarms: ["arn:mine"] }, clientToken: "c", stopAlarmArns: ["arn:gameday"] });
    expect(t.stopConditions).toEqual([
      { source: "aws:cloudwatch:alarm", value: "arn:mine" },
      { source: "aws:cloudwatch:alarm", value: "arn:gameday" },
    ]);
  });
});
