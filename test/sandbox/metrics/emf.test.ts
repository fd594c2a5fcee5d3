import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEmf } from "../../../src/sandbox/metrics/emf.js";
import { parseStatistic } from "../../../src/sandbox/services/cloudwatch/statistic.js";
import { harness } from "../harness.js";

describe("embedded metric format into metric datums", () => {
  it("makes one metric per dimension set, with arrays as values, Unit None and resolution 60 by default", () => {
    const line = JSON.stringify({
      _aws: { Timestamp: 1_700_000_000_000, CloudWatchMetrics: [{ Namespace: "App", Dimensions: [["Svc"], ["Svc", "Az"], []], Metrics: [{ Name: "Lat", Unit: "Milliseconds", StorageResolution: 1 }, { Name: "Hits" }] }] },
      Svc: "web",
      Az: "us-east-1a",
      Lat: [12, 15],
      Hits: 3,
      note: "not a metric",
    });
    const result = parseEmf(line);
    expect(result).toEqual({
      datums: [
        { namespace: "App", name: "Lat", dimensions: { Svc: "web" }, timestamp: 1_700_000_000_000, unit: "Milliseconds", storageResolution: 1, values: [12, 15] },
        { namespace: "App", name: "Lat", dimensions: { Svc: "web", Az: "us-east-1a" }, timestamp: 1_700_000_000_000, unit: "Milliseconds", storageResolution: 1, values: [12, 15] },
        { namespace: "App", name: "Lat", dimensions: {}, timestamp: 1_700_000_000_000, unit: "Milliseconds", storageResolution: 1, values: [12, 15] },
        { namespace: "App", name: "Hits", dimensions: { Svc: "web" }, timestamp: 1_700_000_000_000, unit: "None", storageResolution: 60, value: 3 },
        { namespace: "App", name: "Hits", dimensions: { Svc: "web", Az: "us-east-1a" }, timestamp: 1_700_000_000_000, unit: "None", storageResolution: 60, value: 3 },
        { namespace: "App", name: "Hits", dimensions: {}, timestamp: 1_700_000_000_000, unit: "None", storageResolution: 60, value: 3 },
      ],
    });
  });

  it("gives no metrics, and says why, for a plain log line or a malformed directive", () => {
    expect(parseEmf('{"msg":"GET /orders 200"}')).toEqual({ error: "no _aws directive" });
    expect(parseEmf("GET /orders 200")).toEqual({ error: "not a JSON object" });
    const base = { Timestamp: 1, CloudWatchMetrics: [{ Namespace: "App", Dimensions: [["Svc"]], Metrics: [{ Name: "Lat" }] }] };
    expect(parseEmf(JSON.stringify({ _aws: base, Lat: 1 }))).toEqual({ error: '_aws.CloudWatchMetrics[0].Dimensions[0]: member "Svc" must be a string of at most 1024 characters' });
    expect(parseEmf(JSON.stringify({ _aws: base, Svc: "web", Lat: "12" }))).toEqual({ error: 'member Lat: expected a number or 1 to 100 numbers, found "12"' });
    expect(parseEmf(JSON.stringify({ _aws: { ...base, Timestamp: "now" }, Svc: "web", Lat: 1 }))).toMatchObject({ error: expect.stringMatching(/^_aws\.Timestamp/) });
  });
});

describe("the sandbox's web tasks' shippers publish their metrics into its CloudWatch", () => {
  it("Gameday/LogShipper Delivered per Stream and Host, trailing what Kinesis took by under a minute; nothing Dropped", async () => {
    const h = await harness(readFileSync(join(import.meta.dirname, "../../../fixtures/stacks/default.yaml"), "utf8"));
    try {
      await h.advance(240_000);
      const metrics = h.sandbox.metrics.list({ namespace: "Gameday/LogShipper", name: "Delivered" });
      expect(metrics.length).toBeGreaterThan(1);
      let delivered = 0;
      for (const m of metrics) {
        expect(Object.keys(m.dimensions).sort()).toEqual(["Host", "Stream"]);
        expect(m.dimensions.Stream).toBe("app-logs");
        for (const p of h.sandbox.metrics.query({ ...m, period: 60, start: 0, end: h.clock.now() + 60_000, statistic: parseStatistic("Sum")! })) delivered += p.value;
      }
      // The lines trail the shippers by less than a minute of deliveries; nothing was dropped.
      const incoming = h.sandbox.kinesis!.metrics().streams["app-logs"]!.incomingRecords;
      expect(delivered).toBeGreaterThan(incoming * 0.5);
      expect(delivered).toBeLessThanOrEqual(incoming);
      const dropped = h.sandbox.metrics.list({ namespace: "Gameday/LogShipper", name: "Dropped" });
      const droppedSum = dropped.flatMap((m) => h.sandbox.metrics.query({ ...m, period: 60, start: 0, end: h.clock.now() + 60_000, statistic: parseStatistic("Sum")! })).reduce((n, p) => n + p.value, 0);
      expect(droppedSum).toBe(0);
    } finally {
      await h.close();
    }
  });
});
