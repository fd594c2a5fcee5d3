/**
 * service-recovery: an ECS service gets back to its desired count within a bound, and never falls
 * below its minimum healthy share on the way. Readings keep the history of the current window, so
 * the verdict covers every dip, not only the last reading.
 */
import { z } from "zod";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { clusterArn } from "../src/iam/fis-actions.js";
import { duration } from "../src/engine/params.js";

const params = z
  .object({
    cluster: z.string().min(1).describe("The ECS cluster the service runs in"),
    service: z.string().min(1).describe("The ECS service to watch"),
    within: duration("PT2M").describe("A dip below the desired count must end within this long"),
    minimumHealthyPercent: z.number().min(0).max(100).optional().describe("Defaults to the service's own deployment configuration"),
  })
  .strict();

type Params = z.infer<typeof params>;

interface History {
  belowSince?: number | undefined;
  longestBelowMs: number;
  slowRecoveries: number;
  minimumHealthyViolations: number;
  lowest?: number;
  /** The current dip was already counted as slow. */
  countedSlow: boolean;
}

export default defineProbe<Params>({
  name: "service-recovery",
  description: "An ECS service returns to its desired count within a bound and keeps its minimum healthy share",
  params,
  permissions: ({ params: p, region, accountId }) => [
    {
      why: "service-recovery reads the service",
      actions: ["ecs:DescribeServices"],
      resources: [`arn:aws:ecs:${region}:${accountId}:service/${clusterArn(region, accountId, p.cluster).split("/").pop()}/${p.service}`],
    },
  ],
  defaultTolerance: { slowRecoveries: 0, minimumHealthyViolations: 0 },
  output: {
    fields: {
      desired: { unit: "count", description: "The service's desired count" },
      running: { unit: "count", description: "Tasks running now" },
      pending: { unit: "count", description: "Tasks pending now" },
      minimumHealthy: { unit: "count", description: "The fewest running tasks the minimum healthy share allows" },
      lowestRunning: { unit: "count", description: "The fewest running tasks seen in the window" },
      longestBelowDesiredMs: { unit: "ms", description: "The longest dip below the desired count" },
      slowRecoveries: { unit: "count", description: "Dips that lasted longer than `within`" },
      minimumHealthyViolations: { unit: "count", description: "Readings below the minimum healthy share" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const ecs = await ctx.aws.ecs();
    const out = await ecs.send(new DescribeServicesCommand({ cluster: ctx.params.cluster, services: [ctx.params.service] }), { abortSignal: ctx.signal as never });
    const svc = out.services?.[0];
    if (!svc) throw new Error(`service ${ctx.params.service} not found in cluster ${ctx.params.cluster}${out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ""}`);
    const desired = svc.desiredCount ?? 0;
    const running = svc.runningCount ?? 0;
    const minPercent = ctx.params.minimumHealthyPercent ?? svc.deploymentConfiguration?.minimumHealthyPercent ?? 100;
    const minimum = Math.ceil((desired * minPercent) / 100);
    const h = (ctx.state.history ??= { longestBelowMs: 0, slowRecoveries: 0, minimumHealthyViolations: 0, countedSlow: false }) as History;
    const now = ctx.clock.now();
    const observations = [];
    h.lowest = Math.min(h.lowest ?? running, running);
    if (running < minimum) {
      h.minimumHealthyViolations++;
      observations.push({ at: now, message: `${ctx.params.service}: ${running} running, below the minimum healthy ${minimum} (${minPercent}% of ${desired})` });
    }
    if (running < desired) {
      h.belowSince ??= now;
      const below = now - h.belowSince;
      h.longestBelowMs = Math.max(h.longestBelowMs, below);
      if (below > ctx.params.within && !h.countedSlow) {
        h.slowRecoveries++;
        h.countedSlow = true;
        observations.push({ at: now, message: `${ctx.params.service} still below its desired count ${desired} after ${(below / 1000).toFixed(0)} s` });
      }
    } else if (h.belowSince !== undefined) {
      observations.push({ at: now, message: `${ctx.params.service} back to ${desired} running after ${((now - h.belowSince) / 1000).toFixed(1)} s` });
      h.belowSince = undefined;
      h.countedSlow = false;
    }
    return {
      value: {
        desired,
        running,
        pending: svc.pendingCount ?? 0,
        minimumHealthy: minimum,
        lowestRunning: h.lowest,
        longestBelowDesiredMs: h.longestBelowMs,
        slowRecoveries: h.slowRecoveries,
        minimumHealthyViolations: h.minimumHealthyViolations,
      },
      observations,
    };
  },
});
