// The cost of a report of a long run: a journal at the size the readings series are bounded to
// (8 probes by mode, each with the maximum 600 points of 8 numeric fields, as a 17-hour run
// leaves), rendered as HTML, Markdown and JUnit. Reported as ratios to a baseline measured in the
// same run: reading the journal and writing it back (JSON.parse + JSON.stringify), the least any
// report could do. Also prints each output's size.
// Run: npx tsx bench/report.ts   (REPEAT=n, default 20)
import { MAX_POINTS } from "../src/engine/series.js";
import { parseJournal, renderReport, type ReportFormat } from "../src/report/index.js";

const repeat = Number(process.env.REPEAT ?? 20);
const T0 = Date.UTC(2020, 10, 25, 13, 15);
const FIELDS = ["p50", "p95", "p99", "max", "requests", "availability", "running", "desired"];

function journalText(): string {
  let seed = 7;
  const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const probes = Array.from({ length: 8 }, (_, i) => ({
    step: `probe-${i}`,
    probe: "http-slo",
    mode: i % 2 === 0 ? "on-chaos" : "continuous",
    verdict: "passed",
    readings: MAX_POINTS * 20,
    failed: 0,
    series: {
      units: Object.fromEntries(FIELDS.map((f) => [f, f === "availability" ? "ratio" : f.startsWith("p") || f === "max" ? "ms" : "count"])),
      points: Array.from({ length: MAX_POINTS }, (_, k) => ({ at: new Date(T0 + k * 100_000).toISOString(), ok: next() > 0.01, values: Object.fromEntries(FIELDS.map((f) => [f, Math.round(next() * 1000) / 10])) })),
    },
  }));
  return JSON.stringify({
    start: new Date(T0).toISOString(),
    end: new Date(T0 + 17 * 3_600_000).toISOString(),
    duration: 17 * 3600,
    status: "completed",
    deviated: false,
    experiment: { title: "A 17-hour Kinesis outage loses no log record" },
    steady_states: { before: null, after: null, during: [] },
    run: [],
    rollbacks: [],
    gameday: { runId: "bench-00000007", seed: 7, target: { kind: "sandbox", region: "us-east-1" }, clock: "virtual", complete: true, verdict: "held", exitCode: 0, summary: "held", probes, faults: [], rollbackResults: [], warnings: [], during: { readings: 0, failed: 0 }, ledger: "" },
  });
}

function time(work: () => unknown): number {
  work();
  const start = performance.now();
  for (let i = 0; i < repeat; i++) work();
  return (performance.now() - start) / repeat;
}

const text = journalText();
const baseline = time(() => JSON.stringify(JSON.parse(text)));
console.log(`journal ${(text.length / 1024).toFixed(0)} KiB; baseline (parse + stringify) ${baseline.toFixed(1)} ms`);
for (const format of ["html", "md", "junit"] as ReportFormat[]) {
  let size = 0;
  const ms = time(() => (size = renderReport([parseJournal(text, "bench.json")], format).length));
  console.log(`${format.padEnd(5)} ${(ms / baseline).toFixed(1)}x baseline, ${(size / 1024).toFixed(0)} KiB`);
}
