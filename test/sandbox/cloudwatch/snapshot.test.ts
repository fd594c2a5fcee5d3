/**
 * One read, one publication: a publisher that puts lazily before reads (the simulated load
 * generator) runs once per request, not before each metric the request reads. On a scaled clock
 * time moves between those reads, and publishing in between made a window's HTTPCode_2XX_Count
 * larger than its RequestCount (availability 1.032 on a served sandbox).
 */
import { describe, expect, it } from "vitest";
import { MetricStore } from "../../../src/sandbox/services/cloudwatch/store.js";
import { answerQueries, type MetricQuery } from "../../../src/sandbox/services/cloudwatch/queries.js";
import { parseStatistic } from "../../../src/sandbox/services/cloudwatch/statistic.js";

const T0 = Date.UTC(2024, 0, 1);

/** A store whose before-read publisher, like the load generator on a moving clock, has one more answered request each time it runs. */
function movingStore(): MetricStore {
  let now = T0 + 10_000;
  const store = new MetricStore(() => now);
  store.onBeforeRead(() => {
    const second = now - 1_000;
    for (const name of ["RequestCount", "HTTPCode_2XX_Count"]) {
      store.put({ namespace: "Gameday/LoadGenerator", name, dimensions: { Service: "web" }, timestamp: second, value: 1, unit: "Count", storageResolution: 1 });
    }
    now += 1_000;
  });
  return store;
}

const sum = (id: string, name: string): MetricQuery => ({
  kind: "metric",
  id,
  namespace: "Gameday/LoadGenerator",
  name,
  dimensions: { Service: "web" },
  period: 60,
  stat: "Sum",
  statistic: parseStatistic("Sum")!,
  returnData: true,
});

describe("the sandbox's CloudWatch reads each request on one publication", () => {
  it("GetMetricData's queries see the same data: 2XX never exceeds RequestCount", () => {
    const store = movingStore();
    const points = answerQueries([sum("r", "RequestCount"), sum("ok", "HTTPCode_2XX_Count")], store, T0, T0 + 60_000, "MetricDataQueries");
    expect(points.get("ok")![0]!.value).toBe(points.get("r")![0]!.value);
    // A later request sees what was published since.
    const again = answerQueries([sum("r", "RequestCount"), sum("ok", "HTTPCode_2XX_Count")], store, T0, T0 + 60_000, "MetricDataQueries");
    expect(again.get("r")![0]!.value).toBe(points.get("r")![0]!.value + 1);
    expect(again.get("ok")![0]!.value).toBe(again.get("r")![0]!.value);
  });

  it("one request's percentiles of a latency share its merged periods, and each is the one a query alone gives", () => {
    const store = new MetricStore(() => T0 + 120_000);
    for (let s = 0; s < 60; s++) store.put({ namespace: "App", name: "Latency", dimensions: {}, timestamp: T0 + s * 1_000, values: [s, 100 + s, 1_000 - s], storageResolution: 1 });
    const stat = (id: string, name: string): MetricQuery => ({ kind: "metric", id, namespace: "App", name: "Latency", dimensions: {}, period: 60, stat: name, statistic: parseStatistic(name)!, returnData: true });
    const names = ["p10", "p50", "p90", "Maximum", "Sum", "SampleCount"];
    const together = answerQueries(names.map((n, i) => stat(`q${i}`, n)), store, T0, T0 + 60_000, "MetricDataQueries");
    const alone = names.map((n) => answerQueries([stat("q", n)], store, T0, T0 + 60_000, "MetricDataQueries").get("q")![0]!.value);
    expect(names.map((_, i) => together.get(`q${i}`)![0]!.value)).toEqual(alone);
    // 180 values: 0..59, 100..159 and 941..1000; nearest rank 18, 90 and 162.
    expect(alone).toEqual([17, 129, 982, 1_000, 1_770 + 7_770 + 58_230, 180]);
  });

  it("a put while a request is being read is seen by the queries after it", () => {
    const store = new MetricStore(() => T0 + 120_000);
    const put = (value: number) => store.put({ namespace: "App", name: "Latency", dimensions: {}, timestamp: T0, value, storageResolution: 1 });
    put(1);
    const q: MetricQuery = { kind: "metric", id: "m", namespace: "App", name: "Latency", dimensions: {}, period: 60, stat: "Maximum", statistic: parseStatistic("Maximum")!, returnData: true };
    const seen = store.snapshot(() => {
      const before = store.query({ ...q, start: T0, end: T0 + 60_000 })[0]!.value;
      put(7);
      return [before, store.query({ ...q, start: T0, end: T0 + 60_000 })[0]!.value];
    });
    expect(seen).toEqual([1, 7]);
  });
});
