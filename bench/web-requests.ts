// The parts of a simulated web request, each timed against the implementation it replaced (kept
// under test/ as the oracle of its differential test), run for run in turn in this process: CPU
// time, the ratio, and whether both gave the same answers. Per request the sandbox draws an
// arrival, a service time and runs the app's threads, and the load metrics' histogram records
// the latency (about 6 million requests in the 17-hour outage, 45,000 in spot-interrupt).
//   - service time: the default stack's lognormal (p50 25 ms, p99 250 ms) and a two-kind mix.
//   - load generator: three hours of the default stack's load (a ramp to 100/s, then 100/s held).
//   - web app: a 20-thread task at the default stack's load per task (about 17 requests/s).
//   - latency histogram: 100 latencies a second, each second read back as values and counts.
// bench/workload.ts times the whole web simulation against a git revision.
// Run: npx tsx bench/web-requests.ts   (RUNS=n, default 5)
// spot-interrupt runs with the optimizing compiler off (src/cli/tiering.ts); to see that regime:
//      node --no-opt --import tsx bench/web-requests.ts
import { createHash } from "node:crypto";
import { LatencyHistogram } from "../src/load/histogram.js";
import { SeededRandom } from "../src/random/random.js";
import type { LoadStage } from "../src/sandbox/stack/workload.js";
import type { AppSpec } from "../src/sandbox/stack/ecs.js";
import { Timers } from "../src/sandbox/timers.js";
import { LoadGenerator } from "../src/sandbox/workload/load-generator.js";
import { serviceTime } from "../src/sandbox/workload/service-time.js";
import { WebApp } from "../src/sandbox/workload/web-app.js";
import { VirtualClock } from "../src/time/clock.js";
import { ReferenceLatencyHistogram } from "../test/load/reference/histogram.js";
import { ReferenceLoadGenerator } from "../test/sandbox/workload/reference/load-generator.js";
import { referenceServiceTimeSampler } from "../test/sandbox/workload/reference/service-time.js";
import { ReferenceWebApp } from "../test/sandbox/workload/reference/web-app.js";

const runs = Number(process.env.RUNS ?? 5);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const digest = (parts: Iterable<unknown>) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(JSON.stringify(p) ?? "u");
  return h.digest("hex").slice(0, 16);
};

/** Times `now` and `before` in turn, `runs` times each; each returns what it computed, compared untimed. */
async function compare(label: string, unit: string, n: number, now: () => Promise<unknown[]> | unknown[], before: () => Promise<unknown[]> | unknown[]): Promise<void> {
  const a: number[] = [];
  const b: number[] = [];
  let same = true;
  for (let r = 0; r < runs; r++) {
    let t = cpuMs();
    const ra = await now();
    a.push(cpuMs() - t);
    t = cpuMs();
    const rb = await before();
    b.push(cpuMs() - t);
    same &&= digest(ra) === digest(rb);
  }
  const ma = median(a);
  const mb = median(b);
  console.log(label);
  console.log(`  now      ${ma.toFixed(0).padStart(6)} ms CPU (median of ${runs}), ${((ma * 1e6) / n).toFixed(0).padStart(5)} ns ${unit}`);
  console.log(`  before   ${mb.toFixed(0).padStart(6)} ms CPU (median of ${runs}), ${((mb * 1e6) / n).toFixed(0).padStart(5)} ns ${unit}`);
  console.log(`  now / before: ${(ma / mb).toFixed(2)}; the same results: ${same ? "yes" : "NO"}`);
  if (!same) process.exitCode = 1;
}

const DRAWS = 2_000_000;
const lognormal = { distribution: "lognormal" as const, p50: 25, p99: 250 };
const mix = { mix: [{ weight: 9, p50: 40, p99: 400 }, { weight: 1, p50: 2000, p99: 90_000 }] };
for (const [name, spec] of [["lognormal", lognormal], ["mix", mix]] as const) {
  await compare(
    `service time, ${DRAWS.toLocaleString("en")} draws, ${name}`,
    "a draw",
    DRAWS,
    () => {
      const s = serviceTime(spec, new SeededRandom(5));
      const out = new Float64Array(DRAWS);
      for (let i = 0; i < DRAWS; i++) out[i] = s.draw();
      return [Array.from(out.subarray(0, 1000)), out.reduce((x, y) => x + y, 0)];
    },
    () => {
      const s = referenceServiceTimeSampler(spec, new SeededRandom(5));
      const out = new Float64Array(DRAWS);
      for (let i = 0; i < DRAWS; i++) out[i] = s();
      return [Array.from(out.subarray(0, 1000)), out.reduce((x, y) => x + y, 0)];
    },
  );
}

const stages: LoadStage[] = [{ rampUsersPerSec: { from: 10, to: 100, during: 30_000 } }, { constantUsersPerSec: { rate: 100 } }];
// Each implementation through its own copy of the harness: one shared by both would make every call
// in it polymorphic and time that rather than the parts.
await compare(
  "load generator, three hours of the default stack's load (about 1,080,000 arrivals)",
  "an arrival",
  1_079_000,
  async () => {
    const clock = new VirtualClock();
    let n = 0;
    let sum = 0;
    const g = new LoadGenerator(stages, clock.now(), new Timers(clock), new SeededRandom(8), (t) => {
      n++;
      sum += t - 1_700_000_000_000;
    });
    g.start();
    await clock.sleep(10_800_000);
    g.stop();
    clock.stop();
    return [n, sum];
  },
  async () => {
    const clock = new VirtualClock();
    let n = 0;
    let sum = 0;
    const g = new ReferenceLoadGenerator(stages, clock.now(), new Timers(clock), new SeededRandom(8), (t) => {
      n++;
      sum += t - 1_700_000_000_000;
    });
    g.start();
    await clock.sleep(10_800_000);
    g.stop();
    clock.stop();
    return [n, sum];
  },
);

const REQUESTS = 1_000_000;
const gaps = new SeededRandom(12);
const arrivalTimes = new Float64Array(REQUESTS);
for (let i = 0, t = 0; i < REQUESTS; i++) arrivalTimes[i] = t += gaps.exponential(60);
const appSpec: AppSpec = { threads: 20, serviceTime: lognormal, cpuTime: 0, backlog: 0 };
await compare(
  `web app, ${REQUESTS.toLocaleString("en")} requests into 20 threads at about 17 requests/s`,
  "a request",
  REQUESTS,
  () => {
    let ended = 0;
    let answered = 0;
    let endSum = 0;
    const app = new WebApp(appSpec, new SeededRandom(4), (_, end, ok) => {
      ended++;
      if (ok) answered++;
      endSum += end;
    });
    app.start();
    for (let i = 0; i < REQUESTS; i++) app.accept(arrivalTimes[i]!);
    app.advance(Infinity);
    return [ended, answered, endSum, app.busyMs];
  },
  () => {
    let ended = 0;
    let answered = 0;
    let endSum = 0;
    const app = new ReferenceWebApp(appSpec, new SeededRandom(4), (_, end, ok) => {
      ended++;
      if (ok) answered++;
      endSum += end;
    });
    app.start();
    for (let i = 0; i < REQUESTS; i++) app.accept(arrivalTimes[i]!);
    app.advance(Infinity);
    return [ended, answered, endSum, app.busyMs];
  },
);

const SECONDS = 10_800;
const draws = serviceTime(lognormal, new SeededRandom(9));
const latencies = Float64Array.from({ length: 1 << 16 }, () => draws.draw());
await compare(
  `latency histogram, ${SECONDS.toLocaleString("en")} seconds of 100 latencies, each read back`,
  "a latency",
  SECONDS * 100,
  () => {
    const out: unknown[] = [];
    for (let s = 0, j = 0; s < SECONDS; s++) {
      const h = new LatencyHistogram();
      for (let i = 0; i < 100; i++) h.record(latencies[j++ & 0xffff]!);
      const { values, counts } = h.valuesAndCounts(1000);
      if (s % 100 === 0) out.push(values, counts);
    }
    return out;
  },
  () => {
    const out: unknown[] = [];
    for (let s = 0, j = 0; s < SECONDS; s++) {
      const h = new ReferenceLatencyHistogram();
      for (let i = 0; i < 100; i++) h.record(latencies[j++ & 0xffff]!);
      const { values, counts } = h.valuesAndCounts(1000);
      if (s % 100 === 0) out.push(values, counts);
    }
    return out;
  },
);
