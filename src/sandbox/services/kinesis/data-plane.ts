/**
 * PutRecord, PutRecords, GetShardIterator and GetRecords: the calls producers and consumers make,
 * with the limits that make throttling emerge from load and the faults FIS injects.
 */
import { AwsServiceError } from "../../protocol/types.js";
import { INTERNAL_FAILURE_MESSAGE, invalidArgument, iteratorExpired, readThrottled, shardNotFound, streamNotFound, writeRateMessage, writeThrottled } from "./errors.js";
import { hashKeyHex, hashKeyHexOf, parseHashKey } from "./hash-keys.js";
import {
  constraintError,
  optionalBoolean,
  optionalInteger,
  optionalString,
  optionalTimestamp,
  requiredArray,
  requiredBytes,
  requiredString,
} from "./input.js";
import { decodeIterator, encodeIterator } from "./iterators.js";
import {
  GET_RECORDS_MAX_BYTES,
  GET_RECORDS_MAX_RECORDS,
  ITERATOR_LIFETIME_MS,
  KiB,
  PARTITION_KEY_MAX_CHARS,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_BYTES_LARGE_RECORDS,
  PUT_RECORDS_MAX_ENTRIES,
  DEFAULT_MAX_RECORD_SIZE_KIB,
} from "./limits.js";
import { isDecimalSequence, parseSequenceNumber } from "./sequence-numbers.js";
import { dataAsBase64InJson, epochSeconds } from "./shapes.js";
import type { Shard } from "./shard.js";
import type { KinesisState } from "./state.js";
import type { Stream } from "./stream.js";

type Input = Record<string, unknown>;

interface Entry {
  partitionKey: string;
  data: Uint8Array;
  /** The hash key as hashKeyHexOf writes it: what Stream.routeHex compares. */
  hashKeyHex: string;
  size: number;
}

function dryRun(input: Input): void {
  if (optionalBoolean(input, "DryRun")) {
    throw new AwsServiceError("DryRunOperationException", "The request would have succeeded, but the DryRun parameter was set.", 400);
  }
}

/** Reads and checks one record (PutRecord's fields, or one PutRecords entry). */
function readEntry(input: Input, stream: Stream, where: string): Entry {
  const partitionKey = requiredString(input, "PartitionKey");
  // Characters are code points: never more than UTF-16 units, so only a long key needs counting.
  const keyChars = partitionKey.length <= PARTITION_KEY_MAX_CHARS ? partitionKey.length : [...partitionKey].length;
  if (keyChars < 1) throw constraintError(`${where}PartitionKey`, partitionKey, "Member must have length greater than or equal to 1");
  if (keyChars > PARTITION_KEY_MAX_CHARS) throw constraintError(`${where}PartitionKey`, partitionKey, `Member must have length less than or equal to ${PARTITION_KEY_MAX_CHARS}`);
  const data = requiredBytes(input, "Data", where);
  const explicit = optionalString(input, "ExplicitHashKey");
  let hashKey: string;
  if (explicit !== undefined) {
    const parsed = parseHashKey(explicit);
    if (parsed === undefined) throw invalidArgument(`Invalid ExplicitHashKey. ExplicitHashKey must be a decimal integer in the range [0, 2^128 - 1]; found '${explicit}'.`);
    hashKey = hashKeyHex(parsed);
  } else {
    hashKey = hashKeyHexOf(partitionKey);
  }
  const size = data.byteLength + Buffer.byteLength(partitionKey, "utf8");
  const limit = stream.maxRecordSizeKiB * KiB;
  if (size > limit) {
    throw invalidArgument(
      `${where}Record size ${size} bytes (data plus partition key) exceeds the stream's maximum record size of ${limit} bytes (MaxRecordSizeInKiB ${stream.maxRecordSizeKiB}).`,
    );
  }
  return { partitionKey, data, hashKeyHex: hashKey, size };
}

function store(state: KinesisState, stream: Stream, shard: Shard, entry: Entry, now: number): string {
  const sequenceNumber = stream.append(shard, now, entry);
  state.scalerOf(stream)?.accepted(now, entry.size, 1);
  return sequenceNumber;
}

export function putRecord(state: KinesisState, input: Input): unknown {
  const now = state.kernel.now();
  const stream = state.catalog.resolve(input, "data");
  stream.counters.putRecordRequests++;
  const injected = state.faults.streamError(stream.name, "PutRecord", now);
  if (injected) throw injected;
  const entry = readEntry(input, stream, "");
  const ordering = optionalString(input, "SequenceNumberForOrdering");
  if (ordering !== undefined && !isDecimalSequence(ordering)) {
    throw invalidArgument(`SequenceNumberForOrdering must be a sequence number (a decimal integer); found '${ordering}'.`);
  }
  dryRun(input);
  stream.trim(now);
  const shard = stream.routeHex(entry.hashKeyHex);
  if (!shard.tryWrite(now, entry.size)) {
    shard.counters.writeThrottledRecords++;
    state.metrics?.putRecord(now, stream.name, false, 0);
    throw writeThrottled(shard.shardId, stream.name, state.catalog.account);
  }
  state.metrics?.putRecord(now, stream.name, true, entry.size);
  return { ShardId: shard.shardId, SequenceNumber: store(state, stream, shard, entry, now), EncryptionType: "NONE" };
}

export function putRecords(state: KinesisState, input: Input): unknown {
  const now = state.kernel.now();
  const stream = state.catalog.resolve(input, "data");
  stream.counters.putRecordsRequests++;
  const injected = state.faults.streamError(stream.name, "PutRecords", now);
  if (injected) throw injected;
  const raw = requiredArray(input, "Records");
  if (raw.length < 1) throw constraintError("Records", `${raw.length} records`, "Member must have length greater than or equal to 1");
  if (raw.length > PUT_RECORDS_MAX_ENTRIES) {
    throw constraintError("Records", `${raw.length} records`, `Member must have length less than or equal to ${PUT_RECORDS_MAX_ENTRIES}`);
  }
  const entries = raw.map((r, i) => {
    if (!r || typeof r !== "object" || Array.isArray(r)) throw constraintError(`Records.${i + 1}`, r, "Member must be a structure");
    return readEntry(r as Input, stream, `Records.${i + 1}.member.`);
  });
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  const requestLimit = stream.maxRecordSizeKiB > DEFAULT_MAX_RECORD_SIZE_KIB ? PUT_RECORDS_MAX_BYTES_LARGE_RECORDS : PUT_RECORDS_MAX_BYTES;
  if (total > requestLimit) {
    throw invalidArgument(`Records size ${total} bytes (data plus partition keys) exceeds the PutRecords request limit of ${requestLimit} bytes.`);
  }
  dryRun(input);
  stream.trim(now);
  let failed = 0;
  let throttled = 0;
  let overLimit = 0;
  let bytes = 0;
  const results = entries.map((entry) => {
    const injectedCode = state.faults.recordError(stream.name);
    const shard = stream.routeHex(entry.hashKeyHex);
    if (injectedCode === "InternalFailure") {
      failed++;
      return { ErrorCode: "InternalFailure", ErrorMessage: INTERNAL_FAILURE_MESSAGE };
    }
    if (injectedCode !== undefined || !shard.tryWrite(now, entry.size)) {
      failed++;
      throttled++;
      if (injectedCode === undefined) {
        shard.counters.writeThrottledRecords++;
        overLimit++;
      }
      return { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: writeRateMessage(shard.shardId, stream.name, state.catalog.account) };
    }
    bytes += entry.size;
    return { SequenceNumber: store(state, stream, shard, entry, now), ShardId: shard.shardId };
  });
  stream.counters.putRecordsFailedRecords += failed;
  stream.counters.putRecordsThrottledRecords += throttled;
  state.metrics?.putRecords(now, stream.name, { total: entries.length, succeeded: entries.length - failed, failed, throttled, overLimit, bytes });
  return { FailedRecordCount: failed, Records: results, EncryptionType: "NONE" };
}

const ITERATOR_TYPES = ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"] as const;

export function getShardIterator(state: KinesisState, input: Input): unknown {
  const now = state.kernel.now();
  const stream = state.catalog.resolve(input, "data");
  const injected = state.faults.streamError(stream.name, "GetShardIterator", now);
  if (injected) throw injected;
  const account = state.catalog.account;
  const shardId = requiredString(input, "ShardId");
  const shard = stream.shard(shardId);
  if (!shard) throw shardNotFound(shardId, stream.name, account);
  if (!shard.iteratorCalls.fits(now, 1)) throw readThrottled(shard.shardId, stream.name, account);
  shard.iteratorCalls.spend(now, 1);
  const type = requiredString(input, "ShardIteratorType");
  if (!(ITERATOR_TYPES as readonly string[]).includes(type)) {
    throw constraintError("ShardIteratorType", type, `Member must satisfy enum value set: [${ITERATOR_TYPES.join(", ")}]`);
  }
  let from: number;
  if (type === "AT_SEQUENCE_NUMBER" || type === "AFTER_SEQUENCE_NUMBER") {
    const text = optionalString(input, "StartingSequenceNumber");
    if (text === undefined) throw invalidArgument(`StartingSequenceNumber is required for ShardIteratorType ${type}; found none.`);
    const parsed = parseSequenceNumber(text);
    if (!parsed || parsed.shardIndex !== shard.index) {
      throw invalidArgument(
        `StartingSequenceNumber ${text} used in GetShardIterator on shard ${shard.shardId} in stream ${stream.name} under account ${account} is invalid because it did not come from this stream.`,
      );
    }
    from = type === "AT_SEQUENCE_NUMBER" ? parsed.counter : parsed.counter + 1;
  } else if (type === "AT_TIMESTAMP") {
    const at = optionalTimestamp(input, "Timestamp");
    if (at === undefined) throw invalidArgument("Timestamp is required for ShardIteratorType AT_TIMESTAMP; found none.");
    from = shard.counterAtTime(at, shard.endingCounter ?? stream.tip);
  } else if (type === "TRIM_HORIZON") {
    from = shard.startingCounter;
  } else {
    from = shard.endingCounter ?? stream.tip;
  }
  dryRun(input);
  return { ShardIterator: encodeIterator({ stream: stream.name, streamCreatedAt: stream.createdAt, shardId, from, issuedAt: now }) };
}

export function getRecords(state: KinesisState, input: Input): unknown {
  const now = state.kernel.now();
  const account = state.catalog.account;
  const iterator = decodeIterator(requiredString(input, "ShardIterator"));
  const limit = optionalInteger(input, "Limit", 1, GET_RECORDS_MAX_RECORDS) ?? GET_RECORDS_MAX_RECORDS;
  const stream = state.catalog.get(iterator.stream);
  if (!stream || stream.createdAt !== iterator.streamCreatedAt) throw streamNotFound(iterator.stream, account);
  const arn = optionalString(input, "StreamARN");
  if (arn !== undefined && arn !== stream.arn) throw invalidArgument(`StreamARN ${arn} does not match the stream of the ShardIterator (${stream.arn}).`);
  state.catalog.check(stream, "data");
  if (now - iterator.issuedAt > ITERATOR_LIFETIME_MS) throw iteratorExpired(iterator.issuedAt, now, ITERATOR_LIFETIME_MS);
  const injected = state.faults.streamError(stream.name, "GetRecords", now);
  if (injected) throw injected;
  const shard = stream.shard(iterator.shardId);
  if (!shard) throw shardNotFound(iterator.shardId, stream.name, account);
  dryRun(input);
  if (!shard.mayRead(now)) {
    shard.counters.readThrottledCalls++;
    state.metrics?.readThrottled(now, stream.name);
    throw readThrottled(shard.shardId, stream.name, account);
  }
  stream.trim(now);
  const batch = shard.read(iterator.from, limit, GET_RECORDS_MAX_BYTES);
  shard.recordRead(now, batch.records.length, batch.bytes);
  const last = batch.records[batch.records.length - 1];
  state.metrics?.getRecords(now, stream.name, batch.records.length, last ? Math.max(0, now - last.arrival) : 0);
  const nextUnread = shard.arrivalOfNext(batch.next);
  const out: { Records: { Data: Uint8Array }[]; [field: string]: unknown } = {
    Records: batch.records.map((r) => ({
      SequenceNumber: shard.sequenceNumberOf(r),
      ApproximateArrivalTimestamp: epochSeconds(r.arrival),
      Data: r.data,
      PartitionKey: r.partitionKey,
    })),
    // How far the reader is from the tip: the age of the oldest record it has not read yet.
    // A Long on the wire: the clock has fractions of a millisecond (paced, and the sandbox's own latencies).
    MillisBehindLatest: nextUnread !== undefined ? Math.max(0, Math.floor(now - nextUnread)) : 0,
  };
  if (batch.exhausted) {
    out.ChildShards = shard.childShardIds.map((id) => {
      const child = stream.shard(id)!;
      return {
        ShardId: child.shardId,
        ParentShards: [child.parentShardId, child.adjacentParentShardId].filter((p): p is string => p !== undefined),
        HashKeyRange: { StartingHashKey: child.range.start.toString(), EndingHashKey: child.range.end.toString() },
      };
    });
  } else {
    out.NextShardIterator = encodeIterator({ ...iterator, from: batch.next, issuedAt: now });
  }
  return dataAsBase64InJson(out);
}
