/**
 * log-delivery: nothing the applications logged is lost. Every record a shipper accepted must be in
 * the stream, still on its way (memory, in flight, the spool), or counted as dropped by an explicit
 * policy; whatever is none of these is unaccounted for. It reads through AWS APIs only, as it would
 * on AWS: the stream as a consumer (gameday's shipper gives every record a {host, boot, seq} id, so
 * duplicates are counted, not mistaken for deliveries) and, from CloudWatch, the gauges each
 * shipper boot publishes (src/pipeline/emf.ts: Accepted, DeliveredTotal, InMemory, InFlight,
 * SpoolRecords, DroppedTotal, DeadLettered per Stream, Host and Boot; BreakerState and Spooled per
 * Host). Those gauges are "latest value" series published every `gaugeInterval` or so: a reading
 * takes each boot's newest line at or before its moment, looking back two intervals, and a boot
 * silent for two intervals has stopped publishing (it is gone, or closed). Around
 * Kinesis faults it also checks that the fallback engaged in time and that the spools drained in
 * time after Kinesis came back, and it tracks how much the shippers held in memory.
 */
import { z } from "zod";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { duration } from "../src/engine/params.js";
import { streamReaderPermissions } from "../src/aws/kinesis-reader.js";
import { ShipperStreamConsumer, producerKey } from "../src/aws/shipper-consumer.js";
import { BootGaugeReader, KINESIS_METRICS_PERMISSIONS, firstFallback, readShipperTotals, type BootGauges } from "../src/aws/kinesis-metrics.js";
import { SHIPPER_NAMESPACE } from "../src/pipeline/emf.js";
import { parseDuration } from "../src/experiment/duration.js";
import type { InjectedFault, Observation } from "../src/engine/ports.js";

const MINUTE = 60_000;
/** How often a reading that waits for a shipper's line asks CloudWatch again. */
const POLL_MS = 2_000;

const params = z
  .object({
    stream: z.string().min(1).describe("The Kinesis stream the shippers write to, read as a consumer"),
    fallbackWithin: duration().optional().describe("The shippers must fall back (breaker open, spooling) within this long of a Kinesis fault's start"),
    drainWithin: duration().optional().describe("The spools must be empty within this long of the last Kinesis fault's end"),
    maxMemoryRecords: z.number().int().positive().optional().describe("Records the shippers may hold in memory at once"),
    shipperNamespace: z.string().min(1).default(SHIPPER_NAMESPACE).describe("The CloudWatch namespace the log shippers publish their metrics in"),
    gaugeInterval: duration("PT1M").describe(
      "How often each shipper publishes its per-boot gauges at most (gameday's shipper: every 30 s, or every metrics interval when that is longer). Readings look back two of these; a boot silent for two has stopped",
    ),
  })
  .strict();

type Params = z.infer<typeof params>;

/** What one series of readings (a window, a stop condition) keeps; the stream's consumer is the run's. */
interface State {
  gauges: BootGaugeReader;
  /** Up to when CloudWatch was searched for the fallback. */
  fallbackSearchedTo: number | undefined;
  fallbackAt: number | undefined;
  drainedAt: number | undefined;
  lateFallback: boolean;
  lateDrain: boolean;
  maxMemory: number;
  memoryViolations: number;
  /** When the previous reading was taken: bounds when a change happened. */
  previousAt: number | undefined;
}

function kinesisFaults(ctx: ProbeContext<Params>): { start: number; end: number }[] {
  return ctx.run.faults
    .filter((f: InjectedFault) => f.fault.startsWith("kinesis-"))
    .map((f) => ({ start: f.startedAt, end: f.startedAt + (parseDuration(String(f.params.duration ?? "PT5M")) ?? 300_000) }));
}

/** A boot publishing still: a line within two intervals (a minute's line stands for its whole minute). */
function publishing(g: BootGauges, now: number, interval: number): boolean {
  return g.at + (g.coarse ? MINUTE : 0) >= now - 2 * interval;
}

/**
 * Each boot's newest gauges. A shipper publishes within one interval of starting, so a reading
 * that finds no boot at all waits that long before it says none publishes. The deciding reading
 * also waits (up to one interval) until every boot still publishing at 1 s has a line from after
 * the reading began, so that the records accepted up to then are all in the accounting; a closed
 * shipper wrote its last line on close().
 */
async function readGauges(ctx: ProbeContext<Params>, st: State): Promise<BootGauges[]> {
  const { gaugeInterval, shipperNamespace, stream } = ctx.params;
  const began = ctx.clock.now();
  let gauges = await st.gauges.read(began);
  const waiting = () =>
    gauges.length === 0 || (ctx.final && gauges.some((g) => !g.coarse && g.at < began && publishing(g, began, gaugeInterval)));
  while (waiting() && ctx.clock.now() < began + gaugeInterval) {
    await ctx.clock.sleep(POLL_MS, ctx.signal);
    gauges = await st.gauges.read(ctx.clock.now());
  }
  if (gauges.length === 0) {
    throw new Error(
      `no log shipper publishes: CloudWatch has no Accepted in namespace ${shipperNamespace} with dimensions Stream=${stream}, Host, Boot ` +
        `from ${(2 * gaugeInterval) / 1000} s before the run began until ${(gaugeInterval / 1000).toFixed(0)} s after this reading began (are the shippers' metrics enabled, and is gaugeInterval as long as they publish?)`,
    );
  }
  return gauges;
}

export default defineProbe<Params>({
  name: "log-delivery",
  description: "Every logged record reaches Kinesis or is on its way; the fallback engages and drains in time",
  params,
  permissions: ({ params: p, region, accountId }) => [...streamReaderPermissions({ region, accountId, stream: p.stream }), ...KINESIS_METRICS_PERMISSIONS],
  defaultTolerance: { unaccounted: 0, dropped: 0, lateFallbacks: 0, lateDrains: 0, memoryViolations: 0 },
  output: {
    fields: {
      produced: { unit: "count", description: "Records the shippers accepted, as of their newest published gauges" },
      delivered: { unit: "count", description: "Of the records produced, those seen in the stream" },
      duplicates: { unit: "count", description: "Records seen in the stream more than once" },
      pending: { unit: "count", description: "Records on their way: in memory, in flight or spooled" },
      spooled: { unit: "count", description: "Records in the disk spools of shippers still publishing" },
      dropped: { unit: "count", description: "Records dropped by an explicit, counted policy" },
      deadLettered: { unit: "count", description: "Records set aside as undeliverable" },
      unaccounted: { unit: "count", description: "Records neither delivered, pending, dropped nor dead-lettered: lost (what a shipper that stopped publishing held in memory, or spooled on a host where no shipper publishes any more)" },
      unidentified: { unit: "count", description: "Records in the stream without a shipper id" },
      breakersOpen: { unit: "count", description: "Hosts whose shippers' breaker is open" },
      fallbackAfterMs: { unit: "ms", nullable: true, description: "From a Kinesis fault's start to the shippers falling back" },
      drainedAfterMs: { unit: "ms", nullable: true, description: "From the last Kinesis fault's end to empty spools" },
      lateFallbacks: { unit: "count", description: "1 when the fallback came later than `fallbackWithin`" },
      lateDrains: { unit: "count", description: "1 when the spools drained later than `drainWithin`" },
      maxMemoryRecords: { unit: "count", description: "The most records the shippers held in memory at once" },
      memoryViolations: { unit: "count", description: "Readings above `maxMemoryRecords`" },
      readLagMs: { unit: "ms", description: "How far the reader was behind the tip" },
      verified: { unit: "bool", description: "The reading read the stream to its tip" },
    },
  },
  async run(ctx: ProbeContext<Params>) {
    // One consumer of the stream for the whole run, whichever step reads: it reads on from its
    // checkpoint, so a reading sees everything delivered so far without reading it all again.
    const kinesis = await ctx.aws.kinesis();
    const consumer = (ctx.runState[`consumer ${ctx.params.stream}`] ??= new ShipperStreamConsumer(kinesis, ctx.params.stream, ctx.clock)) as ShipperStreamConsumer;
    const st = (ctx.state.delivery ??= {
      gauges: new BootGaugeReader(await ctx.aws.cloudwatch(), ctx.params.shipperNamespace, ctx.params.stream, ctx.run.startedAt, 2 * ctx.params.gaugeInterval),
      fallbackSearchedTo: undefined,
      fallbackAt: undefined,
      drainedAt: undefined,
      lateFallback: false,
      lateDrain: false,
      maxMemory: 0,
      memoryViolations: 0,
      previousAt: undefined,
    }) as State;
    // The gauges first, then the stream: every record a shipper had delivered when it published
    // its line is in the stream by the time it is read, so a record is never counted missing for
    // being read too early. (One still pending at the line's moment and delivered since counts as
    // both delivered and pending: that can hide a loss of the same size, never invent one; once
    // the spools are drained nothing is pending and the count is exact.)
    const gauges = await readGauges(ctx, st);
    // A reading that decides (a steady-state check, the end of a window) reads on to the tip,
    // however long Kinesis's read limits make that; one that cannot is an error, never a pass.
    const read = await consumer.readOn(ctx.signal, { untilComplete: ctx.final });
    if (ctx.final && !read.complete) {
      throw new Error(`could not read ${ctx.params.stream} to its tip (reads throttled ${read.throttled} times): delivery cannot be verified`);
    }

    const now = ctx.clock.now();
    const live = gauges.filter((g) => publishing(g, now, ctx.params.gaugeInterval));
    const sum = (f: (g: BootGauges) => number, list = gauges) => list.reduce((n, g) => n + f(g), 0);
    const inMemory = sum((g) => g.inMemory + g.inFlight, live);
    const spooledNow = sum((g) => g.spoolRecords, live);
    // A boot that stopped publishing left its spool on its host: on its way while a shipper there
    // publishes (a successor replays it), else stranded or gone with the host. What it held in
    // memory went with it.
    const liveHosts = new Set(live.map((g) => g.host));
    const onItsWay = (g: BootGauges) => (live.includes(g) ? g.inMemory + g.inFlight + g.spoolRecords : liveHosts.has(g.host) ? g.spoolRecords : 0);
    const pending = sum(onItsWay);
    const dropped = sum((g) => g.dropped);
    const deadLettered = sum((g) => g.deadLettered);
    const observations: Observation[] = [];
    if (read.expiredCheckpoints.length > 0) {
      // What lay between the checkpoint and the trim horizon expired unread: it counts as not delivered.
      observations.push({ at: now, message: `${ctx.params.stream}: the consumer's checkpoint had passed the stream's retention on ${read.expiredCheckpoints.join(", ")}; read on from the oldest record still held` });
    }

    st.maxMemory = Math.max(st.maxMemory, inMemory);
    if (ctx.params.maxMemoryRecords !== undefined && inMemory > ctx.params.maxMemoryRecords) st.memoryViolations++;

    const faults = kinesisFaults(ctx);
    if (faults.length > 0 && st.fallbackAt === undefined) {
      const start = faults[0]!.start;
      // The first published line after the fault began with a breaker not closed or records spooled.
      // Again over the last interval searched too: a line CloudWatch took in late is not skipped.
      const from = Math.max(start, (st.fallbackSearchedTo ?? start) - ctx.params.gaugeInterval);
      const at = await firstFallback(await ctx.aws.cloudwatch(), ctx.params.shipperNamespace, ctx.params.stream, from, now + 1, now);
      st.fallbackSearchedTo = now + 1;
      if (at !== undefined) {
        st.fallbackAt = at;
        observations.push({ at: now, message: `shippers fell back ${((st.fallbackAt - start) / 1000).toFixed(1)} s after the Kinesis fault began (${spooledNow} records spooled)` });
      } else if (ctx.params.fallbackWithin !== undefined && now - start > ctx.params.fallbackWithin && !st.lateFallback) {
        st.lateFallback = true;
        observations.push({ at: now, message: `no fallback ${(ctx.params.fallbackWithin / 1000).toFixed(0)} s after the Kinesis fault began` });
      }
    }
    const lastEnd = faults.length > 0 ? Math.max(...faults.map((f) => f.end)) : undefined;
    if (lastEnd !== undefined && now >= lastEnd && st.drainedAt === undefined) {
      if (spooledNow === 0) {
        st.drainedAt = now;
        const since = Math.max(lastEnd, st.previousAt ?? lastEnd);
        observations.push({ at: now, message: `spools emptied between ${((since - lastEnd) / 1000).toFixed(0)} and ${((now - lastEnd) / 1000).toFixed(0)} s after Kinesis came back` });
      } else if (ctx.params.drainWithin !== undefined && now - lastEnd > ctx.params.drainWithin && !st.lateDrain) {
        st.lateDrain = true;
        observations.push({ at: now, message: `${spooledNow} records still spooled ${(ctx.params.drainWithin / 1000).toFixed(0)} s after Kinesis came back` });
      }
    }

    // Each boot's records 0 .. Accepted-1 as of its line, seen in the stream. When an intermediate
    // reading could not read to the tip (reads throttled), a record Kinesis acknowledged to its
    // shipper counts as delivered too (unread is not lost), and the reading says it is unverified;
    // the deciding reading counts only what it read.
    let delivered = 0;
    let unaccounted = 0;
    for (const g of gauges) {
      const seen = consumer.seen.countBelow(producerKey(g.host, g.boot), g.accepted);
      const counted = read.complete ? seen : Math.max(seen, g.delivered);
      delivered += counted;
      unaccounted += Math.max(0, g.accepted - counted - onItsWay(g) - g.dropped - g.deadLettered);
    }
    const breakers = await readShipperTotals(await ctx.aws.cloudwatch(), ctx.params.shipperNamespace, ctx.params.stream, now, now + 1, 2 * ctx.params.gaugeInterval);
    st.previousAt = now;
    return {
      value: {
        produced: sum((g) => g.accepted),
        delivered,
        duplicates: consumer.seen.duplicates,
        pending,
        spooled: spooledNow,
        dropped,
        deadLettered,
        unaccounted,
        unidentified: consumer.unidentified,
        breakersOpen: breakers.breakersOpen,
        fallbackAfterMs: st.fallbackAt !== undefined && faults.length > 0 ? st.fallbackAt - faults[0]!.start : null,
        drainedAfterMs: st.drainedAt !== undefined && lastEnd !== undefined ? st.drainedAt - lastEnd : null,
        lateFallbacks: st.lateFallback ? 1 : 0,
        lateDrains: st.lateDrain ? 1 : 0,
        maxMemoryRecords: st.maxMemory,
        memoryViolations: st.memoryViolations,
        readLagMs: read.millisBehindLatest,
        verified: read.complete,
      },
      observations,
    };
  },
});
