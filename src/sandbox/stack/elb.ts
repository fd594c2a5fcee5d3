/** The stack's load balancer section: ALB target groups with AWS's defaults. */
import { z } from "zod";
import { duration } from "./duration.js";
import { name } from "./common.js";

export const healthCheckSchema = z
  .object({
    /** HealthCheckIntervalSeconds: 30 by default, 5 to 300. */
    interval: duration.default(30_000),
    /** HealthyThresholdCount: 5 by default for ALB target groups. */
    healthyThreshold: z.number().int().min(2).max(10).default(5),
    /** UnhealthyThresholdCount: 2 by default for ALB target groups. */
    unhealthyThreshold: z.number().int().min(2).max(10).default(2),
  })
  .strict()
  .superRefine((h, ctx) => {
    if (h.interval < 5_000 || h.interval > 300_000) {
      ctx.addIssue({ code: "custom", path: ["interval"], message: `expected 5 s to 300 s, found ${h.interval / 1000} s` });
    }
  });

export const targetGroupSchema = z
  .object({
    name,
    /** deregistration_delay.timeout_seconds: 300 s by default, 0 to 3600 s. */
    deregistrationDelay: duration.default(300_000),
    healthCheck: healthCheckSchema.default({ interval: 30_000, healthyThreshold: 5, unhealthyThreshold: 2 }),
    /** The load balancer's idle timeout: a request waiting longer gets 504. 60 s by default. */
    idleTimeout: duration.default(60_000),
    /**
     * The most client connections its load balancer holds at once (one per request in flight, as
     * the simulated clients do not reuse connections); past it, a new connection is rejected and
     * counted as RejectedConnectionCount. AWS documents no fixed figure (an ALB scales with its
     * load), so by default there is none: set it to model a load balancer that has not scaled up.
     */
    maxConnections: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((tg, ctx) => {
    if (tg.deregistrationDelay > 3_600_000) {
      ctx.addIssue({ code: "custom", path: ["deregistrationDelay"], message: `expected 0 s to 3600 s, found ${tg.deregistrationDelay / 1000} s` });
    }
  });

export type TargetGroupSpec = z.infer<typeof targetGroupSchema>;
export type HealthCheckSpec = z.infer<typeof healthCheckSchema>;
