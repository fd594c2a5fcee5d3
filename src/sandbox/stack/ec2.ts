/**
 * The stack's EC2 capacity: instance types (what the ECS agent registers) and Auto Scaling groups
 * of on-demand and spot instances that join a cluster.
 */
import { z } from "zod";
import { duration } from "./duration.js";
import { name, tags } from "./common.js";

/**
 * CPU units and memory (MiB) the ECS agent registers for common types: vCPUs x 1024, and the
 * instance's memory less what the ECS-optimized AMI keeps for the OS. A stack may add its own.
 */
export const BUILTIN_INSTANCE_TYPES: Record<string, { cpu: number; memory: number }> = {
  "t3.medium": { cpu: 2048, memory: 3904 },
  "t3.large": { cpu: 2048, memory: 7866 },
  "m5.large": { cpu: 2048, memory: 7680 },
  "m5.xlarge": { cpu: 4096, memory: 15576 },
  "m5.2xlarge": { cpu: 8192, memory: 31368 },
  "m5a.large": { cpu: 2048, memory: 7680 },
  "c5.large": { cpu: 2048, memory: 3704 },
  "c5.xlarge": { cpu: 4096, memory: 7502 },
  "c5.2xlarge": { cpu: 8192, memory: 15208 },
  "r5.large": { cpu: 2048, memory: 15576 },
};

export const instanceTypeSchema = z.object({ cpu: z.number().int().positive(), memory: z.number().int().positive() }).strict();

const purchase = z
  .object({
    count: z.number().int().min(0),
    /** Tags on instances of this purchase option only (e.g. `chaos: ok` on spot). */
    tags,
  })
  .strict();

/**
 * A lifecycle hook on instance termination, as PutLifecycleHook takes it. AWS's limits and
 * defaults: HeartbeatTimeout 30..7200 s, 3600 s when omitted; DefaultResult ABANDON when omitted
 * (Amazon EC2 Auto Scaling API Reference, PutLifecycleHook). The global timeout is not settable:
 * AWS fixes it at min(100 x heartbeat, 48 h) (services/autoscaling/lifecycle-timing.ts).
 */
export const lifecycleHookSchema = z
  .object({
    name,
    transition: z.literal("autoscaling:EC2_INSTANCE_TERMINATING").default("autoscaling:EC2_INSTANCE_TERMINATING"),
    heartbeatTimeout: duration
      .refine((ms) => ms >= 30_000 && ms <= 7_200_000 && ms % 1000 === 0, { message: "expected a heartbeat timeout of whole seconds from PT30S to PT2H (AWS's limits)" })
      .default(3_600_000),
    defaultResult: z.enum(["CONTINUE", "ABANDON"]).default("ABANDON"),
    notificationMetadata: z.string().max(1023).optional(),
    /** An SNS topic of this stack (events.topics) the hook notifies, besides the EventBridge event. */
    notificationTarget: name.optional(),
  })
  .strict();

export type LifecycleHookSpec = z.infer<typeof lifecycleHookSchema>;

export const autoScalingGroupSchema = z
  .object({
    name,
    /** The ECS cluster the instances join (ECS_CLUSTER in their user data). */
    cluster: name,
    instanceType: z.string(),
    /** Subnets' AZs; the stack's AZs when omitted. Instances are balanced across them. */
    availabilityZones: z.array(z.string()).min(1).optional(),
    onDemand: purchase.default({ count: 0, tags: {} }),
    spot: purchase.default({ count: 0, tags: {} }),
    /** Tags on every instance the group launches. */
    tags,
    /** Bounds for SetDesiredCapacity: 0 and the starting capacity (onDemand + spot) when omitted. */
    minSize: z.number().int().min(0).optional(),
    maxSize: z.number().int().min(0).optional(),
    /** Hooks run before an instance the group removes is terminated (scale-in, TerminateInstanceInAutoScalingGroup). */
    lifecycleHooks: z.array(lifecycleHookSchema).default([]),
    /**
     * Modelled delays (not AWS-documented constants): how long the group takes to notice a
     * terminated instance and start a replacement, how long an instance stays `pending`, and how
     * long the ECS agent takes to register once the instance is running.
     */
    timing: z
      .object({
        replaceAfter: duration.default(30_000),
        boot: duration.default(40_000),
        agentRegistration: duration.default(10_000),
        /** shutting-down -> terminated. */
        shutdown: duration.default(10_000),
      })
      .strict()
      .default({ replaceAfter: 30_000, boot: 40_000, agentRegistration: 10_000, shutdown: 10_000 }),
  })
  .strict();

export type AutoScalingGroupSpec = z.infer<typeof autoScalingGroupSchema>;
