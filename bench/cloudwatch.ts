// The sandbox CloudWatch's cost over a long run, shaped like the 17-hour kinesis-outage: per
// second, a load generator's 7 counts and its latency distribution (high resolution); every 5 s,
// 6 log shippers' EMF lines of 7 gauges each (high resolution), and every 30 s their 7 per-boot
// gauges; per minute, 40 standard-resolution count series put as statistic sets, 4 ALB latency
// distributions of 150 values and a CPU gauge; 10 alarms evaluated each minute and a probe's p99
// over the last 30 minutes every 5 minutes. Reported as ratios to three baselines measured in the same run: the
// same puts appended to plain arrays (the least any store could do), the store before the Map per
// tier was replaced (kept as the differential test's oracle), and the store before the put fast
// paths (reference/packed-store). Also prints the buckets and heap held at the end, for the store
// as it is and with packing off.
// Run: node --expose-gc --import tsx bench/cloudwatch.ts   (HOURS=n, default 17)
// (`npx tsx --expose-gc` does not hand the flag to the process that runs the bench.)
import { MetricStore } from "../src/sandbox/services/cloudwatch/store.js";
import { parseStatistic } from "../src/sandbox/services/cloudwatch/statistic.js";
import type { MetricDatum, MetricSink } from "../src/sandbox/services/cloudwatch/sink.js";
import { evaluate, evaluationRange } from "../src/sandbox/services/cloudwatch/evaluate.js";
import { MapMetricStore } from "../test/sandbox/cloudwatch/reference/map-store.js";
import { PackedMetricStore } from "../test/sandbox/cloudwatch/reference/packed-store/store.js";

const hours = Number(process.env.HOURS ?? 17);
const T0 = Date.UTC(2024, 0, 1);
const seconds = hours * 3_600;

const LOAD = Object.freeze({ Service: "web" });
const COUNTS = ["RequestCount", "HTTPCode_2XX_Count", "HTTPCode_3XX_Count", "HTTPCode_4XX_Count", "HTTPCode_5XX_Count", "TimeoutCount", "ConnectionErrorCount"];
const GAUGES = ["Delivered", "Spooled", "Replayed", "Dropped", "SpoolBytes", "OldestSpooledAge", "BreakerState"];
const BOOT_GAUGES = ["Accepted", "DeliveredTotal", "InMemory", "InFlight", "SpoolRecords", "DroppedTotal", "DeadLettered"];

/** Every datum of the simulated run, in order, generated on the fly (deterministic). */
function* workload(): Generator<MetricDatum> {
  const hostDimensions: Readonly<Record<string, string>>[] = [];
  const bootDimensions: Readonly<Record<string, string>>[] = [];
  let seed = 7;
  const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let s = 0; s < seconds; s++) {
    const t = T0 + s * 1_000;
    for (const name of COUNTS) yield { namespace: "Gameday/LoadGenerator", name, dimensions: LOAD, timestamp: t, value: Math.floor(next() * 60), unit: "Count", storageResolution: 1 };
    const lv: number[] = [];
    const lc: number[] = [];
    for (let k = 0; k < 40; k++) {
      lv.push(Math.round((0.005 + next() * 0.3) * 1000) / 1000);
      lc.push(1 + Math.floor(next() * 3));
    }
    yield { namespace: "Gameday/LoadGenerator", name: "TargetResponseTime", dimensions: LOAD, timestamp: t, values: lv, counts: lc, unit: "Seconds", storageResolution: 1 };
    if (s % 5 === 0) {
      for (let h = 0; h < 6; h++) {
        // One EMF line's dimension sets, frozen as the EMF parser hands them over: one object per set of values.
        const line = (hostDimensions[h] ??= Object.freeze({ Stream: "app-logs", Host: `host-${h}` }));
        for (const name of GAUGES) yield { namespace: "Gameday/LogShipper", name, dimensions: line, timestamp: t, value: Math.floor(next() * 500), unit: "Count", storageResolution: 1 };
        if (s % 30 !== 0) continue;
        const bootId = `boot-${h}-${Math.floor(s / 7_200)}`;
        if (bootDimensions[h]?.Boot !== bootId) bootDimensions[h] = Object.freeze({ Stream: "app-logs", Host: `host-${h}`, Boot: bootId });
        const boot = bootDimensions[h]!;
        for (const name of BOOT_GAUGES) yield { namespace: "Gameday/LogShipper", name, dimensions: boot, timestamp: t, value: Math.floor(next() * 1e6), unit: "Count", storageResolution: 1 };
      }
    }
    if (s % 60 !== 59) continue;
    const minute = t - 59_000;
    for (let i = 0; i < 40; i++) {
      const n = 1 + Math.floor(next() * 1000);
      yield { namespace: "AWS/ApplicationELB", name: `Count${i % 10}`, dimensions: { LoadBalancer: `app/web/${i >> 2}` }, timestamp: minute, statistics: { sampleCount: n, sum: n, minimum: 1, maximum: 1 }, unit: "Count", storageResolution: 60 };
    }
    for (let z = 0; z < 4; z++) {
      const values: number[] = [];
      const counts: number[] = [];
      for (let k = 0; k < 150; k++) {
        values.push(Math.round((0.02 + next() * 0.5) * 1000) / 1000);
        counts.push(1 + Math.floor(next() * 25));
      }
      yield { namespace: "AWS/ApplicationELB", name: "TargetResponseTime", dimensions: { LoadBalancer: "app/web/0", AvailabilityZone: `az-${z}` }, timestamp: minute, values, counts, unit: "Seconds", storageResolution: 60 };
    }
    yield { namespace: "AWS/ECS", name: "CPUUtilization", dimensions: { ClusterName: "web", ServiceName: "web" }, timestamp: minute, value: next() * 100, unit: "Percent", storageResolution: 60 };
  }
}

type Store = MetricSink & Pick<MetricStore, "query" | "bucketCount">;

function runStore(make: (now: () => number) => Store): { ms: number; cpuMs: number; buckets: number; heapMb: number; answers: number } {
  const now = { t: T0 };
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const store = make(() => now.t);
  const avg = parseStatistic("Average")!;
  const p99 = parseStatistic("p99")!;
  // A checksum of the answers, so that the stores compared are seen to answer the same.
  let answers = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const d of workload()) {
    now.t = d.timestamp;
    store.put(d);
    if (d.name !== "CPUUtilization") continue;
    const minute = d.timestamp + 60_000;
    for (let a = 0; a < 10; a++) {
      const range = evaluationRange(3);
      const points = store.query({ namespace: "Gameday/LoadGenerator", name: COUNTS[a % COUNTS.length]!, dimensions: { Service: "web" }, period: 60, start: minute - range * 60_000, end: minute, statistic: avg });
      for (const p of points) answers += p.value;
      evaluate({ range: points, evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: "missing", breaches: (v) => v > 90, current: "OK" });
    }
    if ((minute / 60_000) % 5 === 0) {
      for (const p of store.query({ namespace: "Gameday/LoadGenerator", name: "TargetResponseTime", dimensions: { Service: "web" }, period: 60, start: minute - 1_800_000, end: minute, statistic: p99 })) answers += p.value;
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  globalThis.gc?.();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, buckets: store.bucketCount, heapMb: (process.memoryUsage().heapUsed - heap0) / 2 ** 20, answers };
}

/** The puts alone (no queries, no alarms): the part the put fast paths change. */
function runPuts(make: (now: () => number) => Store): number {
  const now = { t: T0 };
  const store = make(() => now.t);
  const cpu0 = process.cpuUsage();
  for (const d of workload()) {
    now.t = d.timestamp;
    store.put(d);
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000;
}

function runBaseline(): { ms: number; cpuMs: number } {
  const series = new Map<string, MetricDatum[]>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const d of workload()) {
    const key = `${d.namespace}|${d.name}|${JSON.stringify(d.dimensions)}`;
    let list = series.get(key);
    if (!list) series.set(key, (list = []));
    list.push(d);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  series.clear();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const baseline = runBaseline();
const before = runStore((now) => new MapMetricStore(now));
// The store before the put fast paths and the store now, alternated RUNS times (default 3): median ratio of CPU.
const runs = Number(process.env.RUNS ?? 3);
const packedRuns: ReturnType<typeof runStore>[] = [];
const storeRuns: ReturnType<typeof runStore>[] = [];
for (let i = 0; i < runs; i++) {
  packedRuns.push(runStore((now) => new PackedMetricStore(now)));
  storeRuns.push(runStore((now) => new MetricStore(now)));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const store = storeRuns.sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(runs / 2)]!;
const packed = packedRuns.sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(runs / 2)]!;
const unpacked = runStore((now) => new MetricStore(now, Number.POSITIVE_INFINITY));
for (const other of [before, packed]) {
  if (other.answers !== store.answers || other.buckets !== store.buckets) console.log(`DIFFERENT ANSWERS: previous ${other.answers} / ${other.buckets} buckets, now ${store.answers} / ${store.buckets}`);
}
const r = (a: number, b: number) => (a / b).toFixed(2);
const fastRatios = storeRuns.map((s) => s.cpuMs).sort((a, b) => a - b).map((cpu, i) => cpu / packedRuns.map((p) => p.cpuMs).sort((a, b) => a - b)[i]!);
console.log(`put fast paths: store ${store.cpuMs.toFixed(0)} CPU ms against ${packed.cpuMs.toFixed(0)} before them (median of ${runs}); store / before ${r(store.cpuMs, packed.cpuMs)}x (${Math.min(...fastRatios).toFixed(2)}-${Math.max(...fastRatios).toFixed(2)}); heap held ${store.heapMb.toFixed(1)} MiB against ${packed.heapMb.toFixed(1)} MiB`);
const putsBefore: number[] = [];
const putsNow: number[] = [];
for (let i = 0; i < runs; i++) {
  putsBefore.push(runPuts((now) => new PackedMetricStore(now)));
  putsNow.push(runPuts((now) => new MetricStore(now)));
}
const putRatios = putsNow.map((t, i) => t / putsBefore[i]!);
console.log(`puts alone: store ${median(putsNow).toFixed(0)} CPU ms against ${median(putsBefore).toFixed(0)} before the fast paths; ratio ${median(putRatios).toFixed(2)}x (${Math.min(...putRatios).toFixed(2)}-${Math.max(...putRatios).toFixed(2)})`);
console.log(`${hours} simulated hours, CPU ms (wall ms): baseline (append only) ${baseline.cpuMs.toFixed(0)} (${baseline.ms.toFixed(0)}); previous store (Map per tier) ${before.cpuMs.toFixed(0)} (${before.ms.toFixed(0)}); store ${store.cpuMs.toFixed(0)} (${store.ms.toFixed(0)})`);
console.log(`ratios, CPU: store / baseline ${r(store.cpuMs, baseline.cpuMs)}x, previous / baseline ${r(before.cpuMs, baseline.cpuMs)}x, store / previous ${r(store.cpuMs, before.cpuMs)}x`);
console.log(`held at the end: ${store.buckets} buckets, heap ${store.heapMb.toFixed(0)} MiB (previous store ${before.heapMb.toFixed(0)} MiB: ${r(store.heapMb, before.heapMb)}x)${globalThis.gc ? "" : " (run with node --expose-gc for a settled figure)"}`);
console.log(`never packed: ${unpacked.cpuMs.toFixed(0)} CPU ms, heap ${unpacked.heapMb.toFixed(0)} MiB; packed / never packed: CPU ${r(store.cpuMs, unpacked.cpuMs)}x, heap ${r(store.heapMb, unpacked.heapMb)}x`);
