// The sandbox CloudWatch's cost over a long run: 17 simulated hours of what a busy stack publishes
// (per minute: 40 standard-resolution series of sums and a latency distribution of 2,000 values
// to the millisecond; per second: 10 high-resolution series), with 10 alarms evaluated each
// minute and a dashboard's GetMetricData-sized query every 5 minutes. Reported as a ratio to a
// baseline measured in the same run: the same puts appended to plain arrays (no buckets, no
// statistics), the least any store could do. Also prints the buckets and heap held at the end, for
// the store as it is (buckets packed once their period has ended) and as it was (never packed).
// Run: node --expose-gc --import tsx bench/cloudwatch.ts   (HOURS=n, default 17)
// (`npx tsx --expose-gc` does not hand the flag to the process that runs the bench.)
import { MetricStore } from "../src/sandbox/services/cloudwatch/store.js";
import { parseStatistic } from "../src/sandbox/services/cloudwatch/statistic.js";
import type { MetricDatum } from "../src/sandbox/services/cloudwatch/sink.js";
import { evaluate, evaluationRange } from "../src/sandbox/services/cloudwatch/evaluate.js";

const hours = Number(process.env.HOURS ?? 17);
const T0 = Date.UTC(2024, 0, 1);
const seconds = hours * 3_600;

/** Every datum of the simulated run, in order, generated on the fly (deterministic). */
function* workload(): Generator<MetricDatum> {
  let seed = 7;
  const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let s = 0; s < seconds; s++) {
    const t = T0 + s * 1_000;
    for (let i = 0; i < 10; i++) yield { namespace: "App", name: `HighRes${i}`, dimensions: { Service: "web" }, timestamp: t, value: next() * 100, storageResolution: 1 };
    if (s % 60 !== 59) continue;
    for (let i = 0; i < 40; i++) yield { namespace: "AWS/ApplicationELB", name: `Count${i % 10}`, dimensions: { LoadBalancer: `app/web/${i >> 2}` }, timestamp: t, value: Math.floor(next() * 1000), unit: "Count" };
    const values: number[] = [];
    const counts: number[] = [];
    for (let k = 0; k < 150; k++) {
      values.push(Math.round((0.02 + next() * 0.5) * 1000) / 1000);
      counts.push(1 + Math.floor(next() * 25));
    }
    yield { namespace: "AWS/ApplicationELB", name: "TargetResponseTime", dimensions: { LoadBalancer: "app/web/0" }, timestamp: t, values, counts, unit: "Seconds" };
  }
}

function runStore(packAfterMs?: number): { ms: number; buckets: number; heapMb: number } {
  const now = { t: T0 };
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const store = packAfterMs === undefined ? new MetricStore(() => now.t) : new MetricStore(() => now.t, packAfterMs);
  const avg = parseStatistic("Average")!;
  const p99 = parseStatistic("p99")!;
  const t0 = performance.now();
  for (const d of workload()) {
    now.t = d.timestamp;
    store.put(d);
    if (d.name !== "TargetResponseTime") continue;
    const minute = Math.floor(d.timestamp / 60_000) * 60_000 + 60_000;
    for (let a = 0; a < 10; a++) {
      const range = evaluationRange(3);
      const points = store.query({ namespace: "App", name: `HighRes${a}`, dimensions: { Service: "web" }, period: 60, start: minute - range * 60_000, end: minute, statistic: avg });
      evaluate({ range: points, evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: "missing", breaches: (v) => v > 90, current: "OK" });
    }
    if ((minute / 60_000) % 5 === 0) store.query({ namespace: "AWS/ApplicationELB", name: "TargetResponseTime", dimensions: { LoadBalancer: "app/web/0" }, period: 60, start: minute - 3 * 3_600_000, end: minute, statistic: p99 });
  }
  const ms = performance.now() - t0;
  globalThis.gc?.();
  return { ms, buckets: store.bucketCount, heapMb: (process.memoryUsage().heapUsed - heap0) / 2 ** 20 };
}

function runBaseline(): number {
  const series = new Map<string, MetricDatum[]>();
  const t0 = performance.now();
  for (const d of workload()) {
    const key = `${d.namespace}|${d.name}|${JSON.stringify(d.dimensions)}`;
    let list = series.get(key);
    if (!list) series.set(key, (list = []));
    list.push(d);
  }
  const ms = performance.now() - t0;
  series.clear();
  return ms;
}

const baseline = runBaseline();
const unpacked = runStore(Number.POSITIVE_INFINITY);
const store = runStore();
console.log(`${hours} simulated hours: baseline (append only) ${baseline.toFixed(0)} ms, store with alarms and queries ${store.ms.toFixed(0)} ms: ratio ${(store.ms / baseline).toFixed(2)}x`);
console.log(`held at the end: ${store.buckets} buckets, heap ${store.heapMb.toFixed(0)} MiB${globalThis.gc ? "" : " (run with node --expose-gc for a settled figure)"}`);
console.log(
  `never packed (before): ${unpacked.ms.toFixed(0)} ms, heap ${unpacked.heapMb.toFixed(0)} MiB; packed / never packed: time ${(store.ms / unpacked.ms).toFixed(2)}x, heap ${(store.heapMb / unpacked.heapMb).toFixed(2)}x`,
);
