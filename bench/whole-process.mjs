// What a user measures: `chaos run <experiment>` as a whole process, started cold (a new Node
// process each time, as from a shell), wall time and peak RSS, beside `node -e 0` measured in the
// same run. These are the figures the README quotes. `chaos` is the launcher (bin/chaos: the
// startup snapshot when built, see scripts/snapshot/build.mjs); the "node main.js" rows run the
// same build without it (`node dist/src/cli/main.js`), so that the snapshot's gain shows.
//
//   node bench/whole-process.mjs                      # every catalog experiment
//   RUNS=5 node bench/whole-process.mjs spot-interrupt task-kill
//   COMPARE=/path/to/other/checkout/dist/src/cli/main.js node bench/whole-process.mjs
//                                                     # also that build (a main.js, run with node, or
//                                                     # a launcher such as bin/chaos), run by run in
//                                                     # turn, with ratios against it
//
// CPU time (user + system, the child's own) is printed beside wall time: on a shared machine the
// wall time says as much about the neighbours as about the run.
//
// Peak RSS comes from the child itself: a preload module records process.resourceUsage().maxRSS
// when the process exits (getrusage, the same number `/usr/bin/time -v` prints), so no tool beyond
// Node is needed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/src/cli/main.js", import.meta.url));
const launcher = fileURLToPath(new URL("../bin/chaos", import.meta.url));
if (!existsSync(cli)) {
  console.error("build first: npm run build");
  process.exit(2);
}
const runs = Number(process.env.RUNS ?? 3);
const experiments = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["spot-interrupt", "task-kill", "kinesis-throttle", "kinesis-outage"];
// The 17-hour outage takes long enough that one run says what a user will see.
/** @param {string} name */
const runsFor = (name) => (name === "kinesis-outage" ? Math.min(runs, 1) : runs);

const work = mkdtempSync(join(tmpdir(), "gameday-bench-"));
const preload = join(work, "max-rss.cjs");
writeFileSync(
  preload,
  `process.on("exit", () => { try { const u = process.resourceUsage(); require("fs").writeFileSync(process.env.GAMEDAY_BENCH_RSS_FILE, JSON.stringify([u.maxRSS, (u.userCPUTime + u.systemCPUTime) / 1000])); } catch {} });\n`,
);

/**
 * The command line that runs `args` with a CLI: a .js file under node, anything else (a launcher) itself.
 * @param {string} cliPath @param {string[]} args @returns {[string, ...string[]]}
 */
const using = (cliPath, args) => (/\.[cm]?js$/.test(cliPath) ? [process.execPath, cliPath, ...args] : [cliPath, ...args]);

/**
 * Runs a command line in a fresh directory; wall ms, peak RSS MiB and exit status.
 * @param {[string, ...string[]]} commandLine
 */
function measure([command, ...args]) {
  const dir = mkdtempSync(join(work, "run-"));
  const rssFile = join(dir, ".max-rss");
  const env = {
    ...process.env,
    NO_COLOR: "1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    GAMEDAY_BENCH_RSS_FILE: rssFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${preload}`.trim(),
  };
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const [maxRss, cpu] = existsSync(rssFile) ? JSON.parse(readFileSync(rssFile, "utf8")) : [Number.NaN, Number.NaN];
  return { ms, rss: maxRss / 1024, cpu, status: r.status, stderr: r.stderr };
}

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

try {
  const base = [];
  for (let i = 0; i < 3; i++) base.push(measure([process.execPath, "-e", "0"]));
  const b = median(base.map((m) => m.ms));
  const bRss = median(base.map((m) => m.rss));
  const bCpu = median(base.map((m) => m.cpu));
  console.log(`baseline node -e 0: ${b.toFixed(0)} ms (CPU ${bCpu.toFixed(0)} ms), peak RSS ${bRss.toFixed(0)} MiB`);
  const compare = process.env.COMPARE;
  if (compare) console.log(`compared with ${compare} (rows "before"), run for run in turn`);
  console.log(existsSync(join(cli, "../../../snapshot/chaos.blob")) ? "chaos: bin/chaos, from the startup snapshot (dist/snapshot/)" : "chaos: bin/chaos, no startup snapshot built (so main.js)");
  console.log("experiment                 runs  exit  wall (median, min-max)        CPU (median)  peak RSS   wall / baseline");
  /** @param {string} label @param {{ms: number, rss: number, cpu: number, status: number | null}[]} ms */
  const row = (label, ms) => {
    const walls = ms.map((m) => m.ms);
    const exits = [...new Set(ms.map((m) => m.status))].join(",");
    const wall = median(walls);
    const cpu = median(ms.map((m) => m.cpu));
    const rss = Math.max(...ms.map((m) => m.rss));
    const range = `${(Math.min(...walls) / 1000).toFixed(2)}-${(Math.max(...walls) / 1000).toFixed(2)} s`;
    console.log(
      `${label.padEnd(26)} ${String(ms.length).padStart(4)}  ${exits.padStart(4)}  ${(wall / 1000).toFixed(2).padStart(7)} s (${range.padEnd(16)})  ${(cpu / 1000).toFixed(2).padStart(7)} s   ${rss.toFixed(0).padStart(5)} MiB   ${(wall / b).toFixed(1)}x`,
    );
    return { wall, cpu, rss };
  };
  /** @param {string} what @param {{wall: number, cpu: number, rss: number}} a @param {{wall: number, cpu: number, rss: number}} b */
  const ratio = (what, a, b) => console.log(`  ${what}: wall ${(a.wall / b.wall).toFixed(2)}x, CPU ${(a.cpu / b.cpu).toFixed(2)}x, peak RSS ${(a.rss / b.rss).toFixed(2)}x`);
  for (const name of experiments) {
    const ms = [];
    const plain = [];
    const before = [];
    for (let i = 0; i < runsFor(name); i++) {
      ms.push(measure([launcher, "run", name]));
      plain.push(measure(using(cli, ["run", name])));
      if (compare) before.push(measure(using(compare, ["run", name])));
    }
    const now = row(`${name} (chaos)`, ms);
    const direct = row("  node main.js", plain);
    ratio("chaos / node main.js", now, direct);
    if (compare) {
      const old = row("  before", before);
      ratio("chaos / before", now, old);
    }
    for (const m of [...ms, ...plain, ...before]) if (m.status !== 0 && m.status !== 1) process.stderr.write(m.stderr);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
