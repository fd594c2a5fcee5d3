/**
 * wordpress: WordPress on Lambda behind API Gateway and CloudFront, as an operator reads it in
 * CloudWatch, over the last whole `window` of minutes:
 * - at the viewer: availability and p50/p95/p99 from what the load generator measured
 *   (Gameday/LoadGenerator by { Service: site }, http-slo's reader);
 * - 5xx by source: Lambda errors (AWS/Lambda Errors less timeouts; API Gateway answers 502), Lambda
 *   timeouts (Duration samples at the function's timeout, TC), throttles (AWS/Lambda Throttles; API
 *   Gateway answers 500), API Gateway's own (its 5xx less those: integration timeouts, EFS mount
 *   failures), and CloudFront's (its 5xx less API Gateway's: cached errors and origin read timeouts);
 * - the share served from CloudFront's cache (1 − API Gateway Count / CloudFront Requests), the
 *   cold-start share (LambdaInsights init_duration SampleCount / Invocations, when Insights is on)
 *   and the concurrency in use (ConcurrentExecutions Maximum).
 */
import { z } from "zod";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { duration } from "../src/engine/params.js";
import { LOAD_WINDOW_PERMISSIONS, readLoadWindow, readWhenVisible } from "../src/aws/load-window.js";
import { judgeableWindow } from "../src/load/shortfall.js";
import { EDGE_METRICS_PERMISSIONS, readEdge } from "../src/aws/edge-metrics.js";
import { loadAlarm } from "./http-slo.js";

const MINUTE = 60_000;

const params = z
  .object({
    site: z.string().min(1).describe("The viewer load's name: the distribution's name in a sandbox stack, or the --url service name"),
    distributionId: z.string().regex(/^E[A-Z0-9]{13}$/, { message: 'expected a CloudFront distribution id such as "E2QWRUHAPOMQZL"' }).describe("The CloudFront distribution (DistributionId)"),
    apiId: z.string().regex(/^[a-z0-9]{10}$/, { message: 'expected an API Gateway API id such as "a1b2c3d4e5"' }).describe("The HTTP API (ApiId)"),
    stage: z.string().min(1).default("$default").describe("The HTTP API's stage"),
    function: z.string().min(1).describe("The Lambda function (FunctionName)"),
    functionTimeout: duration("PT30S").describe("The function's timeout: invocations that lasted it timed out"),
    window: duration("PT1M")
      .check((c) => {
        if (c.value < MINUTE || c.value % MINUTE !== 0) c.issues.push({ code: "custom", input: c.value, message: "a whole number of minutes (AWS/CloudFront, AWS/ApiGateway and AWS/Lambda are per minute)", params: { expected: "a whole number of minutes", found: `${c.value / 1000} s` } });
      })
      .describe("Each reading covers the last whole minutes this long"),
    rps: z.number().positive().optional().describe("Offer at least this many viewer requests per second"),
    minRequests: z.number().int().min(0).default(1).describe("Fewer viewer requests than this in a window is an error, not a pass"),
  })
  .strict();

type Params = z.infer<typeof params>;

export default defineProbe<Params>({
  name: "wordpress",
  description: "WordPress on Lambda behind API Gateway and CloudFront: viewer availability and latency, 5xx by source, cache share, cold starts, concurrency",
  params,
  permissions: () => [...LOAD_WINDOW_PERMISSIONS, ...EDGE_METRICS_PERMISSIONS],
  defaultTolerance: { availability: ">= 0.99" },
  // Availability and latency are the viewers' load metrics, as http-slo's: the same alarms.
  alarm: (p, tolerance) => loadAlarm({ service: p.site, window: p.window }, tolerance),
  output: {
    fields: {
      requests: { unit: "count", description: "Viewer requests answered in the window" },
      availability: { unit: "ratio", description: "Share of viewer requests answered 2XX or 3XX" },
      p50: { unit: "ms", description: "Median latency at the viewer" },
      p95: { unit: "ms", description: "95th percentile latency at the viewer" },
      p99: { unit: "ms", description: "99th percentile latency at the viewer" },
      errors5xx: { unit: "map", description: "5xx by source: lambdaError, lambdaTimeout, throttle, apiGateway, cloudFront" },
      cacheShare: { unit: "ratio", description: "Share of viewer requests CloudFront answered without asking the origin" },
      coldStartShare: { unit: "ratio", nullable: true, description: "Share of invocations that began with a cold start (null when Lambda Insights published no init_duration in the window: Insights off, or no cold start)" },
      concurrency: { unit: "count", description: "The most execution environments running at once (ConcurrentExecutions)" },
      windowMs: { unit: "ms", description: "The window each reading covers" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const p = ctx.params;
    if (ctx.state.warmedUp === undefined) {
      if (p.rps !== undefined) {
        if (!ctx.traffic.services().includes(p.site)) throw new Error(`no traffic for site "${p.site}" on this target; known: ${ctx.traffic.services().join(", ") || "none"}`);
        ctx.traffic.drive(p.site, p.rps);
      }
      // The first reading needs a whole window behind it, and AWS publishes a minute once it has ended.
      const now = ctx.clock.now();
      await ctx.clock.sleep(Math.ceil((now + p.window) / MINUTE) * MINUTE + 1 - now, ctx.signal);
      ctx.state.warmedUp = true;
    }
    const to = Math.floor(ctx.clock.now() / MINUTE) * MINUTE;
    const from = to - p.window;
    const cloudwatch = await ctx.aws.cloudwatch();
    const viewer = await readWhenVisible(ctx.traffic, p.site, { start: from, end: to }, () => readLoadWindow(cloudwatch, { Service: p.site }, from, to), (r) => r.requests, ctx.clock, ctx.signal);
    // A window the load generator fell behind in measured the generator, not the site (shortfall.ts).
    const shortfall = judgeableWindow(viewer, p.site, p.window, ctx.clock.now());
    if (viewer.requests < p.minRequests) throw new Error(`only ${viewer.requests} viewer request(s) to ${p.site} in the last ${p.window / 1000} s; cannot judge availability`);
    const edge = await readEdge(cloudwatch, { distributionId: p.distributionId, apiId: p.apiId, stage: p.stage, functionName: p.function, functionTimeoutMs: p.functionTimeout }, from, to, ctx.signal);
    const succeeded = (viewer.byClass["2XX"] ?? 0) + (viewer.byClass["3XX"] ?? 0);
    const lambdaTimeout = Math.min(edge.timeouts, edge.lambdaErrors);
    const errors5xx = {
      lambdaError: edge.lambdaErrors - lambdaTimeout,
      lambdaTimeout,
      throttle: edge.throttles,
      apiGateway: Math.max(0, edge.api5xx - edge.lambdaErrors - edge.throttles),
      cloudFront: Math.max(0, edge.viewer5xx - edge.api5xx),
    };
    const failed = viewer.requests - succeeded;
    const observations = failed > 0 ? [{ at: ctx.clock.now(), message: `${p.site}: ${failed} of ${viewer.requests} viewer requests failed in the last ${p.window / 1000} s; 5xx by source ${JSON.stringify(errors5xx)}` }] : [];
    if (shortfall) observations.push(shortfall);
    return {
      value: {
        requests: viewer.requests,
        availability: viewer.requests > 0 ? succeeded / viewer.requests : 1,
        p50: viewer.p50,
        p95: viewer.p95,
        p99: viewer.p99,
        errors5xx,
        cacheShare: edge.viewerRequests > 0 ? Math.max(0, 1 - edge.apiRequests / edge.viewerRequests) : 0,
        coldStartShare: edge.coldStarts === null ? null : edge.invocations > 0 ? edge.coldStarts / edge.invocations : 0,
        concurrency: edge.concurrency,
        windowMs: p.window,
      },
      observations,
    };
  },
});
