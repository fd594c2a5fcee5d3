/**
 * Counters for probes and tests, named after the CloudWatch metrics they stand for. All are
 * cumulative since the sandbox started (or the stream was created): diff two snapshots for rates.
 */
import type { Connectivity, OutageEffect } from "../network/connectivity.js";
import type { StreamCatalog } from "./catalog.js";
import type { InjectionCounts } from "./faults.js";
import type { ShardCounters } from "./shard.js";
import type { StreamMode, StreamStatus } from "./stream.js";

export interface ShardMetrics extends ShardCounters {
  shardId: string;
  open: boolean;
  /** Records the shard holds now. */
  storedRecords: number;
}

export interface StreamMetrics {
  streamName: string;
  status: StreamStatus;
  mode: StreamMode;
  openShards: number;
  /** IncomingBytes / IncomingRecords: accepted writes. */
  incomingBytes: number;
  incomingRecords: number;
  /** GetRecords.Bytes / GetRecords.Records. */
  outgoingBytes: number;
  outgoingRecords: number;
  getRecordsCalls: number;
  /** WriteProvisionedThroughputExceeded: records refused by shard write limits (load, not injection). */
  writeProvisionedThroughputExceeded: number;
  /** ReadProvisionedThroughputExceeded: GetRecords calls refused by shard read limits. */
  readProvisionedThroughputExceeded: number;
  putRecordRequests: number;
  putRecordsRequests: number;
  /** PutRecords.FailedRecords and PutRecords.ThrottledRecords (injected entries included). */
  putRecordsFailedRecords: number;
  putRecordsThrottledRecords: number;
  shards: ShardMetrics[];
}

export interface KinesisMetrics {
  /** Clock time of this snapshot (ms). */
  at: number;
  streams: Record<string, StreamMetrics>;
  injected: {
    /** Whole-call errors injected by faults, by error code (ThrottlingException, ServiceUnavailable, ...). */
    calls: Record<string, number>;
    /** PutRecords entries failed by faults, by ErrorCode. */
    records: Record<string, number>;
    /** Calls that met an outage or a network disruption, by effect. */
    outages: Record<OutageEffect, number>;
  };
}

export function snapshot(at: number, catalog: StreamCatalog, injected: InjectionCounts, connectivity: Connectivity): KinesisMetrics {
  const streams: Record<string, StreamMetrics> = {};
  for (const stream of catalog.all()) {
    const shards: ShardMetrics[] = stream.shards.map((s) => ({ shardId: s.shardId, open: s.open, storedRecords: s.size, ...s.counters }));
    const sum = (f: (s: ShardMetrics) => number) => shards.reduce((n, s) => n + f(s), 0);
    streams[stream.name] = {
      streamName: stream.name,
      status: stream.status,
      mode: stream.mode,
      openShards: stream.openShards.length,
      incomingBytes: sum((s) => s.incomingBytes),
      incomingRecords: sum((s) => s.incomingRecords),
      outgoingBytes: sum((s) => s.outgoingBytes),
      outgoingRecords: sum((s) => s.outgoingRecords),
      getRecordsCalls: sum((s) => s.getRecordsCalls),
      writeProvisionedThroughputExceeded: sum((s) => s.writeThrottledRecords),
      readProvisionedThroughputExceeded: sum((s) => s.readThrottledCalls),
      ...stream.counters,
      shards,
    };
  }
  return {
    at,
    streams,
    injected: { calls: { ...injected.calls }, records: { ...injected.records }, outages: { ...connectivity.counts } },
  };
}
