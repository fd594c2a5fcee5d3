// chaos explore's throughput: spot-interrupt-sized schedules per minute on worker threads (one per
// core), as a ratio to the baseline measured in the same run: one spot-interrupt run in-process,
// back to back, as `chaos run spot-interrupt` would run it without process start-up.
// node bench/explore.mjs   (SCHEDULES=12 BASELINE_RUNS=3 to change the sample sizes)
// CPU time is printed beside wall time (process.cpuUsage counts every thread of the process, so
// for the explore phase it is the workers' CPU): on a shared machine the wall rate says as much
// about the neighbours as about explore, while CPU per schedule says what the cores can do.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// As chaos does: the pinned SDK's Node-version notice would only clutter the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const dist = fileURLToPath(new URL("../dist/src/", import.meta.url));
if (!existsSync(join(dist, "cli/explore-worker.js"))) {
  console.error("build first: npm run build");
  process.exit(2);
}
const fc = (await import("fast-check")).default;
const { stringify } = await import("yaml");
const { loadExperiment } = await import(join(dist, "experiment/index.js"));
const { authoredFaults, buildSpace } = await import(join(dist, "explore/space.js"));
const { decode, genomeArbitrary, renderExperiment } = await import(join(dist, "explore/schedule.js"));
const { WorkerPool } = await import(join(dist, "explore/pool.js"));
const { runCandidate } = await import(join(dist, "cli/explore-candidate.js"));

const experiment = fileURLToPath(new URL("../experiments/spot-interrupt.yaml", import.meta.url));
const schedules = Number(process.env.SCHEDULES ?? 12);
const baselineRuns = Number(process.env.BASELINE_RUNS ?? 3);
const workers = availableParallelism();
const scratch = mkdtempSync(join(tmpdir(), "bench-explore-"));
/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const loaded = await loadExperiment(experiment, { vars: {}, varFiles: [] });
// Spot-interrupt-sized schedules: up to 3 interruptions starting within 3 minutes, each with
// spot-interrupt's 2-minute notice (the default space would also try notices up to 10 minutes).
const space = await buildSpace(authoredFaults(loaded.raw), { maxDurationMs: 120_000 });
/** @param {string} text @param {string} n */
const job = (text, n) => ({ text, fileName: "spot-interrupt-explored.yaml", workdir: join(scratch, String(n)), seed: 42 });

// Baseline: the catalog experiment as written, in this process, one after another.
const text = readFileSync(experiment, "utf8");
await runCandidate(job(text, "warm"));
const baseline = [];
const baselineCpu = [];
for (let i = 0; i < baselineRuns; i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await runCandidate(job(text, `b${i}`));
  if (r.exitCode !== 0) throw new Error(`baseline run: exit ${r.exitCode} ${r.summary}`);
  baseline.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  baselineCpu.push((c.user + c.system) / 1000);
}
const baseMs = median(baseline) ?? Number.NaN;
const baseCpuMs = median(baselineCpu) ?? Number.NaN;

// Explore: generated schedules on the worker pool, as chaos explore runs them.
const docs = fc.sample(genomeArbitrary(space), { seed: 42, numRuns: schedules }).map((g) => stringify(renderExperiment(loaded.raw, space, decode(space, g), "bench")));
const pool = new WorkerPool(new URL("../dist/src/cli/explore-worker.js", import.meta.url), workers);
await Promise.all(Array.from({ length: workers }, (_, i) => pool.run(job(docs[i % docs.length] ?? text, `w${i}`))));
const t0 = performance.now();
const c0 = process.cpuUsage();
const results = await Promise.all(docs.map((d, i) => pool.run(job(d, `e${i}`))));
const exploreMs = performance.now() - t0;
const exploreCpu = process.cpuUsage(c0);
const cpuPerSchedule = (exploreCpu.user + exploreCpu.system) / 1000 / schedules;
await pool.close();
rmSync(scratch, { recursive: true, force: true });

const basePerMin = 60_000 / baseMs;
const perMin = (schedules * 60_000) / exploreMs;
const codes = results.reduce((m, r) => ((m[r.exitCode] = (m[r.exitCode] ?? 0) + 1), m), {});
console.log(`baseline   one spot-interrupt run in-process: median ${(baseMs / 1000).toFixed(2)} s (${baselineRuns} runs) = ${basePerMin.toFixed(1)} runs/min`);
console.log(`explore    ${schedules} schedules on ${workers} worker(s): ${(exploreMs / 1000).toFixed(1)} s = ${perMin.toFixed(1)} schedules/min (exit codes ${JSON.stringify(codes)})`);
console.log(`ratio      ${(perMin / basePerMin).toFixed(2)}x the baseline's rate (aim: ${workers}x with ${workers} cores; target >= 100 schedules/min)`);
console.log(`CPU        baseline run ${(baseCpuMs / 1000).toFixed(2)} s; explore ${(cpuPerSchedule / 1000).toFixed(2)} s per schedule (${(cpuPerSchedule / baseCpuMs).toFixed(2)}x the baseline run) = ${((60_000 * workers) / cpuPerSchedule).toFixed(0)} schedules/min on ${workers} idle core(s) (target: <= 1.2 s per schedule)`);
