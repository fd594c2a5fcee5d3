/**
 * CloudWatch GetMetricData on the in-process object lane (src/aws/in-process-codecs.ts) against the
 * SDK's wire path: two identical sandboxes get the same metric data and the same random reads
 * (metric stats and expressions, valid and invalid: periods, statistics, labels, ReturnData, scan
 * order, small pages followed by NextToken, reversed or empty windows, unknown ids) and must answer
 * alike: outputs deep-equal including $metadata and the Dates of Timestamps, errors of the same
 * class, name, message, $fault and status, and the same request as the sandbox sees it.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { GetMetricDataCommand, PutMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { AwsClients } from "../../src/aws/clients.js";
import { withoutObjectLane } from "../../src/aws/in-process-lane.js";
import { IN_PROCESS_CODECS } from "../../src/aws/in-process-codecs.js";
import type { LocalOutcome, LocalRequest } from "../../src/aws/in-process-handler.js";
import { SeededRandom } from "../../src/random/random.js";
import { harness, stackYaml, type Harness } from "../sandbox/harness.js";
import { outcome } from "./call-outcome.js";

const TARGET = "GraniteServiceVersion20100801.GetMetricData";

/** A sandbox with a CloudWatch client that records what the sandbox receives for GetMetricData. */
async function twin(lane: boolean) {
  const h: Harness = await harness(stackYaml(), { seed: 3 });
  const seen: unknown[] = [];
  const dispatch = (request: LocalRequest): LocalOutcome => {
    if (request.headers["x-amz-target"] === TARGET) seen.push(request.input ?? JSON.parse(request.body));
    return h.sandbox.dispatcher.dispatch(request as never) as LocalOutcome;
  };
  const clients = new AwsClients({ kind: "local", region: "us-east-1", dispatch }, { clock: h.clock, random: new SeededRandom(5) });
  const cloudwatch = await clients.cloudwatch();
  if (!lane) withoutObjectLane(cloudwatch);
  return { h, clients, cloudwatch, seen };
}

const NAMES = ["Requests", "Latency"];
const metric = (name: string, service: string) => ({ Namespace: "Test/App", MetricName: name, Dimensions: [{ Name: "Service", Value: service }] });
const query = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        Id: fc.constantFrom("a", "b", "c", "m1", "Bad-Id"),
        MetricStat: fc.record(
          {
            Metric: fc.record({ name: fc.constantFrom(...NAMES, "Absent"), service: fc.constantFrom("web", "api") }).map(({ name, service }) => metric(name, service)),
            Period: fc.constantFrom(1, 10, 60, 300, 7),
            Stat: fc.constantFrom("Sum", "Average", "Maximum", "p95", "SampleCount", "Bogus"),
            Unit: fc.constantFrom("Count", "Milliseconds"),
          },
          { requiredKeys: ["Metric", "Period", "Stat"] },
        ),
        Label: fc.string({ maxLength: 6 }),
        ReturnData: fc.boolean(),
      },
      { requiredKeys: ["Id", "MetricStat"] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ Id: fc.constantFrom("e1", "e2"), Expression: fc.constantFrom("a + b", "a * 2", "SUM([a, b])", "nope("), Label: fc.constantFrom("sum", "") }, { requiredKeys: ["Id", "Expression"] }) },
);
const read = fc.record(
  {
    queries: fc.array(query, { minLength: 0, maxLength: 4 }),
    fromS: fc.integer({ min: -900, max: 0 }),
    lengthS: fc.constantFrom(60, 300, 600, 0, -60),
    ScanBy: fc.constantFrom("TimestampAscending", "TimestampDescending"),
    MaxDatapoints: fc.constantFrom(1, 3, 100),
  },
  { requiredKeys: ["queries", "fromS", "lengthS"] },
);

describe("CloudWatch GetMetricData on the object lane", () => {
  it("answers every read (every page) exactly as the SDK's wire path does, and the sandbox sees the same request", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom("web", "api"), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 600 })), { maxLength: 30 }), fc.array(read, { minLength: 1, maxLength: 4 }), async (data, reads) => {
        // One side after the other: a sandbox's virtual time runs on while anything waits on real I/O.
        const sides: { results: unknown[]; seen: unknown[]; at: number }[] = [];
        for (const lane of [true, false]) {
          const { h, clients, cloudwatch, seen } = await twin(lane);
          try {
            const at = h.clock.now();
            for (const [name, service, value, agoS] of data) {
              await cloudwatch.send(new PutMetricDataCommand({ Namespace: "Test/App", MetricData: [{ ...metric(name, service), Value: value, Timestamp: new Date(at - agoS * 1000), StorageResolution: 1 }] }));
            }
            sides.push({ results: await readAll(cloudwatch, at, reads as Read[]), seen, at });
          } finally {
            await clients.destroy();
            await h.close();
          }
        }
        const [lane, wire] = sides as [(typeof sides)[0], (typeof sides)[0]];
        expect(lane.at).toBe(wire.at);
        expect(lane.results).toStrictEqual(wire.results);
        expect(lane.seen).toStrictEqual(wire.seen);
        expect(lane.seen.length).toBeGreaterThan(0);
      }),
      { numRuns: 30 },
    );
  }, 120_000);

  it("takes the lane for a read the sandbox answers", async () => {
    const s = await twin(true);
    try {
      const before = s.h.sandbox.dispatcher.objectLaneCalls;
      const now = s.h.clock.now();
      const out = await s.cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: [{ Id: "a", MetricStat: { Metric: metric("Requests", "web"), Period: 60, Stat: "Sum" } }], StartTime: new Date(now - 600_000), EndTime: new Date(now) }));
      expect(out.MetricDataResults).toEqual([{ Id: "a", Label: "Requests", Timestamps: [], Values: [], StatusCode: "Complete", Messages: [] }]);
      expect(s.h.sandbox.dispatcher.objectLaneCalls - before).toBe(1);
      expect(s.seen).toEqual([{ MetricDataQueries: [{ Id: "a", MetricStat: { Metric: metric("Requests", "web"), Period: 60, Stat: "Sum" } }], StartTime: (now - 600_000) / 1000, EndTime: now / 1000 }]);
      // The answer is decoded by the codec itself, not left to the SDK's deserializer.
      const answer = { MetricDataResults: [{ Id: "a", Label: "L", Timestamps: [1.5, 60], Values: [2, -0], StatusCode: "Complete", Messages: [] }], Messages: [{ Code: "c", Value: "v" }] };
      expect(IN_PROCESS_CODECS.get(TARGET)!.decode(answer)).toStrictEqual({ MetricDataResults: [{ Id: "a", Label: "L", Timestamps: [new Date(1500), new Date(60_000)], Values: [2, 0], StatusCode: "Complete", Messages: [] }], Messages: [{ Code: "c", Value: "v" }] });
    } finally {
      await s.clients.destroy();
      await s.h.close();
    }
  });
});

/** Each read, every page of it, as a caller following NextToken reads them. */
type Read = { queries: MetricDataQuery[]; fromS: number; lengthS: number; ScanBy?: "TimestampAscending" | "TimestampDescending"; MaxDatapoints?: number };
async function readAll(cloudwatch: CloudWatchClient, at: number, reads: Read[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const r of reads) {
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const start = at + r.fromS * 1000;
      const page = (await outcome(
        cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: r.queries, StartTime: new Date(start), EndTime: new Date(start + r.lengthS * 1000), ScanBy: r.ScanBy, MaxDatapoints: r.MaxDatapoints, NextToken })),
      )) as { ok?: { NextToken?: string } };
      out.push(page);
      NextToken = page.ok?.NextToken;
    } while (NextToken && ++pages < 20);
  }
  return out;
}
