import { describe, expect, it } from "vitest";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { REQUEST_LOG_RETENTION_S, RequestLog } from "../../../src/sandbox/workload/request-log.js";
import { harness, stackYaml, type Harness } from "../harness.js";

describe("the sandbox's request log", () => {
  it("keeps the last 3 hours of requests, so a 17-hour run's log stays bounded; recent windows read as before", () => {
    const origin = 1_700_000_000_000;
    const log = new RequestLog(origin);
    const hours = 4;
    for (let s = 0; s < hours * 3600; s++) log.record(origin + s * 1000 + 500, 20, s % 100 === 0 ? 503 : 200);
    const end = origin + hours * 3600 * 1000;
    // The first hour is past the retention: forgotten.
    expect(log.stats(origin, origin + 3600_000).requests).toBe(0);
    // The last hour is all there, statuses and latencies included.
    const last = log.stats(end - 3600_000, end);
    expect(last.requests).toBe(3600);
    expect(last.byStatus).toEqual({ "200": 3564, "503": 36 });
    expect(last.p50).toBe(20);
    expect(log.stats(end - REQUEST_LOG_RETENTION_S * 1000, end).requests).toBe(REQUEST_LOG_RETENTION_S);
  });
});

describe("the request log is kept only when asked for", () => {
  const stack = stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 50 } }] }" });

  /** The load generator's per-second RequestCount and TargetResponseTime p99 as CloudWatch answers them. */
  async function loadMetrics(h: Harness): Promise<string> {
    const cw = await h.clients.cloudwatch();
    const end = h.clock.now();
    const queries = [
      { Id: "n", MetricStat: { Metric: { Namespace: "Gameday/LoadGenerator", MetricName: "RequestCount", Dimensions: [{ Name: "Service", Value: "web" }] }, Period: 1, Stat: "Sum" } },
      { Id: "p", MetricStat: { Metric: { Namespace: "Gameday/LoadGenerator", MetricName: "TargetResponseTime", Dimensions: [{ Name: "Service", Value: "web" }] }, Period: 10, Stat: "p99" } },
    ];
    const out = await cw.send(new GetMetricDataCommand({ StartTime: new Date(end - 120_000), EndTime: new Date(end), MetricDataQueries: queries }));
    return JSON.stringify(out.MetricDataResults?.map((r) => [r.Id, r.Values, r.Timestamps?.map((t) => t.getTime())]));
  }

  it("a sandbox without it publishes the same load metrics, and traffic.stats() says how to turn it on", async () => {
    const runs: string[] = [];
    for (const requestLog of [true, false]) {
      const h = await harness(stack, { requestLog });
      try {
        await h.advance(180_000);
        runs.push(await loadMetrics(h));
        if (requestLog) expect(h.sandbox.traffic.stats("web", h.clock.now() - 60_000, h.clock.now()).requests).toBeGreaterThan(2_000);
        else expect(() => h.sandbox.traffic.stats("web", h.clock.now() - 60_000, h.clock.now())).toThrow(/request log, which is off: create the sandbox with requestLog: true/);
      } finally {
        await h.close();
      }
    }
    // Something to compare: two minutes of per-second counts of 50 requests a second.
    expect(JSON.parse(runs[0]!)[0][1].length).toBeGreaterThan(100);
    expect(runs[1]).toBe(runs[0]);
  });
});
