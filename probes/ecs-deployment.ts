/**
 * ecs-deployment: an ECS service's deployment as an operator follows it in DescribeServices (and
 * nothing else): the PRIMARY deployment's rolloutState, how long it took to reach COMPLETED,
 * whether the circuit breaker failed it and rolled back, and whether the running count ever fell
 * below minimumHealthyPercent of the desired count.
 *
 * Times are the probe's own (first reading that saw a state), not the target's timestamps, so a
 * clock skew between gameday and AWS cannot bend them; they are as fine as the probe's interval.
 * Failures and rollbacks are read from the service's events (`deployment failed`, `rolling back to
 * deployment`), which ECS keeps after the failed deployment has left the `deployments` list.
 */
import { z } from "zod";
import { DescribeServicesCommand } from "../src/aws/sdk/ecs.js";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { duration } from "../src/engine/params.js";
import { clusterArn } from "../src/iam/fis-actions.js";

const params = z
  .object({
    cluster: z.string().min(1).describe("The ECS cluster the service runs in"),
    service: z.string().min(1).describe("The ECS service whose deployments are watched"),
    within: duration("PT10M").describe("A deployment still IN_PROGRESS this long after the probe first saw it counts as stuck"),
    minimumHealthyPercent: z.number().min(0).max(100).optional().describe("Defaults to the service's own deployment configuration"),
  })
  .strict();

type Params = z.infer<typeof params>;

interface History {
  /** Event ids there before the first reading: only later ones are counted. */
  oldEvents: string[];
  counted: string[];
  /** Per deployment id: when the probe first saw it IN_PROGRESS, and when COMPLETED. */
  seen: Record<string, { inProgressAt?: number; completedAt?: number; stuck?: boolean }>;
  completedAfterMs: number | null;
  rolledBack: number;
  failedDeployments: number;
  stuck: number;
  belowMinimumHealthy: number;
  lowestRunning?: number;
}

const short = (arn: string | undefined) => (arn ?? "?").slice((arn ?? "").lastIndexOf("/") + 1);

export default defineProbe<Params>({
  name: "ecs-deployment",
  description: "An ECS service's deployment completes in time, or its circuit breaker fails and rolls it back, without the running count falling below the minimum healthy share (DescribeServices)",
  params,
  permissions: ({ params: p, region, accountId }) => [
    {
      why: "ecs-deployment reads the service",
      actions: ["ecs:DescribeServices"],
      resources: [`arn:aws:ecs:${region}:${accountId}:service/${clusterArn(region, accountId, p.cluster).split("/").pop()}/${p.service}`],
    },
  ],
  defaultTolerance: { stuck: 0, failedWithoutRollback: 0, belowMinimumHealthy: 0 },
  output: {
    fields: {
      rolloutState: { unit: "string", description: "The PRIMARY deployment's rolloutState: IN_PROGRESS, COMPLETED or FAILED" },
      taskDefinition: { unit: "string", description: "The PRIMARY deployment's task definition (family:revision)" },
      deployments: { unit: "count", description: "Deployments listed now (PRIMARY and ACTIVE ones)" },
      completedAfterMs: { unit: "ms", nullable: true, description: "From the first reading that saw the latest deployment IN_PROGRESS to the first that saw it COMPLETED; null until one completes" },
      rolledBack: { unit: "count", description: "Rollbacks by the circuit breaker since the first reading" },
      failedDeployments: { unit: "count", description: "Deployments the circuit breaker failed since the first reading" },
      failedWithoutRollback: { unit: "count", min: 0, max: 1, description: "1 when the PRIMARY deployment is FAILED and stays so (no rollback): the service is left half-deployed" },
      stuck: { unit: "count", description: "Deployments seen IN_PROGRESS for longer than `within`" },
      belowMinimumHealthy: { unit: "count", description: "Readings whose running count was below the minimum healthy share of the desired count" },
      lowestRunning: { unit: "count", description: "The fewest running tasks seen" },
      desired: { unit: "count", description: "The service's desired count" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const { cluster, service, within } = ctx.params;
    const ecs = await ctx.aws.ecs();
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), { abortSignal: ctx.signal as never });
    const svc = out.services?.[0];
    if (!svc) throw new Error(`service ${service} not found in cluster ${cluster}${out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ""}`);
    const now = ctx.clock.now();
    const events = svc.events ?? [];
    const h = (ctx.state.history ??= {
      oldEvents: events.map((e) => e.id ?? ""),
      counted: [],
      seen: {},
      completedAfterMs: null,
      rolledBack: 0,
      failedDeployments: 0,
      stuck: 0,
      belowMinimumHealthy: 0,
    }) as History;
    const observations: { at: number; message: string }[] = [];

    for (const e of events) {
      const id = e.id ?? "";
      if (h.oldEvents.includes(id) || h.counted.includes(id)) continue;
      h.counted.push(id);
      const message = e.message ?? "";
      if (/\) deployment failed: /.test(message)) h.failedDeployments++;
      else if (/ rolling back to deployment /.test(message)) h.rolledBack++;
      else continue;
      observations.push({ at: now, message });
    }

    for (const d of svc.deployments ?? []) {
      const id = d.id ?? "";
      const s = (h.seen[id] ??= {});
      if (d.rolloutState === "IN_PROGRESS") {
        s.inProgressAt ??= now;
        if (!s.stuck && now - s.inProgressAt > within) {
          s.stuck = true;
          h.stuck++;
          observations.push({ at: now, message: `${service}: deployment ${id} of ${short(d.taskDefinition)} still IN_PROGRESS after ${((now - s.inProgressAt) / 1000).toFixed(0)} s` });
        }
      } else if (d.rolloutState === "COMPLETED" && s.inProgressAt !== undefined && s.completedAt === undefined) {
        s.completedAt = now;
        h.completedAfterMs = now - s.inProgressAt;
        observations.push({ at: now, message: `${service}: deployment ${id} of ${short(d.taskDefinition)} COMPLETED after ${(h.completedAfterMs / 1000).toFixed(0)} s` });
      }
    }

    const desired = svc.desiredCount ?? 0;
    const running = svc.runningCount ?? 0;
    const minPercent = ctx.params.minimumHealthyPercent ?? svc.deploymentConfiguration?.minimumHealthyPercent ?? 100;
    const minimum = Math.ceil((desired * minPercent) / 100);
    h.lowestRunning = Math.min(h.lowestRunning ?? running, running);
    if (running < minimum) {
      h.belowMinimumHealthy++;
      observations.push({ at: now, message: `${service}: ${running} running, below the minimum healthy ${minimum} (${minPercent}% of ${desired})` });
    }
    const primary = svc.deployments?.find((d) => d.status === "PRIMARY");
    return {
      value: {
        rolloutState: primary?.rolloutState ?? "UNKNOWN",
        taskDefinition: short(primary?.taskDefinition ?? svc.taskDefinition),
        deployments: svc.deployments?.length ?? 0,
        completedAfterMs: h.completedAfterMs,
        rolledBack: h.rolledBack,
        failedDeployments: h.failedDeployments,
        failedWithoutRollback: primary?.rolloutState === "FAILED" ? 1 : 0,
        stuck: h.stuck,
        belowMinimumHealthy: h.belowMinimumHealthy,
        lowestRunning: h.lowestRunning,
        desired,
      },
      observations,
    };
  },
});
