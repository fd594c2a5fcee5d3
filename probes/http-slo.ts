/**
 * http-slo: availability and latency percentiles of a service's front door over a trailing window,
 * from the traffic the target offers it (the sandbox's load generator, or an HTTP load generator on
 * AWS). Latencies are in milliseconds; tolerances read as people write them:
 * `{ availability: ">= 0.999", p95: "<= 300ms" }`.
 */
import { z } from "zod";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { duration } from "../src/engine/params.js";

const params = z
  .object({
    service: z.string().min(1).describe("The service whose front door (its load balancer) is measured"),
    rps: z.number().positive().optional().describe("Offer at least this many requests per second"),
    window: duration("PT30S").describe("Each reading covers this much trailing time"),
    minRequests: z.number().int().min(0).default(1).describe("Fewer requests than this in a window is an error, not a pass"),
  })
  .strict();

type Params = z.infer<typeof params>;

export default defineProbe<Params>({
  name: "http-slo",
  description: "Availability and p50/p95/p99 latency of a service over a trailing window",
  params,
  defaultTolerance: { availability: ">= 0.999" },
  output: {
    fields: {
      requests: { unit: "count", description: "Requests answered in the window" },
      availability: { unit: "ratio", description: "Share of requests that succeeded" },
      p50: { unit: "ms", description: "Median latency" },
      p95: { unit: "ms", description: "95th percentile latency" },
      p99: { unit: "ms", description: "99th percentile latency" },
      max: { unit: "ms", description: "Slowest request" },
      byStatus: { unit: "map", description: "Requests by HTTP status" },
      windowMs: { unit: "ms", description: "The window each reading covers" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const { service, rps, window, minRequests } = ctx.params;
    if (!ctx.traffic.services().includes(service)) {
      throw new Error(`no traffic for service "${service}" on this target; known: ${ctx.traffic.services().join(", ") || "none"}`);
    }
    if (ctx.state.warmedUp === undefined) {
      if (rps !== undefined) ctx.traffic.drive(service, rps);
      // The first reading needs a full window of traffic at the requested rate behind it.
      await ctx.clock.sleep(window, ctx.signal);
      ctx.state.warmedUp = true;
    }
    const to = ctx.clock.now();
    const stats = ctx.traffic.stats(service, to - window, to);
    if (stats.requests < minRequests) throw new Error(`only ${stats.requests} request(s) to ${service} in the last ${window / 1000} s; cannot judge availability`);
    const failedShare = stats.requests > 0 ? stats.failed / stats.requests : 0;
    const observations = failedShare > 0 ? [{ at: to, message: `${service}: ${stats.failed} of ${stats.requests} requests failed in the last ${window / 1000} s (${JSON.stringify(stats.byStatus)})` }] : [];
    return {
      value: {
        requests: stats.requests,
        availability: stats.availability,
        p50: stats.p50,
        p95: stats.p95,
        p99: stats.p99,
        max: stats.max,
        byStatus: stats.byStatus,
        windowMs: window,
      },
      observations,
    };
  },
});
