/**
 * Shard iterators and ListShards tokens: opaque strings to the caller. The sandbox packs what it
 * needs to resume (stream, its creation time, shard, position, issue time) into base64url JSON,
 * so an iterator survives being handed between processes as a real one does.
 */
import { invalidArgument } from "./errors.js";

export interface IteratorState {
  stream: string;
  /** Distinguishes a stream from an older one of the same name. */
  streamCreatedAt: number;
  shardId: string;
  /** Read from the first record whose counter is >= this. */
  from: number;
  issuedAt: number;
}

export function encodeIterator(state: IteratorState): string {
  const packed = [state.stream, state.streamCreatedAt, state.shardId, state.from, state.issuedAt];
  return `AAAAAAAAAAE${Buffer.from(JSON.stringify(packed)).toString("base64url")}`;
}

export function decodeIterator(text: string): IteratorState {
  const bad = () => invalidArgument(`Invalid ShardIterator: '${text.length > 40 ? `${text.slice(0, 37)}...` : text}' is not a shard iterator this service issued.`);
  if (!text.startsWith("AAAAAAAAAAE")) throw bad();
  let packed: unknown;
  try {
    packed = JSON.parse(Buffer.from(text.slice(11), "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (!Array.isArray(packed) || packed.length !== 5) throw bad();
  const [stream, streamCreatedAt, shardId, from, issuedAt] = packed as unknown[];
  if (typeof stream !== "string" || typeof shardId !== "string" || typeof streamCreatedAt !== "number" || typeof from !== "number" || typeof issuedAt !== "number") {
    throw bad();
  }
  return { stream, streamCreatedAt, shardId, from, issuedAt };
}

export interface ListShardsToken {
  stream: string;
  streamCreatedAt: number;
  /** Shard index to continue after. */
  after: number;
  /** The filter of the first call, carried so later pages apply it too. */
  filter: string;
  issuedAt: number;
}

export function encodeListShardsToken(token: ListShardsToken): string {
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

export function decodeListShardsToken(text: string): ListShardsToken {
  try {
    const t = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as ListShardsToken;
    if (typeof t.stream === "string" && typeof t.after === "number" && typeof t.issuedAt === "number" && typeof t.filter === "string") return t;
  } catch {
    // fall through
  }
  throw invalidArgument(`Invalid NextToken: '${text.slice(0, 40)}' is not a token ListShards issued.`);
}
