/**
 * http-slo: availability and latency percentiles of a service's front door over a trailing window,
 * read from CloudWatch: the Gameday/LoadGenerator metrics ({ Service }, 1-second resolution) that
 * the target's load generator publishes (the sandbox's simulated one, or the real HTTP one). One
 * probe, one API, every target. Latencies are in milliseconds; tolerances read as people write them:
 * `{ availability: ">= 0.999", p95: "<= 300ms" }`.
 */
import { z } from "zod";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { duration } from "../src/engine/params.js";
import { LOAD_NAMESPACE, LOAD_WINDOW_PERMISSIONS, readLoadWindow, readWhenVisible } from "../src/aws/load-window.js";
import { alarmPeriodSeconds, type AlarmCompilation } from "../src/aws/stop-alarms.js";
import type { Tolerance } from "../src/experiment/model.js";
import { judgeableWindow } from "../src/load/shortfall.js";

const SECOND = 1000;
const MINUTE = 60_000;
/** Periods GetMetricData accepts for high-resolution data, below a minute. */
const SHORT_PERIODS = [1, 5, 10, 20, 30];

/** Why a window cannot be read as one CloudWatch period, or undefined when it can. */
function windowProblem(ms: number): string | undefined {
  if (ms % SECOND !== 0) return "a whole number of seconds (the load generator's metrics have 1-second resolution)";
  if (ms < MINUTE ? !SHORT_PERIODS.includes(ms / SECOND) : ms % MINUTE !== 0) return "a CloudWatch period: 1, 5, 10, 20 or 30 s, or a whole number of minutes";
  return undefined;
}

const params = z
  .object({
    service: z.string().min(1).describe("The service whose front door (its load balancer) is measured"),
    rps: z.number().positive().optional().describe("Offer at least this many requests per second"),
    window: duration("PT30S")
      .check((c) => {
        const expected = windowProblem(c.value);
        if (expected) c.issues.push({ code: "custom", input: c.value, message: expected, params: { expected, found: `${c.value / SECOND} s` } });
      })
      .describe("Each reading covers the last whole period this long (a CloudWatch period of the 1-second load metrics)"),
    minRequests: z.number().int().min(0).default(1).describe("Fewer requests than this in a window is an error, not a pass"),
  })
  .strict();

type Params = z.infer<typeof params>;

/** Latency fields and the TargetResponseTime statistic each one is. */
const LATENCY_STATS: Readonly<Record<string, { statistic?: "Maximum"; extendedStatistic?: string }>> = {
  p50: { extendedStatistic: "p50" },
  p95: { extendedStatistic: "p95" },
  p99: { extendedStatistic: "p99" },
  max: { statistic: "Maximum" },
};

/** Availability as `run` computes it, from the counts the load generator publishes every period it has requests. */
const AVAILABILITY = {
  expression: "(m2 + m3) / m1",
  metrics: [
    { id: "m1", metricName: "RequestCount", stat: "Sum" },
    { id: "m2", metricName: "HTTPCode_2XX_Count", stat: "Sum" },
    { id: "m3", metricName: "HTTPCode_3XX_Count", stat: "Sum" },
  ],
};

/** The alarm's comparison is the tolerance's breaching side. */
const BREACH = { "<=": "GreaterThanThreshold", "<": "GreaterThanOrEqualToThreshold", ">=": "LessThanThreshold", ">": "LessThanOrEqualToThreshold" } as const;

/**
 * Latency bounds compile to one TargetResponseTime alarm each (seconds, as the metric is kept);
 * availability to a metric math alarm computing it as `run` does: answered 2XX and 3XX over all
 * requests (4XX, 5XX, timeouts and connection errors are failures).
 */
export function loadAlarm(p: { service: string; window: number }, tolerance: Tolerance): AlarmCompilation {
  const out: AlarmCompilation = { alarms: [], notExpressed: [] };
  if (tolerance.kind !== "fields") {
    out.notExpressed.push({ part: "tolerance", why: "only per-field tolerances ({ p95: \"<= 300ms\" }) compile to alarms" });
    return out;
  }
  for (const [field, t] of Object.entries(tolerance.fields)) {
    const stat = LATENCY_STATS[field];
    if (!stat && field !== "availability") {
      out.notExpressed.push({ part: field, why: "no CloudWatch alarm expresses it" });
      continue;
    }
    if (t.kind !== "compare" || !(t.op in BREACH)) {
      out.notExpressed.push({ part: field, why: "only <, <=, > and >= bounds compile to an alarm threshold" });
      continue;
    }
    const common = { part: field, namespace: LOAD_NAMESPACE, dimensions: { Service: p.service }, periodSeconds: alarmPeriodSeconds(p.window), comparison: BREACH[t.op as keyof typeof BREACH], tolerance: t.source };
    if (stat) out.alarms.push({ ...common, metricName: "TargetResponseTime", ...stat, threshold: t.value / 1000 });
    else out.alarms.push({ ...common, math: AVAILABILITY, threshold: t.value });
  }
  return out;
}

export default defineProbe<Params>({
  name: "http-slo",
  description: "Availability and p50/p95/p99 latency of a service over a trailing window",
  params,
  permissions: () => LOAD_WINDOW_PERMISSIONS,
  defaultTolerance: { availability: ">= 0.999" },
  alarm: loadAlarm,
  output: {
    fields: {
      requests: { unit: "count", description: "Requests answered in the window" },
      availability: { unit: "ratio", description: "Share of requests that succeeded" },
      p50: { unit: "ms", description: "Median latency" },
      p95: { unit: "ms", description: "95th percentile latency" },
      p99: { unit: "ms", description: "99th percentile latency" },
      max: { unit: "ms", description: "Slowest request" },
      byStatus: { unit: "map", description: "Requests by HTTP status class (2XX…5XX), timeout and connectionError" },
      windowMs: { unit: "ms", description: "The window each reading covers" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const { service, rps, window, minRequests } = ctx.params;
    // The target's traffic port says which services its load generator drives (and publishes for).
    if (!ctx.traffic.services().includes(service)) {
      throw new Error(`no traffic for service "${service}" on this target; known: ${ctx.traffic.services().join(", ") || "none"}`);
    }
    // CloudWatch aligns periods (to themselves below a minute, to the minute above): a reading is
    // the last whole period of that alignment, so it comes back as one datapoint per statistic.
    const align = window < MINUTE ? window : MINUTE;
    if (ctx.state.warmedUp === undefined) {
      if (rps !== undefined) ctx.traffic.drive(service, rps);
      // The first reading needs a full window of traffic at the requested rate behind it: wait
      // for the first aligned period that starts no earlier than now to end.
      const now = ctx.clock.now();
      await ctx.clock.sleep(Math.ceil((now + window) / align) * align - now, ctx.signal);
      ctx.state.warmedUp = true;
    }
    const to = Math.floor(ctx.clock.now() / align) * align;
    const cloudwatch = await ctx.aws.cloudwatch();
    const w = await readWhenVisible(ctx.traffic, service, { start: to - window, end: to }, () => readLoadWindow(cloudwatch, { Service: service }, to - window, to), (r) => r.requests, ctx.clock, ctx.signal);
    // The generator's own failures are not in w.requests, so never against availability. A window
    // it fell behind in by MAX_SHORTFALL_SHARE or more measured the generator, not the service: an
    // error of the reading ("cannot judge", as too few requests is), never a deviation of the service.
    const shortfall = judgeableWindow(w, service, window, ctx.clock.now());
    if (w.requests < minRequests) throw new Error(`only ${w.requests} request(s) to ${service} in the last ${window / 1000} s; cannot judge availability`);
    const succeeded = (w.byClass["2XX"] ?? 0) + (w.byClass["3XX"] ?? 0);
    const failed = w.requests - succeeded;
    const byStatus: Record<string, number> = { ...w.byClass };
    if (w.timeouts > 0) byStatus.timeout = w.timeouts;
    if (w.connectionErrors > 0) byStatus.connectionError = w.connectionErrors;
    const observations = failed > 0 ? [{ at: ctx.clock.now(), message: `${service}: ${failed} of ${w.requests} requests failed in the last ${window / 1000} s (${JSON.stringify(byStatus)})` }] : [];
    if (shortfall) observations.push(shortfall);
    return {
      value: {
        requests: w.requests,
        availability: w.requests > 0 ? succeeded / w.requests : 1,
        p50: w.p50,
        p95: w.p95,
        p99: w.p99,
        max: w.max,
        byStatus,
        windowMs: window,
      },
      observations,
    };
  },
});
