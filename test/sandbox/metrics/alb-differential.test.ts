import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AlbMetrics, albIdentity, type HostCount } from "../../../src/sandbox/metrics/alb.js";
import type { MetricDatum } from "../../../src/sandbox/services/cloudwatch/sink.js";
import { ReferenceAlbMetrics } from "./reference/alb.js";

const id = albIdentity("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef");
const zone = fc.constantFrom("us-east-1a", "us-east-1b", "us-east-1c");
const dt = fc.integer({ min: -70_000, max: 20_000 });
// What the ALB sees: answers (sub-second latencies mostly, some longer), its own errors, rejected
// connections and health samples, at times that mostly move forward but may be dated back (a 504),
// with flushes in between.
const op = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("response" as const), dt, zone, status: fc.constantFrom(200, 204, 301, 404, 500, 503), latencyMs: fc.oneof({ arbitrary: fc.double({ min: 0, max: 1023.4, noNaN: true }), weight: 8 }, { arbitrary: fc.double({ min: 1023.5, max: 70_000, noNaN: true }), weight: 1 }) }), weight: 10 },
  { arbitrary: fc.record({ kind: fc.constant("elb" as const), dt, zone: fc.option(zone, { nil: undefined }), status: fc.constantFrom(502 as const, 503 as const, 504 as const), connectionError: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("rejected" as const), dt }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("hosts" as const), dt, counts: fc.array(fc.tuple(zone, fc.nat({ max: 5 }), fc.nat({ max: 5 })), { maxLength: 3 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("flush" as const), dt: fc.integer({ min: 0, max: 90_000 }) }), weight: 2 },
);

describe("AlbMetrics putting each minute's histograms from sorted arrays", () => {
  it("puts exactly what it put before, datum for datum", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const got: MetricDatum[] = [];
        const want: MetricDatum[] = [];
        const now = new AlbMetrics({ put: (d) => got.push(d) }, id);
        const before = new ReferenceAlbMetrics({ put: (d) => want.push(d) }, id);
        let t = 1_700_000_000_000;
        for (const o of ops) {
          t = Math.max(1_700_000_000_000, t + o.dt);
          for (const alb of [now, before]) {
            if (o.kind === "response") alb.targetResponse(t, o.zone, o.status, o.latencyMs);
            else if (o.kind === "elb") alb.elbError(t, o.zone, o.status, o.connectionError);
            else if (o.kind === "rejected") alb.rejectedConnection(t);
            else if (o.kind === "hosts") alb.hosts(t, new Map<string, HostCount>(o.counts.map(([z, healthy, unhealthy]) => [z, { healthy, unhealthy }])));
            else alb.flush(t);
          }
        }
        now.flush(Infinity);
        before.flush(Infinity);
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});
