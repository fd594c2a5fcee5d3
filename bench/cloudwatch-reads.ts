// The sandbox CloudWatch's cost per probe reading: the GetMetricData a load window makes
// (src/aws/load-window.ts: 7 Sum queries of the load generator's counts and p50, p95, p99 and
// Maximum of its latencies, one 30-second period of 1-second buckets), over 6 simulated minutes
// of 100 requests a second. CPU time per read, as a ratio to a baseline measured in the same run:
// the same statistics computed straight from the window's raw values (one sort), the least any
// store could do. COMPARE=<another checkout> also runs that checkout's store, read for read in turn.
// Run: npx tsx bench/cloudwatch-reads.ts   (READS=n, default 2000)
//      node --no-opt --import tsx bench/cloudwatch-reads.ts: as a short `chaos run` runs it, with the
//      optimizing compiler held off (src/cli/tiering.ts)
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { MetricDatum } from "../src/sandbox/services/cloudwatch/sink.js";

type Modules = {
  store: typeof import("../src/sandbox/services/cloudwatch/store.js");
  queries: typeof import("../src/sandbox/services/cloudwatch/queries.js");
  statistic: typeof import("../src/sandbox/services/cloudwatch/statistic.js");
};

const READS = Number(process.env.READS ?? 2_000);
const T0 = Date.UTC(2024, 0, 1);
const SECONDS = 360;
const WINDOW_S = 30;
const COUNTS = ["RequestCount", "HTTPCode_2XX_Count", "HTTPCode_3XX_Count", "HTTPCode_4XX_Count", "HTTPCode_5XX_Count", "TimeoutCount", "ConnectionErrorCount"];
const LATENCIES = ["p50", "p95", "p99", "Maximum"];
const dims = { Service: "web" };

/** What the load generator publishes each second: counts, and its latencies to the 0.1 ms (deterministic). */
function* workload(): Generator<MetricDatum & { raw?: number[] }> {
  let seed = 7;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let s = 0; s < SECONDS; s++) {
    const timestamp = T0 + s * 1_000;
    const latencies = Array.from({ length: 100 }, () => Math.round((0.01 + next() * next() * 0.7) * 10_000) / 10_000);
    for (const name of COUNTS) yield { namespace: "Gameday/LoadGenerator", name, dimensions: dims, timestamp, value: name === "RequestCount" || name === "HTTPCode_2XX_Count" ? 100 : 0, unit: "Count", storageResolution: 1 };
    yield { namespace: "Gameday/LoadGenerator", name: "TargetResponseTime", dimensions: dims, timestamp, values: latencies, unit: "Seconds", storageResolution: 1, raw: latencies };
  }
}

async function load(root: string): Promise<Modules> {
  const at = (p: string) => pathToFileURL(resolve(root, "src/sandbox/services/cloudwatch", p)).href;
  return { store: await import(at("store.ts")), queries: await import(at("queries.ts")), statistic: await import(at("statistic.ts")) };
}

/** A store holding the workload, and one read of the last window ending at each second, in turn. */
function reader(m: Modules): (i: number) => number {
  const store = new m.store.MetricStore(() => T0 + SECONDS * 1_000);
  for (const d of workload()) store.put(d);
  const wire = [
    ...COUNTS.map((name, i) => ({ Id: `c${i}`, MetricStat: { Metric: { Namespace: "Gameday/LoadGenerator", MetricName: name, Dimensions: [{ Name: "Service", Value: "web" }] }, Period: WINDOW_S, Stat: "Sum" } })),
    ...LATENCIES.map((stat, i) => ({ Id: `l${i}`, MetricStat: { Metric: { Namespace: "Gameday/LoadGenerator", MetricName: "TargetResponseTime", Dimensions: [{ Name: "Service", Value: "web" }] }, Period: WINDOW_S, Stat: stat } })),
  ];
  const queries = m.queries.readQueries(wire, "MetricDataQueries");
  return (i) => {
    const start = T0 + (i % (SECONDS / WINDOW_S)) * WINDOW_S * 1_000;
    const out = m.queries.answerQueries(queries, store, start, start + WINDOW_S * 1_000, "MetricDataQueries");
    return out.get("l1")![0]!.value;
  };
}

/** Keeps the baseline's other statistics alive, so that the engine computes them. */
let sink: unknown;

/** The baseline: the window's raw latencies sorted once, the counts summed. */
function baselineReader(): (i: number) => number {
  const perSecond: { counts: number[]; raw: number[] }[] = [];
  let current: { counts: number[]; raw: number[] } | undefined;
  for (const d of workload()) {
    if (d.raw === undefined) {
      if (d.name === COUNTS[0]) perSecond.push((current = { counts: [], raw: [] }));
      current!.counts.push(d.value!);
    } else current!.raw = d.raw;
  }
  return (i) => {
    const first = (i % (SECONDS / WINDOW_S)) * WINDOW_S;
    const window = perSecond.slice(first, first + WINDOW_S);
    const sums = COUNTS.map((_, c) => window.reduce((n, s) => n + s.counts[c]!, 0));
    const sorted = window.flatMap((s) => s.raw).sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
    sink = [sums, at(50), at(99), sorted[sorted.length - 1]!];
    return at(95);
  };
}

function cpuPerRead(read: (i: number) => number): number {
  for (let i = 0; i < 50; i++) read(i);
  const t0 = process.cpuUsage();
  for (let i = 0; i < READS; i++) read(i);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000 / READS;
}

const thisBuild = reader(await load(resolve(import.meta.dirname, "..")));
const compare = process.env.COMPARE ? reader(await load(resolve(process.env.COMPARE))) : undefined;
const baseline = baselineReader();
if (compare && compare(3) !== thisBuild(3)) throw new Error(`the builds disagree: p95 ${compare(3)} against ${thisBuild(3)}`);
// Interleaved rounds, so that a neighbour's load falls on both alike.
const rows: { base: number[]; now: number[]; before: number[] } = { base: [], now: [], before: [] };
for (let round = 0; round < 3; round++) {
  rows.base.push(cpuPerRead(baseline));
  rows.now.push(cpuPerRead(thisBuild));
  if (compare) rows.before.push(cpuPerRead(compare));
}
if (sink === undefined) throw new Error("the baseline computed nothing");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const b = median(rows.base);
const now = median(rows.now);
console.log(`one load-window read (11 queries, ${WINDOW_S} 1-second buckets of 100 latencies): baseline (raw values, one sort) ${(b * 1000).toFixed(0)} µs CPU`);
console.log(`this build: ${(now * 1000).toFixed(0)} µs CPU, ${(now / b).toFixed(2)}x the baseline`);
if (compare) {
  const before = median(rows.before);
  console.log(`${process.env.COMPARE}: ${(before * 1000).toFixed(0)} µs CPU, ${(before / b).toFixed(2)}x the baseline; this build / that one: ${(now / before).toFixed(2)}x`);
}
