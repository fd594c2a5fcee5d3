// The sandbox CloudWatch's percentiles of one merged period, as a probe's latency read asks for
// them (p50, p95, p99 of one sort): sortValues (the values in a Float64Array sorted natively, the
// counts looked up after) against the comparator sort of [value, count] pairs it replaced, kept as
// the test oracle in test/sandbox/cloudwatch/reference/statistic.ts. The aggregates are latency
// windows as the load generator's histogram puts them (its bucket representatives, in seconds):
// 10 and 30 one-second buckets of 100 requests. CPU per period for each, their ratio, and a check
// that both give the same values.
// Run: npx tsx bench/percentiles.ts                      (ROUNDS=n, default 5; PERIODS=n, default 2000)
//      node --no-opt --import tsx bench/percentiles.ts   (as a short `chaos run` runs it: no TurboFan)
import { addValue, emptyAggregate, type Aggregate } from "../src/sandbox/services/cloudwatch/aggregate.js";
import { computeStatistic, parseStatistic, sortValues, type SortedValues } from "../src/sandbox/services/cloudwatch/statistic.js";
import { LatencyHistogram } from "../src/load/histogram.js";
import { computeStatistic as previousStatistic, parseStatistic as previousParse } from "../test/sandbox/cloudwatch/reference/statistic.js";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PERIODS = Number(process.env.PERIODS ?? 2_000);
const NAMES = ["p50", "p95", "p99"];

/** A window of `seconds` one-second buckets of 100 latencies (5 ms to about 1 s, skewed low), merged as the store merges them. */
function window(seconds: number, seed: number): Aggregate {
  let s = seed;
  const next = () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const a = emptyAggregate();
  for (let sec = 0; sec < seconds; sec++) {
    const h = new LatencyHistogram();
    for (let i = 0; i < 100; i++) h.record(5 + 1_000 * next() * next() * next());
    const { values, counts } = h.valuesAndCounts(1000);
    values.forEach((v, i) => addValue(a, v, counts[i]));
  }
  return a;
}

const windows = Array.from({ length: 64 }, (_, i) => window(i % 2 === 0 ? 10 : 30, 7 + i));
const current = NAMES.map((n) => parseStatistic(n)!);
const previous = NAMES.map((n) => previousParse(n)!);

// One sort per period shared by its three percentiles, as the store's snapshot shares it.
function timeCurrent(): number {
  let sink = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < PERIODS; i++) {
    const a = windows[i % windows.length]!;
    let sorted: SortedValues | undefined;
    for (const s of current) sink += computeStatistic(a, s, (x) => (sorted ??= sortValues(x)))!;
  }
  const d = process.cpuUsage(c0);
  if (sink === -1) console.log(sink);
  return (d.user + d.system) / PERIODS;
}

function timePrevious(): number {
  let sink = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < PERIODS; i++) {
    const a = windows[i % windows.length]!;
    let sorted: [number, number][] | undefined;
    for (const s of previous) sink += previousStatistic(a, s, (x) => (sorted ??= [...(x.values ?? [])].sort((p, q) => p[0] - q[0])))!;
  }
  const d = process.cpuUsage(c0);
  if (sink === -1) console.log(sink);
  return (d.user + d.system) / PERIODS;
}

for (const a of windows) {
  for (let k = 0; k < NAMES.length; k++) {
    if (!Object.is(computeStatistic(a, current[k]!), previousStatistic(a, previous[k]!))) throw new Error(`${NAMES[k]} differs from the previous statistics`);
  }
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const now: number[] = [];
const before: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // In turn, so that drifts of a loaded machine fall on both.
  before.push(timePrevious());
  now.push(timeCurrent());
}
const distinct = windows.reduce((n, a) => n + a.values!.size, 0) / windows.length;
console.log(`p50, p95 and p99 of one merged period (about ${distinct.toFixed(0)} distinct values, 10 and 30 s of 100 requests a second); the same values both ways`);
console.log(`comparator sort of pairs (before): ${median(before).toFixed(1)} µs CPU per period`);
console.log(`sortValues (now): ${median(now).toFixed(1)} µs CPU per period, ${(median(now) / median(before)).toFixed(2)}x before (median of ${ROUNDS} rounds of ${PERIODS})`);
