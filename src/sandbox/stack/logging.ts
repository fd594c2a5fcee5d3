/**
 * The stack's logging section: which services' tasks ship their logs to Kinesis, how much they
 * log, and how their shipper is set up. Each running task of such a service runs a log producer
 * (gameday's shipper in the sandbox) that writes `linesPerSecond` lines of `lineBytes` each.
 */
import { z } from "zod";
import { oneOf, strict } from "../../experiment/schema-kit.js";
import { duration } from "./duration.js";

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB)$/;
const SIZE_UNIT: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Bytes as a number or as "64MiB" (binary units, as disks are sized). */
const bytes = oneOf(
  [
    z.number().int().positive(),
    z.string().transform((text, ctx) => {
      const m = SIZE.exec(text.trim());
      if (!m) {
        ctx.addIssue({ code: "custom", message: `expected a size such as 512MiB or a number of bytes, found "${text}"` });
        return z.NEVER;
      }
      return Math.round(Number(m[1]) * SIZE_UNIT[m[2]!]!);
    }),
  ],
  "a size such as 512MiB or a number of bytes",
  (input) => (typeof input === "string" ? 1 : typeof input === "number" ? 0 : { expected: "a size such as 512MiB or a number of bytes" }),
);

export const shipperSettingsSchema = z
  .object({
    /** The disk spool, or false for a shipper that keeps everything in memory (and must drop when it is full). */
    spool: oneOf(
      [
        z.literal(false),
        strict({
          maxBytes: bytes.optional(),
          fsync: z.enum(["always", "interval", "never"]).optional(),
          dropPolicy: z.enum(["drop-newest", "drop-oldest"]).optional(),
        }),
      ],
      "false (no disk spool) or a map of spool settings",
      (input) => (input === false ? 0 : typeof input === "object" && input !== null && !Array.isArray(input) ? 1 : { expected: "false (no disk spool) or a map of spool settings" }),
    ).default({}),
    memory: z.object({ maxRecords: z.number().int().positive().optional(), maxBytes: bytes.optional() }).strict().optional(),
    replay: z.object({ ratePerSec: z.number().positive().optional(), startJitter: duration.optional() }).strict().optional(),
    requestTimeout: duration.optional(),
  })
  .strict();

export const loggingSchema = z.array(
  z
    .object({
      service: z.string().min(1),
      stream: z.string().min(1),
      /** The IAM role (from kinesis.roles) whose access keys the shipper signs with. */
      role: z.string().min(1).optional(),
      linesPerSecond: z.number().positive().max(100_000).default(2),
      lineBytes: z.number().int().min(64).max(1_048_576).default(256),
      shipper: shipperSettingsSchema.default({ spool: {} }),
      /** The shipper's process name in the task, as FIS aws:ecs:task-kill-process names it. */
      process: z.string().regex(/^[\w.-]+$/, "a process name of letters, digits, '.', '-' or '_'").default("log-shipper"),
    })
    .strict(),
);

export type LoggingSpec = z.infer<typeof loggingSchema>[number];
export type ShipperSettings = z.infer<typeof shipperSettingsSchema>;
