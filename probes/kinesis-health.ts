/**
 * kinesis-health: how Kinesis looks to the pipeline on both ends, read through AWS APIs only, so it
 * runs alike on AWS, a served sandbox and the embedded one. Consumer side: a reader of the stream,
 * resuming each reading where it stopped, reports how far behind the tip it is (MillisBehindLatest)
 * and how often its reads were throttled. The rest is CloudWatch, since the probe's first reading
 * (from the start of that minute): AWS/Kinesis for the stream (throttled and incoming records, the
 * iterator age every consumer reported) and the shippers' own metrics (Gameday/LogShipper by Host:
 * records spooled and replayed, spool bytes held now, breakers open now).
 */
import { z } from "zod";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { StreamReader, streamReaderPermissions } from "../src/aws/kinesis-reader.js";
import { KINESIS_METRICS_PERMISSIONS, readShipperTotals, readStreamTotals } from "../src/aws/kinesis-metrics.js";

const MINUTE = 60_000;
/** A host that published nothing this long is not counted for spool bytes and breakers. */
const GAUGE_LOOKBACK_MS = 5 * MINUTE;

const params = z
  .object({
    stream: z.string().min(1).describe("The Kinesis stream to read as a consumer"),
    shipperNamespace: z.string().min(1).default("Gameday/LogShipper").describe("The CloudWatch namespace the log shippers publish their metrics in"),
  })
  .strict();

type Params = z.infer<typeof params>;

interface State {
  reader: StreamReader;
  readThrottles: number;
  maxLag: number;
  /** Start of the minute of the first reading: CloudWatch totals count from there. */
  since: number;
}

export default defineProbe<Params>({
  name: "kinesis-health",
  description: "Consumer iterator age and read throttling of a stream; throttled records, spooling and breakers from CloudWatch",
  params,
  permissions: ({ params: p, region, accountId }) => [...streamReaderPermissions({ region, accountId, stream: p.stream }), ...KINESIS_METRICS_PERMISSIONS],
  defaultTolerance: { iteratorAgeMs: "<= 300s" },
  output: {
    fields: {
      iteratorAgeMs: { unit: "ms", description: "How far the reader is behind the tip (MillisBehindLatest)" },
      readComplete: { unit: "bool", description: "The reader caught up with the tip in this reading" },
      maxIteratorAgeMs: { unit: "ms", description: "The largest iterator age this reader saw so far" },
      recordsRead: { unit: "count", description: "Records read in this reading" },
      readThrottles: { unit: "count", description: "Reads Kinesis throttled so far" },
      shards: { unit: "count", description: "Shards read" },
      consumersMaxIteratorAgeMs: { unit: "ms", description: "The largest iterator age any consumer reported so far (AWS/Kinesis GetRecords.IteratorAgeMilliseconds, whole minutes)" },
      incomingRecords: { unit: "count", description: "Records the stream took so far (AWS/Kinesis IncomingRecords, whole minutes)" },
      throttledRecords: { unit: "count", description: "PutRecords entries Kinesis throttled so far (AWS/Kinesis PutRecords.ThrottledRecords, whole minutes)" },
      writeThroughputExceeded: { unit: "count", description: "Records the shards' write limits refused so far (AWS/Kinesis WriteProvisionedThroughputExceeded, whole minutes)" },
      spooledRecords: { unit: "count", description: "Records the shippers wrote to their spools so far (Spooled, all hosts)" },
      replayedRecords: { unit: "count", description: "Spooled records the shippers delivered by replay so far (Replayed, all hosts)" },
      spoolBytes: { unit: "bytes", description: "Bytes held in the shippers' spools now (each host's latest SpoolBytes, summed)" },
      breakersOpen: { unit: "count", description: "Hosts whose shipper's breaker is open now (latest BreakerState 2)" },
      shipperHosts: { unit: "count", description: "Hosts whose shippers published metrics for the stream" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const { stream, shipperNamespace } = ctx.params;
    const st = (ctx.state.health ??= {
      reader: new StreamReader(await ctx.aws.kinesis(), stream, ctx.clock),
      readThrottles: 0,
      maxLag: 0,
      since: Math.floor(ctx.clock.now() / MINUTE) * MINUTE,
    }) as State;
    const read = await st.reader.readNew(() => {}, ctx.signal);
    st.readThrottles += read.throttled;
    st.maxLag = Math.max(st.maxLag, read.millisBehindLatest);
    const cloudwatch = await ctx.aws.cloudwatch();
    const now = ctx.clock.now();
    const kinesis = await readStreamTotals(cloudwatch, stream, st.since, now);
    const shippers = await readShipperTotals(cloudwatch, shipperNamespace, stream, st.since, now, GAUGE_LOOKBACK_MS);
    return {
      value: {
        iteratorAgeMs: read.millisBehindLatest,
        readComplete: read.complete,
        maxIteratorAgeMs: st.maxLag,
        recordsRead: read.records,
        readThrottles: st.readThrottles,
        shards: read.shards,
        consumersMaxIteratorAgeMs: kinesis.maxIteratorAgeMs,
        incomingRecords: kinesis.incomingRecords,
        throttledRecords: kinesis.throttledRecords,
        writeThroughputExceeded: kinesis.writeThroughputExceeded,
        spooledRecords: shippers.spooled,
        replayedRecords: shippers.replayed,
        spoolBytes: shippers.spoolBytes,
        breakersOpen: shippers.breakersOpen,
        shipperHosts: shippers.hosts,
      },
    };
  },
});
