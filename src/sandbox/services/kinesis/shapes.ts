/** Response shapes, field for field as the Kinesis API returns them (timestamps in epoch seconds). */
import type { Shard } from "./shard.js";
import type { Stream } from "./stream.js";

/**
 * A GetRecords answer whose records carry Data as bytes (as the store keeps them) writes them as
 * base64 when it is turned into JSON text, as the awsJson wire carries blobs; the in-process object
 * lane (src/aws/in-process-codecs.ts) takes the bytes as they are. The conversion is the answer's
 * own non-enumerable toJSON, so the object stays a plain object with exactly the API's fields.
 * (A Uint8Array subclass with its own toJSON did the same per record, but V8 built those views
 * several times slower than plain ones.)
 */
export function dataAsBase64InJson<T extends { Records: { Data: Uint8Array }[] }>(answer: T): T {
  Object.defineProperty(answer, "toJSON", { value: wireForm, enumerable: false });
  return answer;
}

function wireForm(this: { Records: { Data: Uint8Array }[] }): unknown {
  return {
    ...this,
    Records: this.Records.map((r) => ({ ...r, Data: Buffer.from(r.Data.buffer, r.Data.byteOffset, r.Data.byteLength).toString("base64") })),
  };
}

export function epochSeconds(ms: number): number {
  return ms / 1000;
}

export function shardShape(shard: Shard): Record<string, unknown> {
  const ending = shard.endingSequenceNumber;
  return {
    ShardId: shard.shardId,
    ...(shard.parentShardId ? { ParentShardId: shard.parentShardId } : {}),
    ...(shard.adjacentParentShardId ? { AdjacentParentShardId: shard.adjacentParentShardId } : {}),
    HashKeyRange: { StartingHashKey: shard.range.start.toString(), EndingHashKey: shard.range.end.toString() },
    SequenceNumberRange: { StartingSequenceNumber: shard.startingSequenceNumber, ...(ending ? { EndingSequenceNumber: ending } : {}) },
  };
}

/** The fields DescribeStream and DescribeStreamSummary share. */
function common(stream: Stream): Record<string, unknown> {
  return {
    StreamName: stream.name,
    StreamARN: stream.arn,
    StreamStatus: stream.status,
    StreamModeDetails: { StreamMode: stream.mode },
    RetentionPeriodHours: stream.retentionHours,
    StreamCreationTimestamp: epochSeconds(stream.createdAt),
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: "NONE",
  };
}

export function summaryShape(stream: Stream): Record<string, unknown> {
  return {
    ...common(stream),
    OpenShardCount: stream.openShards.length,
    ConsumerCount: 0,
    MaxRecordSizeInKiB: stream.maxRecordSizeKiB,
  };
}

export function descriptionShape(stream: Stream, shards: readonly Shard[], hasMore: boolean): Record<string, unknown> {
  return { ...common(stream), Shards: shards.map(shardShape), HasMoreShards: hasMore };
}

/** The Describe shape FIS target filters walk: DescribeStreamSummary's, with the time as ISO text. */
export function filterShape(stream: Stream): Record<string, unknown> {
  return { ...summaryShape(stream), StreamCreationTimestamp: new Date(stream.createdAt).toISOString() };
}
