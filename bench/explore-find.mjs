// How soon `chaos explore spot-headroom` finds its failure, seed by seed: the schedules tried and
// the CPU spent up to the first failing one (no shrinking), for the space explore searches now
// (each interruption placed in one of the stack's zones) and for the previous space (COUNT(1)
// anywhere: the seed alone picks the instance, the same pick for every candidate), as a multiple
// of one spot-interrupt run on the same stack measured in the same run.
// node bench/explore-find.mjs   (SEEDS=1,7,42,1000 PREVIOUS_RUNS=24 to change the sample)
// CPU is process.cpuUsage, which counts the worker threads: on a shared machine it says more than
// wall time does.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const dist = fileURLToPath(new URL("../dist/src/", import.meta.url));
if (!existsSync(join(dist, "cli/explore-worker.js"))) {
  console.error("build first: npm run build");
  process.exit(2);
}
const { stringify } = await import("yaml");
const { loadExperiment } = await import(join(dist, "experiment/index.js"));
const { loadStack } = await import(join(dist, "sandbox/stack/load.js"));
const { authoredFaults, buildSpace } = await import(join(dist, "explore/space.js"));
const { renderExperiment } = await import(join(dist, "explore/schedule.js"));
const { search } = await import(join(dist, "explore/search.js"));
const { WorkerPool } = await import(join(dist, "explore/pool.js"));
const { runCandidate } = await import(join(dist, "cli/explore-candidate.js"));

const experiment = fileURLToPath(new URL("../experiments/spot-interrupt.yaml", import.meta.url));
const stack = fileURLToPath(new URL("../fixtures/stacks/spot-headroom.yaml", import.meta.url));
const seeds = (process.env.SEEDS ?? "1,7,42,1000").split(",").map(Number);
const previousRuns = Number(process.env.PREVIOUS_RUNS ?? 24);
const workers = availableParallelism();
const scratch = mkdtempSync(join(tmpdir(), "bench-explore-find-"));
let n = 0;
/** @param {string} text @param {number} seed */
const job = (text, seed) => ({ text, fileName: "spot-headroom-explored.yaml", workdir: join(scratch, String(n++)), seed, stack });
const cpuMs = (/** @type {NodeJS.CpuUsage} */ c) => (c.user + c.system) / 1000;

const loaded = await loadExperiment(experiment, { vars: {}, varFiles: [] });
// The bounds of experiments/spaces/spot-headroom.yaml.
const bounds = { maxFaults: 3, windowMs: 180_000, offsetStepMs: 10_000, maxDurationMs: 300_000 };
const spaces = {
  zones: await buildSpace(authoredFaults(loaded.raw), bounds, undefined, loadStack(stack).availabilityZones),
  previous: await buildSpace(authoredFaults(loaded.raw), bounds),
};

// Baseline: the catalog experiment as written (one interruption), in this process.
const text = readFileSync(experiment, "utf8");
await runCandidate(job(text, 1));
const c0 = process.cpuUsage();
const base = await runCandidate(job(text, 1));
const baseCpu = cpuMs(process.cpuUsage(c0));
if (base.exitCode !== 0) throw new Error(`baseline run: exit ${base.exitCode} ${base.summary}`);
console.log(`baseline   one spot-interrupt run on spot-headroom.yaml in-process: ${(baseCpu / 1000).toFixed(2)} s CPU`);

const pool = new WorkerPool(new URL("../dist/src/cli/explore-worker.js", import.meta.url), workers);
try {
  for (const seed of seeds) {
    const line = [`seed ${String(seed).padEnd(5)}`];
    for (const [name, space] of Object.entries(spaces)) {
      const t0 = process.cpuUsage();
      const r = await search({
        space,
        seed,
        runs: name === "previous" ? previousRuns : 1000,
        shrinkRuns: 0,
        batchSize: workers,
        outOfTime: () => false,
        evaluate: (/** @type {import("../src/explore/schedule.js").Schedule[]} */ batch) => Promise.all(batch.map((s) => pool.run(job(stringify(renderExperiment(loaded.raw, space, s, "bench")), seed)))),
      });
      const cpu = cpuMs(process.cpuUsage(t0));
      const found = r.finding ? `found at #${r.finding.index}` : `none in ${r.tried}`;
      line.push(`${name}: ${found}, ${r.tried} run, ${(cpu / 1000).toFixed(1)} s CPU = ${(cpu / baseCpu).toFixed(1)}x the baseline run`);
    }
    console.log(line.join("   "));
  }
} finally {
  await pool.close();
  rmSync(scratch, { recursive: true, force: true });
}
