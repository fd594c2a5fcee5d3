/**
 * The `kinesis:` section of a stack file: the streams that exist when the sandbox starts, the IAM
 * roles callers act as, and the subnets network faults can target.
 */
import { z } from "zod";
import { DEFAULT_ROLE_NAME } from "../iam/roles.js";
import {
  DEFAULT_MAX_RECORD_SIZE_KIB,
  MAX_RECORD_SIZE_KIB,
  MAX_RETENTION_HOURS,
  MAX_SHARDS_PER_STREAM,
  MIN_RETENTION_HOURS,
} from "./limits.js";

const tagsSchema = z.record(z.string().min(1).max(128), z.string().max(256));

export const kinesisStreamConfigSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9_.-]{1,128}$/, "a stream name is 1 to 128 of a-z A-Z 0-9 _ . -"),
    mode: z.enum(["PROVISIONED", "ON_DEMAND"]).optional(),
    /** Provisioned streams only: on-demand streams start with 4 shards and scale themselves. */
    shards: z.number().int().min(1).max(MAX_SHARDS_PER_STREAM).optional(),
    tags: tagsSchema.optional(),
    retentionHours: z.number().int().min(MIN_RETENTION_HOURS).max(MAX_RETENTION_HOURS).optional(),
    /**
     * Largest record (data plus partition key) the stream accepts, in KiB: 1024 (1 MiB) by
     * default; up to 10240 (10 MiB) for streams set up for large records, which also raises the
     * PutRecords request limit from 5 MiB to 10 MiB.
     */
    maxRecordSizeKiB: z.number().int().min(DEFAULT_MAX_RECORD_SIZE_KIB).max(MAX_RECORD_SIZE_KIB).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const mode = s.mode ?? (s.shards === undefined ? undefined : "PROVISIONED");
    if (mode === undefined) {
      ctx.addIssue({ code: "custom", path: ["shards"], message: "expected `shards` (a PROVISIONED stream) or `mode: ON_DEMAND`, found neither" });
    } else if (mode === "PROVISIONED" && s.shards === undefined) {
      ctx.addIssue({ code: "custom", path: ["shards"], message: "expected a shard count for a PROVISIONED stream, found none" });
    } else if (mode === "ON_DEMAND" && s.shards !== undefined) {
      ctx.addIssue({ code: "custom", path: ["shards"], message: `expected no shard count for an ON_DEMAND stream (it starts with 4 and scales itself), found ${s.shards}` });
    }
  });

export const kinesisRoleConfigSchema = z
  .object({
    name: z.string().regex(/^[\w+=,.@-]{1,64}$/, "an IAM role name is 1 to 64 of letters, digits and + = , . @ _ -"),
    accessKeyIds: z.array(z.string().min(16).max(128)),
    tags: tagsSchema.optional(),
  })
  .strict();

export const subnetConfigSchema = z
  .object({
    id: z.string().regex(/^subnet-[0-9a-zA-Z-]+$/, "a subnet id looks like subnet-0abc123"),
    az: z.string().min(1),
    azId: z.string().min(1).optional(),
    vpc: z.string().regex(/^vpc-[0-9a-zA-Z-]+$/, "a VPC id looks like vpc-0abc123").optional(),
    tags: tagsSchema.optional(),
  })
  .strict();

export const kinesisConfigSchema = z
  .object({
    streams: z.array(kinesisStreamConfigSchema),
    /** Access key ids that belong to named IAM roles, so FIS API-error faults can target a role. */
    roles: z.array(kinesisRoleConfigSchema).optional(),
    /** Subnets that `aws:network:disrupt-connectivity` can target. */
    subnets: z.array(subnetConfigSchema).optional(),
    faults: z
      .object({
        /**
         * What aws:kinesis:stream-provisioned-throughput-exception does to PutRecords. FIS documents
         * it as injecting "ProvisionedThroughputExceededException error responses on requests", so
         * the default fails the whole call (HTTP 400). `per-record` instead answers 200 with those
         * entries failed, as load-driven throttling does.
         */
        putRecordsThroughputFault: z.enum(["whole-call", "per-record"]).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.streams.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: "custom", path: ["streams", i, "name"], message: `expected unique stream names, found '${s.name}' twice` });
      seen.add(s.name);
    });
    const roles = new Set<string>([DEFAULT_ROLE_NAME]);
    const keys = new Set<string>();
    (c.roles ?? []).forEach((r, i) => {
      if (roles.has(r.name)) ctx.addIssue({ code: "custom", path: ["roles", i, "name"], message: `expected unique role names (${DEFAULT_ROLE_NAME} is the default role), found '${r.name}' twice` });
      roles.add(r.name);
      r.accessKeyIds.forEach((k, j) => {
        if (keys.has(k)) ctx.addIssue({ code: "custom", path: ["roles", i, "accessKeyIds", j], message: `expected each access key id in one role, found '${k}' in two` });
        keys.add(k);
      });
    });
    const subnets = new Set<string>();
    (c.subnets ?? []).forEach((s, i) => {
      if (subnets.has(s.id)) ctx.addIssue({ code: "custom", path: ["subnets", i, "id"], message: `expected unique subnet ids, found '${s.id}' twice` });
      subnets.add(s.id);
    });
  });

/** What callers write (optional fields may be left out). */
export type KinesisConfig = z.input<typeof kinesisConfigSchema>;
/** The config after validation. */
export type ParsedKinesisConfig = z.output<typeof kinesisConfigSchema>;

/** Validates a config, throwing one error that lists every problem with its path. */
export function parseKinesisConfig(value: unknown): ParsedKinesisConfig {
  const result = kinesisConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
    return `  kinesis${path ? `.${path}` : ""}: ${issue.message}`;
  });
  throw new Error(`invalid kinesis configuration:\n${lines.join("\n")}`);
}
