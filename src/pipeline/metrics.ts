/** What Shipper.metrics() reports: the numbers the log-delivery probe and operators read. */
import type { BreakerState } from "./breaker.js";
import type { DropReason } from "./options.js";

export interface ShipperMetrics {
  /** Records write() took (including ones later dead-lettered or dropped by policy). */
  accepted: number;
  /** Records Kinesis acked, live and replayed. */
  delivered: number;
  /** Records the secondary sink took while the breaker was open. */
  deliveredSecondary: number;
  /** Record sends after the first (failed entries, retried calls). */
  resent: number;
  /** Records Kinesis throttled (ProvisionedThroughputExceeded entries, and every record of a throttled call). */
  throttled: number;
  /** Records written to the spool. */
  spooled: number;
  /** Spooled records Kinesis acked after replay (a subset of delivered). */
  replayed: number;
  /** Records dropped by the spool's explicit policy or lost to disk errors, by reason. */
  dropped: Record<DropReason, number> & { total: number };
  /** Records written to the dead-letter file (too large, or rejected by Kinesis as invalid). */
  deadLettered: number;
  /** Records resent after an ambiguous outcome (timeout, reset): Kinesis may hold them twice. */
  duplicatesPossible: number;
  /** Bytes of the spool's segment files. */
  spoolBytes: number;
  /** Spooled records not yet acked (including those replay has in flight). */
  spoolRecords: number;
  /** Age of the oldest unacked spooled record, in ms (an upper bound: the start of its segment). 0 when none. */
  oldestSpooledAgeMs: number;
  breaker: BreakerState;
  /** Records waiting in memory, not in flight. */
  inMemory: number;
  /** Records in calls on the wire or waiting in backoff (live and replayed). */
  inFlight: number;
  /** Of inFlight, records read back from the spool: also in spoolRecords until Kinesis acks them. */
  replayInFlight: number;
  /** True while write() would return false. */
  backpressure: boolean;
  /** Records whose partitionKeyField was missing or empty (they got a random key). */
  partitionKeyFallbacks: number;
  /** Bytes of torn or corrupt frames found in the spool at start. */
  spoolCorruptBytes: number;
}
