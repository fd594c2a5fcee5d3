/**
 * readLoadWindow: one window of the load generator's counts from GetMetricData. Its request count
 * is what http-slo divides by, so availability must stay a share of it even when CloudWatch shows
 * a window's outcomes before all of its RequestCount.
 */
import { describe, expect, it } from "vitest";
import type { CloudWatchClient, GetMetricDataCommandOutput } from "@aws-sdk/client-cloudwatch";
import { readLoadWindow } from "../../src/aws/load-window.js";

/** A CloudWatch that answers GetMetricData with these sums, by metric name (query ids are the reader's own). */
function cloudwatchWith(sums: Record<string, number>): CloudWatchClient {
  return {
    async send(command: { input: { MetricDataQueries: { Id: string; MetricStat: { Metric: { MetricName: string }; Stat: string } }[]; StartTime: Date } }) {
      const results = command.input.MetricDataQueries.map((q) => {
        const value = q.MetricStat.Stat === "Sum" ? sums[q.MetricStat.Metric.MetricName] : undefined;
        return { Id: q.Id, Timestamps: value === undefined ? [] : [command.input.StartTime], Values: value === undefined ? [] : [value] };
      });
      return { MetricDataResults: results } as unknown as GetMetricDataCommandOutput;
    },
  } as unknown as CloudWatchClient;
}

describe("readLoadWindow", () => {
  it("reads the window's requests and outcomes", async () => {
    const w = await readLoadWindow(cloudwatchWith({ RequestCount: 3000, HTTPCode_2XX_Count: 2990, HTTPCode_5XX_Count: 4, TimeoutCount: 6, ConnectionErrorCount: 0 }), { Service: "web" }, 0, 30_000);
    expect(w).toMatchObject({ requests: 3000, byClass: { "2XX": 2990, "5XX": 4 }, timeouts: 6, connectionErrors: 0 });
  });

  it("counts the outcomes as the requests when CloudWatch shows more of them than RequestCount, so that no share of the requests exceeds 1", async () => {
    // 3,096 answered, but the RequestCount of the window's last second is not readable yet.
    const w = await readLoadWindow(cloudwatchWith({ RequestCount: 3000, HTTPCode_2XX_Count: 3090, HTTPCode_4XX_Count: 2, TimeoutCount: 4 }), { Service: "web" }, 0, 30_000);
    expect(w.requests).toBe(3096);
    expect((w.byClass["2XX"] ?? 0) / w.requests).toBeLessThanOrEqual(1);
  });
});
