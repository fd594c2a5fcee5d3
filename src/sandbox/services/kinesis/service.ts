/**
 * The sandbox's Kinesis Data Streams: an awsJson1_1 service ("Kinesis_20131202") for the
 * dispatcher, an interceptor for the faults that act before a call reaches the service (outages,
 * network disruptions, inject-api-* errors by IAM role), and the FIS resource types and actions
 * that drive them from a real FIS template.
 *
 *   const kinesis = new KinesisService(kernel, config);
 *   dispatcher.addJsonService(kinesis.json);
 *   dispatcher.intercept(kinesis.interceptor);
 *   kinesis.registerFis(fisRegistry);
 */
import type { Kernel } from "../../kernel.js";
import { KinesisMetricsPublisher } from "../../metrics/kinesis.js";
import type { MetricSink } from "../cloudwatch/sink.js";
import { jsonError, type Interceptor, type JsonService } from "../../protocol/dispatcher.js";
import type { FisRegistry } from "../fis/registry.js";
import { RoleDirectory } from "../iam/roles.js";
import { Connectivity, type OutageEffect } from "../network/connectivity.js";
import { SubnetDirectory } from "../network/subnets.js";
import { StreamCatalog } from "./catalog.js";
import { type KinesisConfig, parseKinesisConfig } from "./config.js";
import {
  addTagsToStream,
  createStream,
  deleteStream,
  describeStream,
  describeStreamSummary,
  listShards,
  listStreams,
  listTagsForStream,
  removeTagsFromStream,
  updateMaxRecordSize,
  updateShardCount,
} from "./control-plane.js";
import { getRecords, getShardIterator, putRecord, putRecords } from "./data-plane.js";
import { FaultBoard, type PutRecordsFaultForm, type RecordErrorCode } from "./faults.js";
import { registerKinesisFis } from "./fis-actions.js";
import { DEFAULT_MAX_RECORD_SIZE_KIB, DEFAULT_RETENTION_HOURS, DESCRIBE_STREAM_TPS, ON_DEMAND_INITIAL_SHARDS, UPDATE_SHARD_COUNT_TPS } from "./limits.js";
import { type KinesisMetrics, snapshot } from "./metrics.js";
import { OnDemandScaler } from "./on-demand.js";
import { PerSecondBudget } from "./per-second-budget.js";
import type { KinesisState } from "./state.js";
import { Stream } from "./stream.js";

export const KINESIS_TARGET_PREFIX = "Kinesis_20131202";

export class KinesisService {
  readonly json: JsonService;
  readonly interceptor: Interceptor;
  readonly roles: RoleDirectory;
  readonly subnets: SubnetDirectory;
  readonly connectivity = new Connectivity();
  private readonly catalog: StreamCatalog;
  private readonly faults: FaultBoard;
  private readonly scalers = new WeakMap<Stream, OnDemandScaler>();
  private readonly state: KinesisState;
  private readonly putRecordsFaultForm: PutRecordsFaultForm;
  private liftOutage: (() => void) | undefined;
  private faultResponses = 0;
  private directFaults = 0;
  private readonly publisher: KinesisMetricsPublisher | undefined;

  /** `metrics`: where the streams' AWS/Kinesis metrics go (put each minute by publishMetrics). */
  constructor(
    private readonly kernel: Kernel,
    config: KinesisConfig,
    metrics?: MetricSink,
  ) {
    this.publisher = metrics ? new KinesisMetricsPublisher(metrics) : undefined;
    const parsed = parseKinesisConfig(config);
    this.catalog = new StreamCatalog(kernel);
    this.faults = new FaultBoard(kernel.accountId);
    this.roles = new RoleDirectory(kernel, parsed.roles ?? []);
    this.subnets = new SubnetDirectory(kernel, parsed.subnets ?? []);
    this.putRecordsFaultForm = parsed.faults?.putRecordsThroughputFault ?? "whole-call";
    this.state = {
      kernel,
      catalog: this.catalog,
      faults: this.faults,
      scalerOf: (stream) => this.scalers.get(stream),
      trackOnDemand: (stream) => this.trackOnDemand(stream),
      rates: { describeStream: new PerSecondBudget(DESCRIBE_STREAM_TPS), updateShardCount: new PerSecondBudget(UPDATE_SHARD_COUNT_TPS) },
      putRecordsFaultForm: this.putRecordsFaultForm,
      metrics: this.publisher,
    };
    for (const s of parsed.streams) {
      const mode = s.mode ?? "PROVISIONED";
      const stream = new Stream({
        name: s.name,
        arn: this.catalog.arnOf(s.name),
        mode,
        shardCount: mode === "ON_DEMAND" ? ON_DEMAND_INITIAL_SHARDS : s.shards!,
        createdAt: kernel.now(),
        retentionHours: s.retentionHours ?? DEFAULT_RETENTION_HOURS,
        maxRecordSizeKiB: s.maxRecordSizeKiB ?? DEFAULT_MAX_RECORD_SIZE_KIB,
        tags: s.tags ?? {},
        status: "ACTIVE",
      });
      this.catalog.add(stream);
      this.trackOnDemand(stream);
    }
    const op = (handler: (state: KinesisState, input: Record<string, unknown>) => unknown) => (input: Record<string, unknown>) => handler(this.state, input);
    this.json = {
      name: "kinesis",
      targetPrefix: KINESIS_TARGET_PREFIX,
      operations: {
        CreateStream: op(createStream),
        DeleteStream: op(deleteStream),
        DescribeStream: op(describeStream),
        DescribeStreamSummary: op(describeStreamSummary),
        ListStreams: op(listStreams),
        ListShards: op(listShards),
        UpdateShardCount: op(updateShardCount),
        UpdateMaxRecordSize: op(updateMaxRecordSize),
        AddTagsToStream: op(addTagsToStream),
        RemoveTagsFromStream: op(removeTagsFromStream),
        ListTagsForStream: op(listTagsForStream),
        PutRecord: op(putRecord),
        PutRecords: op(putRecords),
        GetShardIterator: op(getShardIterator),
        GetRecords: op(getRecords),
      },
    };
    this.interceptor = (call) => {
      if (call.service !== "kinesis") return undefined;
      // The network first: a request that never arrives meets no other fault.
      const failure = this.connectivity.failureFor(call.request.headers);
      if (failure) return failure;
      const role = this.roles.roleOf(call.request.headers);
      const err = this.faults.apiError(role.arn, call.operation);
      return err ? jsonError(this.faultRequestId(), err) : undefined;
    };
  }

  registerFis(registry: FisRegistry): void {
    registerKinesisFis(registry, {
      kernel: this.kernel,
      catalog: this.catalog,
      faults: this.faults,
      roles: this.roles,
      subnets: this.subnets,
      connectivity: this.connectivity,
      putRecordsFaultForm: this.putRecordsFaultForm,
    });
  }

  /**
   * Outage switch (FIS's disrupt-connectivity drives the same mechanism): every Kinesis call from
   * matching callers times out (`timeout`: the SDK waits its request timeout, then TimeoutError)
   * or is refused (`refused`: ECONNREFUSED at once). Without `scope.subnets` every caller is cut
   * off; with it, only callers whose x-gameday-caller-subnet header names one of them.
   * `undefined` ends the outage. A new call replaces the previous outage.
   */
  setOutage(effect: OutageEffect | undefined, scope?: { subnets?: string[] }): void {
    this.liftOutage?.();
    this.liftOutage = undefined;
    if (effect === undefined) {
      this.kernel.record("kinesis", "outage", "Kinesis outage over");
      return;
    }
    if (effect !== "timeout" && effect !== "refused") throw new Error(`setOutage: expected "timeout", "refused" or undefined, found ${JSON.stringify(effect)}`);
    const subnets = scope?.subnets;
    for (const id of subnets ?? []) {
      if (!this.subnets.has(id)) throw new Error(`setOutage: subnet '${id}' is not in the kinesis configuration's subnets`);
    }
    this.liftOutage = this.connectivity.add(subnets ? { effect, subnets: new Set(subnets) } : { effect });
    this.kernel.record("kinesis", "outage", `Kinesis outage: calls ${effect === "timeout" ? "time out" : "are refused"}${subnets ? ` from ${subnets.join(", ")}` : ""}`, {
      effect,
      ...(subnets ? { subnets } : {}),
    });
  }

  /**
   * Fails that percentage of PutRecords entries on a stream with the given ErrorCode, in a 200
   * response, until the returned function is called. The per-record form of a throttle, and the
   * only way to see `InternalFailure` entries, for testing a producer's partial-failure handling.
   */
  injectRecordFailures(streamName: string, options: { percentage: number; errorCode: RecordErrorCode }): () => void {
    if (!this.catalog.get(streamName)) throw new Error(`injectRecordFailures: no stream named '${streamName}'`);
    if (!(options.percentage > 0 && options.percentage <= 100)) throw new Error(`injectRecordFailures: expected a percentage in (0, 100], found ${options.percentage}`);
    if (options.errorCode !== "ProvisionedThroughputExceededException" && options.errorCode !== "InternalFailure") {
      throw new Error(`injectRecordFailures: expected errorCode ProvisionedThroughputExceededException or InternalFailure, found ${String(options.errorCode)}`);
    }
    return this.faults.addRecordFault({
      streams: new Set([streamName]),
      percentage: options.percentage,
      errorCode: options.errorCode,
      random: this.kernel.random.fork(`kinesis-record-fault:${++this.directFaults}`),
    });
  }

  metrics(): KinesisMetrics {
    return snapshot(this.kernel.now(), this.catalog, this.faults.counts, this.connectivity);
  }

  /** Puts the AWS/Kinesis metrics of every minute that ended by now (call at each minute's start). */
  publishMetrics(): void {
    this.publisher?.flush(this.kernel.now());
  }

  private trackOnDemand(stream: Stream): void {
    if (stream.mode === "ON_DEMAND" && !this.scalers.has(stream)) {
      this.scalers.set(stream, new OnDemandScaler(this.kernel, stream, () => this.catalog.get(stream.name) === stream));
    }
  }

  /** Request ids for responses the interceptor makes; distinct from the dispatcher's own. */
  private faultRequestId(): string {
    this.faultResponses++;
    return `00000000-0000-4000-9000-${this.faultResponses.toString(16).padStart(12, "0")}`;
  }
}
