/**
 * Stream lifecycle, description, listing, resharding and tags. CreateStream, DeleteStream and
 * UpdateShardCount are asynchronous as in AWS: the stream passes through CREATING, DELETING or
 * UPDATING for a while on the kernel's clock.
 */
import { AwsServiceError } from "../../protocol/types.js";
import { invalidArgument, limitExceeded, streamNotFound } from "./errors.js";
import { constraintError, optionalInteger, optionalObject, optionalString, optionalStringMap, optionalTimestamp, requiredInteger, requiredString } from "./input.js";
import { decodeListShardsToken, encodeListShardsToken } from "./iterators.js";
import {
  DEFAULT_MAX_RECORD_SIZE_KIB,
  DEFAULT_RETENTION_HOURS,
  LIST_SHARDS_TOKEN_LIFETIME_MS,
  MAX_RECORD_SIZE_KIB,
  MAX_SHARDS_PER_STREAM,
  MAX_TAGS_PER_STREAM,
  ON_DEMAND_INITIAL_SHARDS,
  SCALINGS_PER_DAY,
  STREAM_CREATE_MS,
  STREAM_DELETE_MS,
  STREAM_UPDATE_MS,
} from "./limits.js";
import { descriptionShape, epochSeconds, shardShape, summaryShape } from "./shapes.js";
import type { Shard } from "./shard.js";
import type { KinesisState } from "./state.js";
import { Stream, type StreamMode } from "./stream.js";

type Input = Record<string, unknown>;

const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const MAX_CREATING = 5;

export function createStream(state: KinesisState, input: Input): unknown {
  const { kernel, catalog } = state;
  const name = requiredString(input, "StreamName");
  if (!STREAM_NAME.test(name)) throw constraintError("StreamName", name, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ (1 to 128 characters)");
  const shardCount = optionalInteger(input, "ShardCount", 1, MAX_SHARDS_PER_STREAM);
  const details = optionalObject(input, "StreamModeDetails");
  let mode: StreamMode | undefined;
  if (details) {
    const m = optionalString(details, "StreamMode");
    if (m !== "PROVISIONED" && m !== "ON_DEMAND") throw constraintError("StreamModeDetails.StreamMode", m, "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
    mode = m;
  }
  mode ??= shardCount === undefined ? undefined : "PROVISIONED";
  if (mode === undefined) throw invalidArgument("CreateStream needs ShardCount for a PROVISIONED stream, or StreamModeDetails {StreamMode: ON_DEMAND}; found neither.");
  if (mode === "PROVISIONED" && shardCount === undefined) throw invalidArgument("ShardCount is required for a stream in PROVISIONED mode; found none.");
  if (mode === "ON_DEMAND" && shardCount !== undefined) throw invalidArgument(`ShardCount must not be given for a stream in ON_DEMAND mode; found ${shardCount}.`);
  const tags = optionalStringMap(input, "Tags") ?? {};
  if (Object.keys(tags).length > MAX_TAGS_PER_STREAM) throw invalidArgument(`A stream can have at most ${MAX_TAGS_PER_STREAM} tags; found ${Object.keys(tags).length}.`);
  const maxRecordSizeKiB = optionalInteger(input, "MaxRecordSizeInKiB", DEFAULT_MAX_RECORD_SIZE_KIB, MAX_RECORD_SIZE_KIB) ?? DEFAULT_MAX_RECORD_SIZE_KIB;
  if (catalog.get(name)) throw new AwsServiceError("ResourceInUseException", `Stream ${name} under account ${catalog.account} already exists.`, 400);
  if (catalog.all().filter((s) => s.status === "CREATING").length >= MAX_CREATING) {
    throw limitExceeded(`You can have at most ${MAX_CREATING} streams in the CREATING state at once.`);
  }
  const stream = new Stream({
    name,
    arn: catalog.arnOf(name),
    mode,
    shardCount: shardCount ?? ON_DEMAND_INITIAL_SHARDS,
    createdAt: kernel.now(),
    retentionHours: DEFAULT_RETENTION_HOURS,
    maxRecordSizeKiB,
    tags,
    status: "CREATING",
  });
  catalog.add(stream);
  state.trackOnDemand(stream);
  kernel.record("kinesis", "stream-state", `stream ${name} CREATING`, { stream: name, status: "CREATING" });
  kernel.clock.setTimer(STREAM_CREATE_MS, () => {
    if (catalog.get(name) !== stream || stream.status !== "CREATING") return;
    stream.status = "ACTIVE";
    kernel.record("kinesis", "stream-state", `stream ${name} ACTIVE`, { stream: name, status: "ACTIVE" });
  });
  return {};
}

export function deleteStream(state: KinesisState, input: Input): unknown {
  const { kernel, catalog } = state;
  const stream = catalog.resolve(input, "any");
  if (stream.status === "DELETING") return {};
  stream.status = "DELETING";
  kernel.record("kinesis", "stream-state", `stream ${stream.name} DELETING`, { stream: stream.name, status: "DELETING" });
  kernel.clock.setTimer(STREAM_DELETE_MS, () => {
    catalog.remove(stream);
    kernel.record("kinesis", "stream-state", `stream ${stream.name} deleted`, { stream: stream.name, status: "DELETED" });
  });
  return {};
}

export function describeStreamSummary(state: KinesisState, input: Input): unknown {
  return { StreamDescriptionSummary: summaryShape(state.catalog.resolve(input, "any")) };
}

export function describeStream(state: KinesisState, input: Input): unknown {
  if (!state.rates.describeStream.fits(state.kernel.now(), 1)) throw limitExceeded("Rate exceeded for DescribeStream: at most 10 calls per second per account.");
  state.rates.describeStream.spend(state.kernel.now(), 1);
  const stream = state.catalog.resolve(input, "any");
  const limit = optionalInteger(input, "Limit", 1, 10_000) ?? 100;
  const after = optionalString(input, "ExclusiveStartShardId");
  const shards = after === undefined ? stream.shards : stream.shards.filter((s) => s.shardId > after);
  const page = shards.slice(0, Math.min(limit, 100));
  return { StreamDescription: descriptionShape(stream, page, shards.length > page.length) };
}

export function listStreams(state: KinesisState, input: Input): unknown {
  const limit = optionalInteger(input, "Limit", 1, 10_000) ?? 100;
  const token = optionalString(input, "NextToken");
  const startAfter = token !== undefined ? decodeName(token) : optionalString(input, "ExclusiveStartStreamName");
  const all = state.catalog.all().filter((s) => startAfter === undefined || s.name > startAfter);
  const page = all.slice(0, Math.min(limit, 100));
  const more = all.length > page.length;
  return {
    StreamNames: page.map((s) => s.name),
    HasMoreStreams: more,
    ...(more ? { NextToken: Buffer.from(page[page.length - 1]!.name).toString("base64url") } : {}),
    StreamSummaries: page.map((s) => ({
      StreamName: s.name,
      StreamARN: s.arn,
      StreamStatus: s.status,
      StreamModeDetails: { StreamMode: s.mode },
      StreamCreationTimestamp: epochSeconds(s.createdAt),
    })),
  };
}

function decodeName(token: string): string {
  const name = Buffer.from(token, "base64url").toString("utf8");
  if (!STREAM_NAME.test(name)) throw invalidArgument(`Invalid NextToken: '${token}' is not a token ListStreams issued.`);
  return name;
}

const SHARD_FILTERS = ["AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"] as const;

export function listShards(state: KinesisState, input: Input): unknown {
  const { kernel, catalog } = state;
  const now = kernel.now();
  const maxResults = optionalInteger(input, "MaxResults", 1, 10_000) ?? 1_000;
  const token = optionalString(input, "NextToken");
  let stream: Stream;
  let filter: string;
  let after: number;
  if (token !== undefined) {
    for (const field of ["StreamName", "StreamARN", "ExclusiveStartShardId", "StreamCreationTimestamp", "ShardFilter"]) {
      if (input[field] !== undefined) throw invalidArgument(`NextToken cannot be combined with ${field}: the token already says which stream and where to resume.`);
    }
    const t = decodeListShardsToken(token);
    if (now - t.issuedAt > LIST_SHARDS_TOKEN_LIFETIME_MS) {
      throw new AwsServiceError("ExpiredNextTokenException", `The NextToken expired: it was issued ${Math.round((now - t.issuedAt) / 1000)} s ago and lives 300 s.`, 400);
    }
    const found = catalog.get(t.stream);
    if (!found || found.createdAt !== t.streamCreatedAt) throw streamNotFound(t.stream, catalog.account);
    stream = found;
    filter = t.filter;
    after = t.after;
  } else {
    stream = catalog.resolve(input, "any");
    const created = optionalTimestamp(input, "StreamCreationTimestamp");
    if (created !== undefined && Math.floor(created / 1000) !== Math.floor(stream.createdAt / 1000)) throw streamNotFound(stream.name, catalog.account);
    const start = optionalString(input, "ExclusiveStartShardId");
    after = start === undefined ? -1 : shardIndexOf(start);
    const sf = optionalObject(input, "ShardFilter");
    filter = "FROM_TRIM_HORIZON";
    if (sf) {
      const type = optionalString(sf, "Type");
      if (!(SHARD_FILTERS as readonly (string | undefined)[]).includes(type)) {
        throw constraintError("ShardFilter.Type", type, `Member must satisfy enum value set: [${SHARD_FILTERS.join(", ")}]`);
      }
      if (type === "AFTER_SHARD_ID") {
        const id = optionalString(sf, "ShardId");
        if (id === undefined) throw invalidArgument("ShardFilter.ShardId is required for the AFTER_SHARD_ID filter; found none.");
        after = Math.max(after, shardIndexOf(id));
        filter = "FROM_TRIM_HORIZON";
      } else if (type === "AT_TIMESTAMP" || type === "FROM_TIMESTAMP") {
        const ts = optionalTimestamp(sf, "Timestamp");
        if (ts === undefined) throw invalidArgument(`ShardFilter.Timestamp is required for the ${type} filter; found none.`);
        filter = `${type}:${ts}`;
      } else {
        filter = type!;
      }
    }
  }
  if (stream.status === "CREATING") throw new AwsServiceError("ResourceInUseException", `Stream ${stream.name} under account ${catalog.account} is still CREATING.`, 400);
  const matching = stream.shards.filter((s) => s.index > after && shardMatches(s, filter, stream, now));
  const page = matching.slice(0, Math.min(maxResults, 1_000));
  const more = matching.length > page.length;
  return {
    Shards: page.map(shardShape),
    ...(more
      ? { NextToken: encodeListShardsToken({ stream: stream.name, streamCreatedAt: stream.createdAt, after: page[page.length - 1]!.index, filter, issuedAt: now }) }
      : {}),
  };
}

function shardIndexOf(shardId: string): number {
  const m = /^shardId-(\d{12})$/.exec(shardId);
  if (!m) throw constraintError("ShardId", shardId, "Member must satisfy regular expression pattern: shardId-[0-9]{12}");
  return Number(m[1]);
}

function shardMatches(shard: Shard, filter: string, stream: Stream, now: number): boolean {
  const openAt = (t: number) => shard.createdAt <= t && (shard.closedAt === undefined || shard.closedAt > t);
  if (filter === "AT_LATEST") return shard.open;
  if (filter === "AT_TRIM_HORIZON") return openAt(Math.max(stream.createdAt, now - stream.retentionHours * 3_600_000));
  const [kind, at] = filter.split(":");
  if (kind === "AT_TIMESTAMP") return openAt(Number(at));
  if (kind === "FROM_TIMESTAMP") return shard.closedAt === undefined || shard.closedAt >= Number(at);
  return true;
}

export function updateShardCount(state: KinesisState, input: Input): unknown {
  const { kernel, catalog } = state;
  const now = kernel.now();
  if (!state.rates.updateShardCount.fits(now, 1)) throw limitExceeded("Rate exceeded for UpdateShardCount: at most 10 calls per second per account.");
  state.rates.updateShardCount.spend(now, 1);
  const stream = catalog.resolve(input, "any");
  const target = requiredInteger(input, "TargetShardCount", 1, MAX_SHARDS_PER_STREAM);
  const scalingType = requiredString(input, "ScalingType");
  if (scalingType !== "UNIFORM_SCALING") throw constraintError("ScalingType", scalingType, "Member must satisfy enum value set: [UNIFORM_SCALING]");
  if (stream.mode === "ON_DEMAND") throw invalidArgument(`UpdateShardCount applies to PROVISIONED streams; stream ${stream.name} is ON_DEMAND and scales itself.`);
  catalog.check(stream, "idle");
  const current = stream.openShards.length;
  if (target > current * 2) {
    throw limitExceeded(`UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: ${current} Target shard count: ${target}`);
  }
  if (target * 2 < current) {
    throw limitExceeded(`UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: ${current} Target shard count: ${target}`);
  }
  if (target === current) throw invalidArgument(`TargetShardCount ${target} equals the stream's current open shard count; nothing to scale.`);
  const dayAgo = now - 24 * 3_600_000;
  const recent = stream.scalings.filter((t) => t > dayAgo);
  if (recent.length >= SCALINGS_PER_DAY) {
    throw limitExceeded(`Stream ${stream.name} under account ${catalog.account} has been scaled ${recent.length} times in the last 24 hours; the limit is ${SCALINGS_PER_DAY}.`);
  }
  stream.scalings.splice(0, stream.scalings.length, ...recent, now);
  stream.status = "UPDATING";
  kernel.record("kinesis", "stream-state", `stream ${stream.name} UPDATING (${current} -> ${target} shards)`, { stream: stream.name, status: "UPDATING", from: current, to: target });
  kernel.clock.setTimer(STREAM_UPDATE_MS, () => {
    if (catalog.get(stream.name) !== stream || stream.status !== "UPDATING") return;
    stream.reshardUniform(target, kernel.now());
    stream.status = "ACTIVE";
    kernel.record("kinesis", "stream-state", `stream ${stream.name} ACTIVE with ${target} shards`, { stream: stream.name, status: "ACTIVE", shards: target });
  });
  return { StreamName: stream.name, CurrentShardCount: current, TargetShardCount: target, StreamARN: stream.arn };
}

export function updateMaxRecordSize(state: KinesisState, input: Input): unknown {
  const stream = state.catalog.resolve(input, "idle");
  const v = input["MaxRecordSizeInKiB"];
  if (typeof v !== "number" || !Number.isInteger(v) || v < DEFAULT_MAX_RECORD_SIZE_KIB || v > MAX_RECORD_SIZE_KIB) {
    throw new AwsServiceError("ValidationException", `MaxRecordSizeInKiB must be an integer between ${DEFAULT_MAX_RECORD_SIZE_KIB} and ${MAX_RECORD_SIZE_KIB}; found ${JSON.stringify(v)}.`, 400);
  }
  stream.maxRecordSizeKiB = v;
  return {};
}

export function addTagsToStream(state: KinesisState, input: Input): unknown {
  const stream = state.catalog.resolve(input, "any");
  state.catalog.check(stream, stream.status === "UPDATING" ? "data" : "idle");
  const tags = optionalStringMap(input, "Tags");
  if (!tags || Object.keys(tags).length === 0) throw constraintError("Tags", tags, "Member must have length greater than or equal to 1");
  const merged = new Map(stream.tags);
  for (const [k, v] of Object.entries(tags)) merged.set(k, v);
  if (merged.size > MAX_TAGS_PER_STREAM) {
    throw invalidArgument(`Failed to add tags to stream ${stream.name} under account ${state.catalog.account} because a given stream cannot have more than ${MAX_TAGS_PER_STREAM} tags; it would have ${merged.size}.`);
  }
  for (const [k, v] of merged) stream.tags.set(k, v);
  return {};
}

export function removeTagsFromStream(state: KinesisState, input: Input): unknown {
  const stream = state.catalog.resolve(input, "any");
  state.catalog.check(stream, stream.status === "UPDATING" ? "data" : "idle");
  const keys = input["TagKeys"];
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== "string")) throw constraintError("TagKeys", keys, "Member must be a non-empty list of strings");
  for (const k of keys as string[]) stream.tags.delete(k);
  return {};
}

export function listTagsForStream(state: KinesisState, input: Input): unknown {
  const stream = state.catalog.resolve(input, "any");
  const limit = optionalInteger(input, "Limit", 1, 50) ?? 50;
  const after = optionalString(input, "ExclusiveStartTagKey");
  const keys = [...stream.tags.keys()].sort().filter((k) => after === undefined || k > after);
  const page = keys.slice(0, limit);
  return { Tags: page.map((Key) => ({ Key, Value: stream.tags.get(Key)! })), HasMoreTags: keys.length > page.length };
}
