/**
 * The shipper's settings: defaults, and validation with errors that say which setting, what was
 * expected and what was found. Unknown keys are refused (a typo must not silently fall back to a
 * default). The injected parts (clock, random, Kinesis port) are checked for shape only.
 */
import { hostname } from "node:os";
import * as path from "node:path";
import { z } from "zod";
import type { Clock } from "../time/clock.js";
import type { Random } from "../random/random.js";
import type { RetryBudgetOptions } from "../retry/budget.js";
import { DEFAULT_BUDGET } from "../retry/budget.js";
import type { KinesisPort } from "./kinesis-port.js";
import type { SecondaryPort } from "./secondary.js";
import { BREAKER_DEFAULTS, type BreakerOptions } from "./breaker.js";
import { SPOOL_DEFAULTS, type SpoolOptions } from "./spool.js";
import { resolveMetricsOptions, type ResolvedMetricsOptions, type ShipperMetricsOptions } from "./emf.js";

const MiB = 1024 * 1024;

export interface ShipperOptions {
  clock: Clock;
  random: Random;
  kinesis: KinesisPort;
  spool: SpoolOptions;
  /** `h` of the record id. Default: os.hostname(). */
  host?: string;
  /** Use this field of each record as the partition key; default: a random key per record. */
  partitionKeyField?: string;
  batch?: {
    /** Records per PutRecords (Kinesis allows 1..500). Default 500. */
    maxRecords?: number;
    /** Bytes per PutRecords, data plus partition keys. Default 5 MiB. */
    maxBytes?: number;
    /** Bytes per record, data plus partition key. Default 1 MiB; streams set up for large records allow up to 10 MiB. */
    maxRecordBytes?: number;
    /** How long a record may wait for a batch to fill. Default 200 ms. */
    lingerMs?: number;
  };
  /**
   * `memory` (default): records wait in memory up to the memory budget, and a crash loses what is
   * there. `wal`: every record is appended to the spool (synced per spool.fsync) before write()
   * returns, and sent from there: a crash loses nothing already written, at the cost of a disk
   * write and a read back per batch.
   */
  durability?: "memory" | "wal";
  /** What may sit in memory (queued plus in flight); past it write() returns false and records spill to the spool. */
  memory?: { maxRecords?: number; maxBytes?: number };
  /** Per-batch retries of failed records and retryable call errors. */
  retry?: {
    baseMs?: number;
    capMs?: number;
    maxAttempts?: number;
    /** Give a batch up (to the spool) rather than retry past this long after its first try. */
    deadlineMs?: number;
    budget?: Partial<RetryBudgetOptions>;
  };
  /** A PutRecords call that has not answered by then is abandoned (and its records may be duplicates). Default 5 s. */
  requestTimeoutMs?: number;
  /** PutRecords calls in flight at once. Default 4. */
  maxInFlight?: number;
  breaker?: Partial<BreakerOptions>;
  replay?: {
    /** Records per second read back from the spool. Default 1000 (one shard's write limit). */
    ratePerSec?: number;
    /** Replay starts a random 0..startJitterMs after the breaker closes, so a fleet does not stampede. Default 30 s. */
    startJitterMs?: number;
  };
  /** Tried before the spool while the breaker is open (see secondary.ts for why never CloudWatch Logs). */
  secondary?: { url: string; timeoutMs?: number; retryAfterMs?: number } | { port: SecondaryPort; timeoutMs?: number; retryAfterMs?: number };
  /** Default: dead-letter.ndjson in the spool directory. */
  deadLetterPath?: string;
  /** close() waits this long for calls on the wire before abandoning them to the spool. Default 3 s. */
  closeGraceMs?: number;
  /** Observes breaker changes, give-ups, dead letters, drops and I/O errors. */
  onEvent?: (event: ShipperEvent) => void;
  /** Writes the shipper's own metrics as CloudWatch embedded metric format lines (see emf.ts). */
  metrics?: ShipperMetricsOptions;
}

export type ShipperEvent =
  | { type: "breaker"; from: string; to: string; at: number }
  | { type: "gave-up"; records: number; reason: string; error: string; at: number }
  | { type: "dead-letter"; records: number; reason: string; detail: string; at: number }
  | { type: "dropped"; records: number; reason: DropReason; at: number }
  | { type: "secondary-failed"; records: number; error: string; at: number }
  | { type: "io-error"; during: string; error: string; at: number };

export type DropReason = "spool-full" | "spool-evicted" | "io-error";

export interface ResolvedOptions {
  clock: Clock;
  random: Random;
  kinesis: KinesisPort;
  spool: Required<SpoolOptions>;
  host: string;
  partitionKeyField: string | undefined;
  batch: { maxRecords: number; maxBytes: number; maxRecordBytes: number; lingerMs: number };
  memory: { maxRecords: number; maxBytes: number };
  durability: "memory" | "wal";
  retry: { baseMs: number; capMs: number; maxAttempts: number; deadlineMs: number; budget: RetryBudgetOptions };
  requestTimeoutMs: number;
  maxInFlight: number;
  breaker: BreakerOptions;
  replay: { ratePerSec: number; startJitterMs: number };
  secondary: { url?: string; port?: SecondaryPort; timeoutMs: number; retryAfterMs: number } | undefined;
  deadLetterPath: string;
  closeGraceMs: number;
  onEvent: (event: ShipperEvent) => void;
  metrics: ResolvedMetricsOptions | undefined;
}

const count = (max?: number) => (max === undefined ? z.number().int().min(1) : z.number().int().min(1).max(max));
const ms = () => z.number().finite().min(0);

/** Plain-data settings; also what the pino transport accepts from pino.transport({ options }). */
export const dataSchema = z
  .object({
    spool: z
      .object({
        dir: z.string().min(1),
        maxBytes: count().optional(),
        segmentBytes: count().optional(),
        fsync: z.enum(["always", "interval", "never"]).optional(),
        fsyncIntervalMs: ms().optional(),
        dropPolicy: z.enum(["drop-newest", "drop-oldest"]).optional(),
        checkpointIntervalMs: ms().optional(),
      })
      .strict(),
    host: z.string().min(1).optional(),
    partitionKeyField: z.string().min(1).optional(),
    batch: z
      .object({
        maxRecords: count(500).optional(),
        maxBytes: count().optional(),
        maxRecordBytes: count().optional(),
        lingerMs: ms().optional(),
      })
      .strict()
      .optional(),
    memory: z.object({ maxRecords: count().optional(), maxBytes: count().optional() }).strict().optional(),
    durability: z.enum(["memory", "wal"]).optional(),
    retry: z
      .object({
        baseMs: ms().optional(),
        capMs: ms().optional(),
        maxAttempts: count().optional(),
        deadlineMs: ms().optional(),
        budget: z
          .object({
            capacity: z.number().min(0).optional(),
            throttleCost: z.number().min(0).optional(),
            transientCost: z.number().min(0).optional(),
            successRefill: z.number().min(0).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    requestTimeoutMs: z.number().finite().positive().optional(),
    maxInFlight: count().optional(),
    breaker: z
      .object({
        consecutiveFailures: count().optional(),
        failureRatio: z.number().gt(0).max(1).optional(),
        minCalls: count().optional(),
        windowMs: z.number().finite().positive().optional(),
        openMs: ms().optional(),
        maxOpenMs: ms().optional(),
      })
      .strict()
      .optional(),
    replay: z.object({ ratePerSec: z.number().finite().positive().optional(), startJitterMs: ms().optional() }).strict().optional(),
    secondary: z
      .object({ url: z.string().optional(), port: z.any().optional(), timeoutMs: z.number().finite().positive().optional(), retryAfterMs: ms().optional() })
      .strict()
      .optional(),
    deadLetterPath: z.string().min(1).optional(),
    // close() must finish inside pino's 10 s exit window: grace plus disk time.
    closeGraceMs: ms().max(8_000).optional(),
  })
  .strict();

/** Formats zod issues as "where: what was expected, found what". */
export function describeIssues(prefix: string, error: z.ZodError, input: unknown): string {
  const lines = error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join(".") : "(options)";
    let found: unknown = input;
    for (const key of issue.path) found = found && typeof found === "object" ? (found as Record<PropertyKey, unknown>)[key] : undefined;
    const shown = issue.code === "unrecognized_keys" ? "" : `, found ${found === undefined ? "nothing" : JSON.stringify(found)}`;
    return `  ${where}: ${issue.message}${shown}`;
  });
  return `${prefix}:\n${lines.join("\n")}`;
}

export function resolveOptions(options: ShipperOptions): ResolvedOptions {
  if (!options || typeof options !== "object") throw new TypeError(`Shipper: expected an options object, found ${String(options)}`);
  const { clock, random, kinesis, onEvent, metrics, ...data } = options;
  if (!clock || typeof clock.now !== "function" || typeof clock.setTimer !== "function") throw new TypeError("Shipper: options.clock must be a Clock (src/time/clock.ts)");
  if (!random || typeof random.next !== "function" || typeof random.fork !== "function") throw new TypeError("Shipper: options.random must be a Random (src/random/random.ts)");
  if (!kinesis || typeof kinesis.putRecords !== "function") throw new TypeError("Shipper: options.kinesis must be a KinesisPort with putRecords(entries)");
  if (onEvent !== undefined && typeof onEvent !== "function") throw new TypeError("Shipper: options.onEvent must be a function");
  const parsed = dataSchema.safeParse(data);
  if (!parsed.success) throw new TypeError(describeIssues("Shipper: invalid options", parsed.error, data));
  const d = parsed.data;

  const batch = {
    maxRecords: d.batch?.maxRecords ?? 500,
    maxBytes: d.batch?.maxBytes ?? 5 * MiB,
    maxRecordBytes: d.batch?.maxRecordBytes ?? 1 * MiB,
    lingerMs: d.batch?.lingerMs ?? 200,
  };
  if (batch.maxRecordBytes > batch.maxBytes) {
    throw new TypeError(`Shipper: batch.maxRecordBytes (${batch.maxRecordBytes}) must not exceed batch.maxBytes (${batch.maxBytes})`);
  }
  const memory = { maxRecords: d.memory?.maxRecords ?? 10_000, maxBytes: d.memory?.maxBytes ?? 16 * MiB };
  const spool = {
    dir: d.spool.dir,
    maxBytes: d.spool.maxBytes ?? SPOOL_DEFAULTS.maxBytes,
    segmentBytes: d.spool.segmentBytes ?? SPOOL_DEFAULTS.segmentBytes,
    fsync: d.spool.fsync ?? SPOOL_DEFAULTS.fsync,
    fsyncIntervalMs: d.spool.fsyncIntervalMs ?? SPOOL_DEFAULTS.fsyncIntervalMs,
    dropPolicy: d.spool.dropPolicy ?? SPOOL_DEFAULTS.dropPolicy,
    checkpointIntervalMs: d.spool.checkpointIntervalMs ?? SPOOL_DEFAULTS.checkpointIntervalMs,
  };
  let secondary: ResolvedOptions["secondary"];
  if (d.secondary) {
    const port = (d.secondary as { port?: unknown }).port;
    if (d.secondary.url === undefined && port === undefined) throw new TypeError("Shipper: secondary needs a url (or a port), found neither");
    if (port !== undefined && typeof (port as SecondaryPort).post !== "function") throw new TypeError("Shipper: secondary.port must have post(records, signal)");
    secondary = { timeoutMs: d.secondary.timeoutMs ?? 5_000, retryAfterMs: d.secondary.retryAfterMs ?? 30_000 };
    if (d.secondary.url !== undefined) secondary.url = d.secondary.url;
    if (port !== undefined) secondary.port = port as SecondaryPort;
  }
  return {
    clock,
    random,
    kinesis,
    spool,
    host: d.host ?? hostname(),
    partitionKeyField: d.partitionKeyField,
    batch,
    memory,
    durability: d.durability ?? "memory",
    retry: {
      baseMs: d.retry?.baseMs ?? 100,
      capMs: d.retry?.capMs ?? 10_000,
      maxAttempts: d.retry?.maxAttempts ?? 10,
      deadlineMs: d.retry?.deadlineMs ?? 30_000,
      budget: { ...DEFAULT_BUDGET, ...definedOnly(d.retry?.budget) },
    },
    requestTimeoutMs: d.requestTimeoutMs ?? 5_000,
    maxInFlight: d.maxInFlight ?? 4,
    breaker: { ...BREAKER_DEFAULTS, ...definedOnly(d.breaker) },
    replay: { ratePerSec: d.replay?.ratePerSec ?? 1_000, startJitterMs: d.replay?.startJitterMs ?? 30_000 },
    secondary,
    deadLetterPath: d.deadLetterPath ?? path.join(spool.dir, "dead-letter.ndjson"),
    closeGraceMs: d.closeGraceMs ?? 3_000,
    onEvent: onEvent ?? (() => {}),
    metrics: metrics === undefined ? undefined : resolveMetricsOptions(metrics),
  };
}

/** Drops keys whose value is undefined, so that spreading over defaults keeps the defaults. */
function definedOnly<T extends object>(value: T | undefined): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value ?? {})) if (v !== undefined) out[k] = v;
  return out as Partial<{ [K in keyof T]: Exclude<T[K], undefined> }>;
}
