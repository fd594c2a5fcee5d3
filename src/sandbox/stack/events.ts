/** The stack's EventBridge section: rules with event patterns, and how delivery behaves. */
import { z } from "zod";
import { duration } from "./duration.js";
import { name } from "./common.js";

export const BUILTIN_SPOT_DRAIN = "builtin:spot-drain";
/** The reference lifecycle drain handler (src/handlers/lifecycle-drain.ts), for an SNS topic's subscriber. */
export const BUILTIN_LIFECYCLE_DRAIN = "builtin:lifecycle-drain";

export const handlerTargetSchema = z
  .object({
    /** `builtin:spot-drain` or a path to a module exporting `handler(event, context)`. */
    handler: z.string().min(1),
    /** Lambda's timeout; 3 s is Lambda's default. */
    timeout: duration.default(3_000),
    /** The function's environment (CLUSTERS for the reference drain handler: a comma list). */
    environment: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const ruleSchema = z
  .object({
    name,
    /** An EventBridge event pattern, as written in a rule. */
    pattern: z.record(z.string(), z.unknown()),
    target: handlerTargetSchema,
  })
  .strict();

export const deliverySchema = z
  .object({
    /** Delivery takes a little time; each delivery waits a uniform draw from [min, max]. */
    latency: z
      .object({ min: duration.default(100), max: duration.default(500) })
      .strict()
      .default({ min: 100, max: 500 }),
    /** Probability that an event is delivered twice (EventBridge is at-least-once). */
    duplicates: z.number().min(0).max(1).default(0),
  })
  .strict();

/** An SNS topic whose subscribers are Lambda-style handlers (an Auto Scaling hook's notification target). */
export const topicSchema = z
  .object({
    name,
    subscribers: z.array(handlerTargetSchema).default([]),
  })
  .strict();

export const eventsSchema = z
  .object({
    delivery: deliverySchema.default({ latency: { min: 100, max: 500 }, duplicates: 0 }),
    rules: z.array(ruleSchema).default([]),
    /** SNS topics; delivery to their subscribers takes `delivery`'s latency too. */
    topics: z.array(topicSchema).default([]),
  })
  .strict();

export type EventsSpec = z.infer<typeof eventsSchema>;
export type RuleSpec = z.infer<typeof ruleSchema>;
export type TopicSpec = z.infer<typeof topicSchema>;
export type HandlerTargetSpec = z.infer<typeof handlerTargetSchema>;
export type DeliverySpec = z.infer<typeof deliverySchema>;
