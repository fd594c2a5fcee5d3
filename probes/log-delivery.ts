/**
 * log-delivery: nothing the applications logged is lost. Every record produced must be in the
 * stream, still on its way (memory, in flight, the spool), or counted as dropped by an explicit
 * policy; whatever is none of these is unaccounted for. The probe reads the stream as a consumer
 * (gameday's shipper gives every record a {host, boot, seq} id, so duplicates are counted, not
 * mistaken for deliveries) and the producers' counts through the log pipeline port. Around
 * Kinesis faults it also checks that the fallback engaged in time and that the spool drained in
 * time after Kinesis came back, and it tracks how much the shippers held in memory.
 */
import { z } from "zod";
import { defineProbe, type ProbeContext } from "../src/engine/probe.js";
import { duration } from "../src/engine/params.js";
import { StreamReader, streamReaderPermissions } from "../src/aws/kinesis-reader.js";
import { readRecordId } from "../src/pipeline/envelope.js";
import { parseDuration } from "../src/experiment/duration.js";
import type { InjectedFault, Observation } from "../src/engine/ports.js";

const params = z
  .object({
    stream: z.string().min(1).describe("The Kinesis stream the shippers write to, read as a consumer"),
    fallbackWithin: duration().optional().describe("The shippers must fall back (breaker open, spooling) within this long of a Kinesis fault's start"),
    drainWithin: duration().optional().describe("The spools must be empty within this long of the last Kinesis fault's end"),
    maxMemoryRecords: z.number().int().positive().optional().describe("Records the shippers may hold in memory at once"),
  })
  .strict();

type Params = z.infer<typeof params>;

/** Which records of each producer (host and boot) were seen: a growable bit set per producer. */
class Seen {
  private readonly bits = new Map<string, Uint8Array>();
  distinct = 0;
  duplicates = 0;

  add(producer: string, seq: number): void {
    let set = this.bits.get(producer);
    const byte = seq >> 3;
    if (!set || set.length <= byte) {
      const grown = new Uint8Array(Math.max(byte + 1, (set?.length ?? 0) * 2, 64));
      if (set) grown.set(set);
      set = grown;
      this.bits.set(producer, set);
    }
    const mask = 1 << (seq & 7);
    if (set[byte]! & mask) this.duplicates++;
    else {
      set[byte]! |= mask;
      this.distinct++;
    }
  }

  /** How many of the producer's records 0 .. n-1 were seen. */
  countBelow(producer: string, n: number): number {
    const set = this.bits.get(producer);
    if (!set) return 0;
    let count = 0;
    const full = Math.min(n >> 3, set.length);
    for (let i = 0; i < full; i++) count += POPCOUNT[set[i]!]!;
    if (full < set.length && (n & 7) !== 0) count += POPCOUNT[set[full]! & ((1 << (n & 7)) - 1)]!;
    return count;
  }
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let c = 0;
  for (let v = b; v; v >>= 1) c += v & 1;
  return c;
});

interface State {
  reader: StreamReader;
  seen: Seen;
  unidentified: number;
  spooledBaseline: number | undefined;
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

export default defineProbe<Params>({
  name: "log-delivery",
  description: "Every logged record reaches Kinesis or is on its way; the fallback engages and drains in time",
  params,
  permissions: ({ params: p, region, accountId }) => streamReaderPermissions({ region, accountId, stream: p.stream }),
  defaultTolerance: { unaccounted: 0, dropped: 0, lateFallbacks: 0, lateDrains: 0, memoryViolations: 0 },
  output: {
    fields: {
      produced: { unit: "count", description: "Records the applications logged" },
      delivered: { unit: "count", description: "Of the records produced when the reading began, those seen in the stream" },
      duplicates: { unit: "count", description: "Records seen in the stream more than once" },
      pending: { unit: "count", description: "Records on their way: in memory, in flight or spooled" },
      spooled: { unit: "count", description: "Records in the disk spools" },
      dropped: { unit: "count", description: "Records dropped by an explicit, counted policy" },
      deadLettered: { unit: "count", description: "Records set aside as undeliverable" },
      unaccounted: { unit: "count", description: "Records neither delivered, pending, dropped nor dead-lettered: lost" },
      lostWithHosts: { unit: "count", description: "Records lost with hosts that died" },
      unidentified: { unit: "count", description: "Records in the stream without a shipper id" },
      breakersOpen: { unit: "count", description: "Live shippers whose breaker is not closed" },
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
    const st = (ctx.state.delivery ??= {
      reader: new StreamReader(await ctx.aws.kinesis(), ctx.params.stream, ctx.clock),
      seen: new Seen(),
      unidentified: 0,
      spooledBaseline: undefined,
      fallbackAt: undefined,
      drainedAt: undefined,
      lateFallback: false,
      lateDrain: false,
      maxMemory: 0,
      memoryViolations: 0,
      previousAt: undefined,
    }) as State;
    // Producers first, then the stream: a record produced while the stream is being read is then
    // never counted as missing. (One delivered while it is read may count as both delivered and
    // pending: that can hide a loss of the same size for a reading, never invent one.)
    const producers = ctx.logs.producers();
    const orphaned = ctx.logs.orphanedSpoolRecords();
    // A reading that decides (a steady-state check, the end of a window) reads the whole stream,
    // however long Kinesis's read limits make that; one that cannot is an error, never a pass.
    const read = await st.reader.readNew(
      (data) => {
        const id = readRecordId(data);
        if (id) st.seen.add(`${id.h}|${id.b}`, id.s);
        else st.unidentified++;
      },
      ctx.signal,
      { untilComplete: ctx.final },
    );
    if (ctx.final && !read.complete) {
      throw new Error(`could not read ${ctx.params.stream} to its tip (reads throttled ${read.throttled} times): delivery cannot be verified`);
    }

    if (producers.length === 0) throw new Error("no log producers report to this run (is logging configured on the target?)");
    const alive = producers.filter((p) => p.alive);
    const sum = (f: (c: (typeof producers)[number]["counters"]) => number, list = producers) => list.reduce((n, p) => n + f(p.counters), 0);
    const produced = producers.reduce((n, p) => n + p.produced, 0);
    const spooledNow = sum((c) => c.spoolRecords, alive) + orphaned;
    const inMemory = sum((c) => c.inMemory + c.inFlight, alive);
    const pending = inMemory + spooledNow;
    const dropped = sum((c) => c.dropped);
    const deadLettered = sum((c) => c.deadLettered);
    const delivered = st.seen.distinct;
    const now = ctx.clock.now();
    const observations: Observation[] = [];

    st.maxMemory = Math.max(st.maxMemory, inMemory);
    if (ctx.params.maxMemoryRecords !== undefined && inMemory > ctx.params.maxMemoryRecords) st.memoryViolations++;

    const faults = kinesisFaults(ctx);
    const spooledTotal = sum((c) => c.spooled);
    st.spooledBaseline ??= faults.length === 0 ? spooledTotal : 0;
    if (faults.length > 0 && st.fallbackAt === undefined) {
      const start = faults[0]!.start;
      // When a shipper says its breaker opened, that is when it fell back; otherwise this reading
      // is the first to see it (spooling without an open breaker: give-ups to the spool).
      const opened = producers.map((p) => p.counters.breakerOpenedAt).filter((t): t is number => t !== undefined && t >= start);
      const engaged = opened.length > 0 || alive.some((p) => p.counters.breaker !== "closed") || spooledTotal > st.spooledBaseline;
      if (engaged) {
        st.fallbackAt = opened.length > 0 ? Math.min(...opened) : now;
        observations.push({ at: now, message: `shippers fell back ${((st.fallbackAt - start) / 1000).toFixed(1)} s after the Kinesis fault began (${spooledNow} records spooled)` });
      } else if (ctx.params.fallbackWithin !== undefined && now - faults[0]!.start > ctx.params.fallbackWithin && !st.lateFallback) {
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

    // Records each producer had taken when it was asked, seen in the stream (ids below its count).
    // When an intermediate reading could not read to the tip (reads throttled), a record Kinesis
    // acknowledged to its shipper counts as delivered too (unread is not lost), and the reading
    // says it is unverified; the deciding reading counts only what it read.
    const deliveredOfSnapshot = producers.reduce((n, p) => {
      const seen = p.source ? st.seen.countBelow(`${p.source.host}|${p.source.boot}`, p.counters.accepted) : 0;
      return n + (read.complete ? seen : Math.max(seen, p.counters.delivered));
    }, 0);
    const accepted = sum((c) => c.accepted);
    const attributable = producers.every((p) => p.source !== undefined);
    const unaccounted = attributable
      ? Math.max(0, accepted - deliveredOfSnapshot - pending - dropped - deadLettered) + Math.max(0, produced - accepted)
      : Math.max(0, produced - delivered - pending - dropped - deadLettered);
    st.previousAt = now;
    return {
      value: {
        produced,
        // Of the records produced when this reading began (the stream may already hold later ones).
        delivered: attributable ? deliveredOfSnapshot : delivered,
        duplicates: st.seen.duplicates,
        pending,
        spooled: spooledNow,
        dropped,
        deadLettered,
        unaccounted,
        lostWithHosts: ctx.logs.lostWithHosts(),
        unidentified: st.unidentified,
        breakersOpen: alive.filter((p) => p.counters.breaker !== "closed").length,
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
