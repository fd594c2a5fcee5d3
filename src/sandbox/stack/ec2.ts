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
