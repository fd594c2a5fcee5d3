/**
 * capacity: ramps a service's offered load (open model) and finds its knee, the highest offered
 * rate before errors reach `maxErrorRate`, beside the theoretical maximum of its threads
 * (tasks × threads ÷ service time). The ramp goes through the target's traffic port: a native
 * ramp where the port has one (the HTTP load generator against a URL: the rate rises continuously),
 * otherwise raised every `step` (the sandbox's load generator); what came
 * back is read from CloudWatch (Gameday/LoadGenerator, { Service }) period by period, so the
 * reading also gives latency percentiles over time and errors by source.
 */
import { z } from "zod";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { duration } from "../src/engine/params.js";
import { LOAD_WINDOW_PERMISSIONS, readWhenVisible } from "../src/aws/load-window.js";
import { readLoadSeries } from "../src/aws/load-series.js";
import { ALB_ERRORS_PERMISSIONS, loadBalancerOf, readAlbErrors, type AlbErrors } from "../src/aws/alb-errors.js";
import { findKnee, rampMeanRate, theoreticalMax, type Ramp } from "../src/load/knee.js";
import { describeWindowShortfall, MAX_SHORTFALL_SHARE, polluted } from "../src/load/shortfall.js";

const SECOND = 1000;
const MINUTE = 60_000;
/** Periods GetMetricData accepts for the 1-second load metrics. */
const PERIODS = [1, 5, 10, 20, 30, 60];

const params = z
  .object({
    service: z.string().min(1).describe("The service whose front door (its load balancer) is ramped"),
    from: z.number().min(0).default(1).describe("Offered rate at the start of the ramp, requests per second"),
    to: z.number().positive().default(1000).describe("Offered rate at the end of the ramp, requests per second"),
    over: duration("PT5M").describe("How long the ramp takes"),
    step: duration("PT1S").describe("How often the offered rate is raised along the ramp, on targets whose load generator has no native ramp (the sandbox's)"),
    period: duration("PT10S")
      .refine((ms) => PERIODS.includes(ms / SECOND), { message: "a CloudWatch period of 1, 5, 10, 20, 30 or 60 s" })
      .describe("Each point of the series covers this long"),
    maxErrorRate: z.number().gt(0).lt(1).default(0.01).describe("The knee is the highest rate before errors reach this share of requests"),
    tasks: z.number().int().positive().describe("Tasks behind the load balancer (for the theoretical maximum)"),
    threads: z.number().int().positive().describe("Request threads per task"),
    serviceTime: duration().describe("How long one request holds a thread (the mix's mean)"),
    vcpus: z.number().positive().default(1).describe("vCPUs per task (cpu units ÷ 1024), with cpuTime"),
    cpuTime: duration()
      .optional()
      .describe("CPU time one request needs on one vCPU: the theoretical maximum is then also at most tasks × vCPUs ÷ cpuTime"),
    targetGroup: z.string().min(1).optional().describe("The ALB target group in front of the service: adds the load balancer's own error counts (AWS/ApplicationELB)"),
  })
  .strict()
  .refine((p) => p.step <= p.over, { message: "a step no longer than the ramp", path: ["step"] });

type Params = z.infer<typeof params>;

export default defineProbe<Params>({
  name: "capacity",
  description: "Ramps offered load and reports the knee (highest rate under the error bound) beside the theoretical maximum",
  params,
  permissions: ({ params: p }) => [...LOAD_WINDOW_PERMISSIONS, ...(p.targetGroup ? ALB_ERRORS_PERMISSIONS : [])],
  output: {
    fields: {
      knee: { unit: "number", description: "Highest offered requests/s before errors reached maxErrorRate (0 when the first period failed)" },
      kneeReached: { unit: "bool", description: "False when the ramp ended before errors reached the bound" },
      theoreticalMax: { unit: "number", description: "tasks × threads ÷ service time, requests/s; with cpuTime, at most tasks × vCPUs ÷ cpuTime" },
      kneeShare: { unit: "number", description: "knee ÷ theoretical maximum" },
      requests: { unit: "count", description: "Requests whose outcome was measured over the ramp" },
      errorsBySource: { unit: "map", description: "Failed requests over the ramp: 4XX, 5XX (the load balancer's 502/503/504 among them), timeout, connectionError" },
      albErrors: { unit: "map", description: "With targetGroup: the ALB's ELB_502/503/504, Target_5XX, TargetConnectionError and RejectedConnection counts over the ramp" },
      series: { unit: "list", description: "Per period: start, offered rate, requests, errors, p50/p95/p99 ms" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const { service, from, to, over, step, period, maxErrorRate, tasks, threads, serviceTime, vcpus, cpuTime, targetGroup } = ctx.params;
    if (!ctx.traffic.services().includes(service)) {
      throw new Error(`no traffic for service "${service}" on this target; known: ${ctx.traffic.services().join(", ") || "none"}`);
    }
    const ramp: Ramp = { from, to, overMs: over };
    // Start on a period boundary, so each CloudWatch period holds one stretch of the ramp.
    const now = ctx.clock.now();
    const start = Math.ceil(now / period) * period;
    await ctx.clock.sleep(start - now, ctx.signal);
    if (ctx.traffic.ramp) {
      ctx.traffic.ramp(service, from, to, over);
      await ctx.clock.sleep(over, ctx.signal);
    } else {
      // A staircase: each step offers the ramp's mean over that step (drive only ever raises).
      for (let t = 0; t < over; t += step) {
        ctx.traffic.drive(service, rampMeanRate(ramp, t, Math.min(t + step, over)));
        await ctx.clock.sleep(Math.min(step, over - t), ctx.signal);
      }
    }
    const end = start + Math.ceil(over / period) * period;
    await ctx.clock.sleep(Math.max(0, end - ctx.clock.now()), ctx.signal);
    const cloudwatch = await ctx.aws.cloudwatch();
    const measured = await readWhenVisible(ctx.traffic, service, { start, end }, () => readLoadSeries(cloudwatch, { Service: service }, start, end, period), (s) => s.reduce((n, p) => n + p.requests, 0), ctx.clock, ctx.signal);
    const series = measured.map((p) => {
      const errors = p.requests - p.succeeded;
      return { at: p.at, offered: round(rampMeanRate(ramp, p.at - start, p.at - start + period)), requests: p.requests, errors, p50: p.p50, p95: p.p95, p99: p.p99, ...(polluted(p) ? { generatorBound: true } : {}) };
    });
    const knee = findKnee(series, maxErrorRate);
    // A knee found after the generator fell behind would be the generator's: an error of the
    // reading, never a deviation of the service. Past a knee found first, its lag changes nothing.
    if (knee.generatorBoundAt !== undefined) {
      const at = knee.generatorBoundAt;
      const p = measured.find((q) => q.at === at)!;
      const offered = round(rampMeanRate(ramp, at - start, at - start + period));
      const held = knee.rps === undefined ? "" : `; up to there ${service} kept errors under ${maxErrorRate * 100}% at ${round(knee.rps)} req/s`;
      throw new Error(
        `in the ${period / SECOND} s from ${new Date(at).toISOString()} (${offered} req/s offered), ${describeWindowShortfall(p)} ${MAX_SHORTFALL_SHARE * 100}% or more of its load: it could not keep its schedule, so the ramp cannot judge ${service}'s knee${held}`,
      );
    }
    const max = theoreticalMax(tasks, threads, serviceTime, cpuTime !== undefined && cpuTime > 0 ? { vcpus, cpuTimeMs: cpuTime } : undefined);
    const errorsBySource = { "4XX": 0, "5XX": 0, timeout: 0, connectionError: 0 };
    for (const p of measured) for (const k of Object.keys(errorsBySource) as (keyof typeof errorsBySource)[]) errorsBySource[k] += p.errors[k];
    const kneeRps = round(knee.rps ?? 0);
    let albErrors: AlbErrors | undefined;
    if (targetGroup) {
      // The ALB publishes per minute, when the minute ends: wait for the ramp's last one.
      const minuteEnd = Math.ceil(end / MINUTE) * MINUTE + SECOND;
      await ctx.clock.sleep(Math.max(0, minuteEnd - ctx.clock.now()), ctx.signal);
      const cloudwatch = await ctx.aws.cloudwatch();
      const lb = await loadBalancerOf(cloudwatch, targetGroup);
      if (!lb) throw new Error(`no AWS/ApplicationELB metrics for target group "${targetGroup}": expected the name of the target group in front of ${service}`);
      albErrors = await readAlbErrors(cloudwatch, lb, start, end);
    }
    return {
      value: {
        knee: kneeRps,
        kneeReached: knee.reached,
        theoreticalMax: round(max),
        kneeShare: round(kneeRps / max, 3),
        requests: measured.reduce((n, p) => n + p.requests, 0),
        errorsBySource,
        ...(albErrors ? { albErrors } : {}),
        series,
      },
      observations: [
        {
          at: ctx.clock.now(),
          message: knee.reached
            ? `${service}: knee at ${kneeRps} req/s (errors reached ${maxErrorRate * 100}% from ${new Date(knee.firstFailingAt!).toISOString()}); theoretical maximum ${round(max)} req/s`
            : `${service}: no knee up to ${to} req/s (errors stayed under ${maxErrorRate * 100}%); theoretical maximum ${round(max)} req/s`,
        },
      ],
    };
  },
});

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
