/**
 * Kinesis Data Streams quotas the emulation enforces, with where each number comes from
 * (streams/latest/dev/service-sizes-and-limits.html, the API reference, and
 * /work/shared/reference/aws-semantics.md section 4). Throttling must emerge from load, so these
 * are the real numbers, not round ones.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Per shard, provisioned and on-demand alike: 1 MiB/s or 1,000 records/s of writes. */
export const SHARD_WRITE_BYTES_PER_SECOND = MiB;
export const SHARD_WRITE_RECORDS_PER_SECOND = 1_000;
/** Per shard: 2 MiB/s and 5 GetRecords calls/s of reads, shared by every consumer of the shard. */
export const SHARD_READ_BYTES_PER_SECOND = 2 * MiB;
export const SHARD_READ_CALLS_PER_SECOND = 5;
/** GetShardIterator: 5 calls per second per open shard. */
export const SHARD_ITERATOR_CALLS_PER_SECOND = 5;
/** One GetRecords call returns at most 10,000 records or 10 MiB. */
export const GET_RECORDS_MAX_RECORDS = 10_000;
export const GET_RECORDS_MAX_BYTES = 10 * MiB;

/** A shard iterator is valid for 5 minutes after it was issued. */
export const ITERATOR_LIFETIME_MS = 5 * 60_000;
/** ListShards NextToken values expire after 300 seconds. */
export const LIST_SHARDS_TOKEN_LIFETIME_MS = 300_000;

/** PutRecords: 1..500 entries per request. */
export const PUT_RECORDS_MAX_ENTRIES = 500;
/**
 * PutRecords request size, partition keys included: 5 MiB for a stream with the default 1 MiB
 * record limit. Streams configured for large records (MaxRecordSizeInKiB above 1024, up to
 * 10 MiB per record, streams/latest/dev/large-records.html) take requests of up to 10 MiB.
 */
export const PUT_RECORDS_MAX_BYTES = 5 * MiB;
export const PUT_RECORDS_MAX_BYTES_LARGE_RECORDS = 10 * MiB;
/** Record size (data plus partition key): 1 MiB by default, a stream setting of 1024..10240 KiB. */
export const DEFAULT_MAX_RECORD_SIZE_KIB = 1024;
export const MAX_RECORD_SIZE_KIB = 10_240;
export const PARTITION_KEY_MAX_CHARS = 256;

/** Hash keys are 128-bit: every shard owns a contiguous slice of [0, 2^128 - 1]. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** On-demand streams start with 4 shards: 4 MiB/s and 4,000 records/s of writes, 8 MiB/s of reads. */
export const ON_DEMAND_INITIAL_SHARDS = 4;
/**
 * On-demand absorbs up to twice its previous peak at once; growth beyond that is absorbed only
 * after the stream has scaled, which AWS says can take about 15 minutes.
 */
export const ON_DEMAND_SCALE_DELAY_MS = 15 * 60_000;
/** On-demand write capacity ceiling: 10 GiB/s in us-east-1, us-west-2 and eu-west-1, 200 MiB/s elsewhere. */
export function onDemandMaxShards(region: string): number {
  return ["us-east-1", "us-west-2", "eu-west-1"].includes(region) ? 10_240 : 200;
}

/** UpdateShardCount: at most 10 scalings per stream per rolling 24 hours, 10 calls/s per account. */
export const SCALINGS_PER_DAY = 10;
export const UPDATE_SHARD_COUNT_TPS = 10;
/** DescribeStream: 10 calls per second per account (use DescribeStreamSummary or ListShards instead). */
export const DESCRIBE_STREAM_TPS = 10;
export const MAX_SHARDS_PER_STREAM = 10_000;

export const MAX_TAGS_PER_STREAM = 50;
export const MIN_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8_760;
export const DEFAULT_RETENTION_HOURS = 24;

/**
 * How long the asynchronous control-plane transitions take in the sandbox. AWS documents no
 * numbers; these are short enough for a waiter (10 s minimum delay) to see both states.
 */
export const STREAM_CREATE_MS = 5_000;
export const STREAM_UPDATE_MS = 10_000;
export const STREAM_DELETE_MS = 5_000;
