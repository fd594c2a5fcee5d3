/**
 * The sandbox reading its shippers' EMF lines (about 80,000 in the 17-hour outage). Run:
 * npx tsx bench/emf.ts [--lines N] [--runs R]
 *
 * CPU time of parseEmf (known directives read without parsing them again) against the full parse
 * (parseEmfUncached, what parseEmf did before), on lines written by emfLine as the shippers write
 * them (six hosts a line every 5 s, every sixth line with the per-boot part), alternated run for run in this process, median ratio.
 * Checks the two give the same datums first. Nothing is asserted; the figures are for the notes.
 */
import { isDeepStrictEqual } from "node:util";
import { emfLine } from "../src/pipeline/emf.js";
import type { ShipperMetrics } from "../src/pipeline/metrics.js";
import { parseEmf, parseEmfUncached, type EmfResult } from "../src/sandbox/metrics/emf.js";
import { MetricStore } from "../src/sandbox/services/cloudwatch/store.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const LINES = arg("lines", 50_000);
const RUNS = arg("runs", 5);

const options = { namespace: "Gameday/LogShipper", stream: "app-logs", intervalMs: 5_000 };
const metrics = (n: number): ShipperMetrics =>
  ({ delivered: n, spooled: n % 7, replayed: 0, dropped: { total: 0 }, spoolBytes: 40 * n, oldestSpooledAgeMs: 1500, breaker: n % 3 === 0 ? "open" : "closed", accepted: n + 9, inMemory: 3, inFlight: 5, replayInFlight: 1, spoolRecords: 4, deadLettered: 0 }) as unknown as ShipperMetrics;
const lines: string[] = [];
for (let i = 0; i < LINES; i++) lines.push(emfLine(options, `ip-10-0-1-${i % 6}`, 1_606_300_000_000 + 5_000 * i, metrics(100 * i + 7), metrics(100 * i), i % 6 === 0 ? `boot-${i % 6}` : undefined));
for (const line of lines.slice(0, 600)) if (!isDeepStrictEqual(parseEmf(line), parseEmfUncached(line))) throw new Error(`parseEmf and the full parse differ on ${line}`);

const cpu = (parse: (line: string) => unknown): number => {
  const t = process.cpuUsage();
  let n = 0;
  for (let i = 0; i < LINES; i++) if (parse(lines[i % lines.length]!)) n++;
  const u = process.cpuUsage(t);
  if (n !== LINES) throw new Error("a line gave nothing");
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const full = (line: string) => parseEmfUncached(line);
cpu(parseEmf);
cpu(full);
const now: number[] = [];
const before: number[] = [];
for (let r = 0; r < RUNS; r++) {
  before.push(cpu(full));
  now.push(cpu(parseEmf));
}
const ratios = now.map((t, i) => t / before[i]!);
// The same lines put into a store, as putEmf does: the parse's share of what a line costs the sandbox.
const putCpu = (parse: (line: string) => EmfResult): number => {
  let now = 0;
  const store = new MetricStore(() => now);
  const t = process.cpuUsage();
  for (let i = 0; i < LINES; i++) {
    now = 1_606_300_000_000 + 5_000 * i;
    const r = parse(lines[i]!);
    if ("datums" in r) for (const d of r.datums) store.put(d);
  }
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};
const putNow: number[] = [];
const putBefore: number[] = [];
for (let r = 0; r < RUNS; r++) {
  putBefore.push(putCpu(full));
  putNow.push(putCpu(parseEmf));
}
const putRatios = putNow.map((t, i) => t / putBefore[i]!);
console.log(`EMF lines read (${LINES} a run, ${RUNS} runs, CPU median): parseEmf ${median(now).toFixed(0)} ms, full parse ${median(before).toFixed(0)} ms; ratio ${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);
console.log(`read and put into a MetricStore: ${median(putNow).toFixed(0)} ms against ${median(putBefore).toFixed(0)} ms; ratio ${median(putRatios).toFixed(2)}x (${Math.min(...putRatios).toFixed(2)}-${Math.max(...putRatios).toFixed(2)})`);
