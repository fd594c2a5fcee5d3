/**
 * The shipper's narrow view of Kinesis: one PutRecords call. Tests and the sandbox plug in a fake
 * or an SDK client; the shipper never sees the SDK. A call that fails as a whole throws; a call
 * that partly fails resolves with per-record error codes aligned with the request by index.
 */
import { createRequire } from "node:module";
import type * as Kinesis from "@aws-sdk/client-kinesis";
import type * as Http from "@smithy/node-http-handler";
import type { KinesisClient, KinesisClientConfig } from "@aws-sdk/client-kinesis";

// require, not import: on Node 20 an import sends every file of the SDK through the ES module
// loader's syntax detection and export scan, twice the CPU time. (The pipeline imports nothing
// of gameday's own modules, so this is its own copy of src/aws/sdk/load.ts.)
const require = createRequire(import.meta.url);
const { KinesisClient: KinesisClientClass, PutRecordsCommand } = require("@aws-sdk/client-kinesis") as typeof Kinesis;
const { NodeHttpHandler } = require("@smithy/node-http-handler") as typeof Http;

export interface PutEntry {
  data: Uint8Array;
  partitionKey: string;
}

export type PutResultEntry = { sequenceNumber: string; shardId: string } | { errorCode: string; errorMessage: string };

export interface PutResult {
  failedRecordCount: number;
  /** One entry per request entry, in request order (PutRecords guarantees this alignment). */
  records: PutResultEntry[];
}

export interface KinesisPort {
  /** `signal` aborts a call the shipper has stopped waiting for (timeout, close). */
  putRecords(entries: PutEntry[], options?: { signal?: AbortSignal }): Promise<PutResult>;
}

/** The name of the retry middleware src/aws installs; a second retry layer under the shipper. */
const FOREIGN_RETRY_MIDDLEWARE = "gamedayRetryMiddleware";

/**
 * A KinesisPort over an SDK v3 client. The client must not retry on its own (maxAttempts 1, no
 * gameday retry middleware): the shipper is the one retry layer, and a second one would multiply
 * load on a throttled stream and resend records that already succeeded. The first call checks this
 * and fails with a clear error when the client retries.
 */
export function kinesisPortFromClient(client: KinesisClient, streamName: string): KinesisPort {
  if (typeof streamName !== "string" || streamName.length === 0) {
    throw new TypeError(`kinesisPortFromClient: expected a stream name, found ${JSON.stringify(streamName)}`);
  }
  let checked: Promise<void> | undefined;
  return {
    async putRecords(entries, options) {
      checked ??= assertSingleAttempt(client);
      await checked;
      const out = await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: entries.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey })),
        }),
        options?.signal ? { abortSignal: options.signal } : {},
      );
      const records: PutResultEntry[] = (out.Records ?? []).map((r) =>
        r.ErrorCode !== undefined
          ? { errorCode: r.ErrorCode, errorMessage: r.ErrorMessage ?? "" }
          : { sequenceNumber: r.SequenceNumber ?? "", shardId: r.ShardId ?? "" },
      );
      return { failedRecordCount: out.FailedRecordCount ?? 0, records };
    },
  };
}

/** Rejects a client that would retry underneath the shipper. */
export async function assertSingleAttempt(client: KinesisClient): Promise<void> {
  const identified = client.middlewareStack.identify();
  if (identified.some((m) => m.startsWith(FOREIGN_RETRY_MIDDLEWARE))) {
    throw invalidClient("the client has gameday's retry middleware installed (build it from AwsClients.baseConfig(), not AwsClients.kinesis())");
  }
  const maxAttempts = await client.config.maxAttempts();
  if (maxAttempts !== 1) throw invalidClient(`the client has maxAttempts ${maxAttempts}; expected 1`);
}

function invalidClient(detail: string): Error {
  return Object.assign(new Error(`Kinesis client for the shipper must not retry on its own: ${detail}`), {
    name: "InvalidClientConfiguration",
  });
}

export interface ShipperClientOptions {
  region: string;
  /** An AWS-compatible endpoint (kinesis-local, `chaos sandbox serve`); omit for real AWS. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Socket-level timeouts; the shipper also times each call out on its own clock. */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

/**
 * A KinesisClient configured for the shipper: one attempt per call, explicit timeouts (the SDK's
 * default request timeout is none, so a hung PutRecords would stall forever), HTTP/1.1 (Kinesis
 * defaults to HTTP/2, which plain-http endpoints such as kinesis-local refuse).
 */
export function createShipperKinesisClient(options: ShipperClientOptions): KinesisClient {
  const requestTimeout = options.requestTimeoutMs ?? 5_000;
  const config: KinesisClientConfig = {
    region: options.region,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      requestTimeout,
      connectionTimeout: options.connectionTimeoutMs ?? Math.min(requestTimeout, 3_000),
    }),
  };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  return new KinesisClientClass(config);
}
