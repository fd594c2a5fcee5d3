/**
 * kinesis-health: how Kinesis looks to the pipeline on both ends. Consumer side: a reader of the
 * stream, resuming each reading where it stopped, reports how far behind the tip it is (what
 * GetRecords calls MillisBehindLatest, CloudWatch's iterator age) and how often its reads were
 * throttled. Producer side, from the log pipeline port: how many records Kinesis throttled (what
 * CloudWatch's WriteProvisionedThroughputExceeded counts), how many the shippers resent for any
 * reason, and how many are held back in spools.
 */
import { z } from "zod";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { StreamReader } from "../src/aws/kinesis-reader.js";

const params = z.object({ stream: z.string().min(1).describe("The Kinesis stream to read as a consumer") }).strict();

type Params = z.infer<typeof params>;

interface State {
  reader: StreamReader;
  readThrottles: number;
  maxLag: number;
}

export default defineProbe<Params>({
  name: "kinesis-health",
  description: "Consumer iterator age and read throttling of a stream; producer resends and spooled records",
  params,
  defaultTolerance: { iteratorAgeMs: "<= 300s" },
  output: {
    fields: {
      iteratorAgeMs: { unit: "ms", description: "How far the reader is behind the tip (MillisBehindLatest)" },
      readComplete: { unit: "bool", description: "The reader caught up with the tip in this reading" },
      maxIteratorAgeMs: { unit: "ms", description: "The largest iterator age seen so far" },
      recordsRead: { unit: "count", description: "Records read in this reading" },
      readThrottles: { unit: "count", description: "Reads Kinesis throttled so far" },
      shards: { unit: "count", description: "Shards read" },
      throttledRecords: { unit: "count", description: "Records the producers had throttled" },
      producerResends: { unit: "count", description: "Records the producers resent" },
      spooledRecords: { unit: "count", description: "Records held in spools, including those of dead shippers" },
      breakersOpen: { unit: "count", description: "Live shippers whose breaker is not closed" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    const st = (ctx.state.health ??= { reader: new StreamReader(await ctx.aws.kinesis(), ctx.params.stream, ctx.clock), readThrottles: 0, maxLag: 0 }) as State;
    const read = await st.reader.readNew(() => {}, ctx.signal);
    st.readThrottles += read.throttled;
    st.maxLag = Math.max(st.maxLag, read.millisBehindLatest);
    const producers = ctx.logs.producers();
    const alive = producers.filter((p) => p.alive);
    return {
      value: {
        iteratorAgeMs: read.millisBehindLatest,
        readComplete: read.complete,
        maxIteratorAgeMs: st.maxLag,
        recordsRead: read.records,
        readThrottles: st.readThrottles,
        shards: read.shards,
        throttledRecords: producers.reduce((n, p) => n + p.counters.throttled, 0),
        producerResends: producers.reduce((n, p) => n + p.counters.resent, 0),
        spooledRecords: alive.reduce((n, p) => n + p.counters.spoolRecords, 0) + ctx.logs.orphanedSpoolRecords(),
        breakersOpen: alive.filter((p) => p.counters.breaker !== "closed").length,
      },
    };
  },
});
