/**
 * AWS/Kinesis as Kinesis Data Streams publishes it: per stream (dimension StreamName), per minute,
 * only for minutes with calls. The data plane reports each call once (never once per record):
 * - IncomingRecords/IncomingBytes: records and bytes accepted, one sample per put call (AWS's
 *   Minimum/Maximum/Average are per put operation), PutRecord and PutRecords alike;
 * - PutRecords.TotalRecords/SuccessfulRecords/FailedRecords/ThrottledRecords: per PutRecords entry;
 * - PutRecords.Success: one sample per call, 1 when at least one entry succeeded (Average = share);
 * - WriteProvisionedThroughputExceeded: one sample per record written, 1 when the shard's limit
 *   refused it (Sum = records throttled, Average = the share); ReadProvisionedThroughputExceeded:
 *   the same per GetRecords call;
 * - GetRecords.Records: one sample per successful GetRecords call, its record count;
 * - GetRecords.IteratorAgeMilliseconds: one sample per successful GetRecords call, the age of the
 *   last record it returned (0 when it returned none: the reader is at the tip); read as Maximum.
 */
import type { MetricDatum, MetricSink } from "../services/cloudwatch/sink.js";
import { minuteOf } from "./period.js";

export const KINESIS_NAMESPACE = "AWS/Kinesis";

type Statistics = NonNullable<MetricDatum["statistics"]>;

/** Samples of one metric in one minute, as PutMetricData's StatisticValues. */
class Samples {
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  add(value: number, times = 1): void {
    if (times <= 0) return;
    this.n += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
  statistics(): Statistics {
    return { sampleCount: this.n, sum: this.sum, minimum: this.min, maximum: this.max };
  }
}

const METRICS = [
  ["IncomingRecords", "Count"],
  ["IncomingBytes", "Bytes"],
  ["PutRecords.TotalRecords", "Count"],
  ["PutRecords.SuccessfulRecords", "Count"],
  ["PutRecords.FailedRecords", "Count"],
  ["PutRecords.ThrottledRecords", "Count"],
  ["PutRecords.Success", "Count"],
  ["WriteProvisionedThroughputExceeded", "Count"],
  ["ReadProvisionedThroughputExceeded", "Count"],
  ["GetRecords.Records", "Count"],
  ["GetRecords.IteratorAgeMilliseconds", "Milliseconds"],
] as const;

type MetricName = (typeof METRICS)[number][0];
type StreamMinute = Map<MetricName, Samples>;

/** What a PutRecords call did, entry by entry. */
export interface PutRecordsOutcome {
  total: number;
  succeeded: number;
  failed: number;
  /** Failed with ProvisionedThroughputExceededException (injected or by the shard's limit). */
  throttled: number;
  /** Refused by a shard's write limit (the load's own throttling, not an injected fault). */
  overLimit: number;
  /** Bytes of the entries accepted. */
  bytes: number;
}

export class KinesisMetricsPublisher {
  /** Minute start -> stream name -> samples. */
  private readonly minutes = new Map<number, Map<string, StreamMinute>>();

  constructor(private readonly sink: MetricSink) {}

  putRecord(at: number, stream: string, accepted: boolean, bytes: number): void {
    const m = this.stream(at, stream);
    if (accepted) {
      samples(m, "IncomingRecords").add(1);
      samples(m, "IncomingBytes").add(bytes);
    }
    samples(m, "WriteProvisionedThroughputExceeded").add(accepted ? 0 : 1);
  }

  putRecords(at: number, stream: string, o: PutRecordsOutcome): void {
    const m = this.stream(at, stream);
    if (o.succeeded > 0) {
      samples(m, "IncomingRecords").add(o.succeeded);
      samples(m, "IncomingBytes").add(o.bytes);
    }
    samples(m, "PutRecords.TotalRecords").add(o.total);
    samples(m, "PutRecords.SuccessfulRecords").add(o.succeeded);
    samples(m, "PutRecords.FailedRecords").add(o.failed);
    samples(m, "PutRecords.ThrottledRecords").add(o.throttled);
    samples(m, "PutRecords.Success").add(o.succeeded > 0 ? 1 : 0);
    samples(m, "WriteProvisionedThroughputExceeded").add(0, o.succeeded);
    samples(m, "WriteProvisionedThroughputExceeded").add(1, o.overLimit);
  }

  /** A GetRecords call that returned `records`; `iteratorAgeMs`: the age of the last one (0 with none). */
  getRecords(at: number, stream: string, records: number, iteratorAgeMs: number): void {
    const m = this.stream(at, stream);
    samples(m, "GetRecords.Records").add(records);
    samples(m, "GetRecords.IteratorAgeMilliseconds").add(iteratorAgeMs);
    samples(m, "ReadProvisionedThroughputExceeded").add(0);
  }

  /** A GetRecords call refused by the shard's read limits. */
  readThrottled(at: number, stream: string): void {
    samples(this.stream(at, stream), "ReadProvisionedThroughputExceeded").add(1);
  }

  /** Puts every minute that ended by `now` (later reports for it go out at the next flush). */
  flush(now: number): void {
    const open = minuteOf(now);
    for (const [timestamp, streams] of [...this.minutes].sort((a, b) => a[0] - b[0])) {
      if (timestamp >= open) continue;
      for (const [stream, m] of streams) {
        for (const [name, unit] of METRICS) {
          const s = m.get(name);
          if (s) this.sink.put({ namespace: KINESIS_NAMESPACE, name, dimensions: { StreamName: stream }, timestamp, statistics: s.statistics(), unit, storageResolution: 60 });
        }
      }
      this.minutes.delete(timestamp);
    }
  }

  private stream(at: number, stream: string): StreamMinute {
    const start = minuteOf(at);
    let streams = this.minutes.get(start);
    if (!streams) this.minutes.set(start, (streams = new Map()));
    let m = streams.get(stream);
    if (!m) streams.set(stream, (m = new Map()));
    return m;
  }
}

function samples(m: StreamMinute, name: MetricName): Samples {
  let s = m.get(name);
  if (!s) m.set(name, (s = new Samples()));
  return s;
}
