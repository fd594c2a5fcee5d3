/**
 * What `pino.transport({ target: "gameday/pipeline", options })` accepts: the shipper's plain-data
 * settings (options.ts) plus where the stream is. Validated here, in the worker, so that a typo
 * fails the transport at start with a message naming the setting rather than shipping nowhere.
 */
import { z } from "zod";
import { dataSchema, describeIssues, type ShipperOptions } from "./options.js";

export const transportSchema = dataSchema
  .extend({
    streamName: z.string().min(1),
    /** Default: AWS_REGION, then AWS_DEFAULT_REGION. */
    region: z.string().min(1).optional(),
    /** An AWS-compatible endpoint (kinesis-local, `chaos sandbox serve`); omit for AWS. */
    endpoint: z.url().optional(),
    /** Omit to use the SDK's default credential chain. */
    credentials: z
      .object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().optional() })
      .strict()
      .optional(),
    connectionTimeoutMs: z.number().finite().positive().optional(),
  })
  .strict();

/** The shipper settings a transport passes on: everything but the injected parts. */
export type TransportData = Omit<ShipperOptions, "clock" | "random" | "kinesis" | "onEvent">;

export interface TransportOptions {
  streamName: string;
  region: string;
  endpoint: string | undefined;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  connectionTimeoutMs: number | undefined;
  /** The rest, for new Shipper({ ...shipper, clock, random, kinesis }). */
  shipper: TransportData;
}

/** Keys pino and thread-stream add to the options they hand the worker; not the user's to validate. */
const PINO_KEYS = ["$context", "pinoWillSendConfig"];

export function parseTransportOptions(raw: unknown, env: Record<string, string | undefined> = process.env): TransportOptions {
  const own = raw && typeof raw === "object" && !Array.isArray(raw) ? Object.fromEntries(Object.entries(raw).filter(([k]) => !PINO_KEYS.includes(k))) : raw;
  const parsed = transportSchema.safeParse(own ?? {});
  if (!parsed.success) throw new TypeError(describeIssues("gameday/pipeline: invalid transport options", parsed.error, own));
  const { streamName, region, endpoint, credentials, connectionTimeoutMs, ...shipper } = parsed.data;
  const resolvedRegion = region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!resolvedRegion) {
    throw new TypeError("gameday/pipeline: invalid transport options:\n  region: expected a region (or AWS_REGION in the environment), found nothing");
  }
  const creds = credentials
    ? { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}) }
    : undefined;
  return { streamName, region: resolvedRegion, endpoint, credentials: creds, connectionTimeoutMs, shipper: withoutUndefined(shipper) as TransportData };
}

/**
 * Validated data minus keys whose value is undefined (options cloned into a worker keep them), so
 * that it fits ShipperOptions, whose optional settings are absent rather than undefined.
 */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out;
}
