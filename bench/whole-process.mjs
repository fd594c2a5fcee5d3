// What a user measures: `chaos run <experiment>` as a whole process, started cold (a new Node
// process each time, as from a shell), wall time and peak RSS, beside `node -e 0` measured in the
// same run. These are the figures the README quotes.
//
//   node bench/whole-process.mjs                      # every catalog experiment
//   RUNS=5 node bench/whole-process.mjs spot-interrupt task-kill
//   COMPARE=/path/to/other/checkout/dist/src/cli/main.js node bench/whole-process.mjs
//                                                     # also that build, run by run in turn, with ratios
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
 * Runs `args` under node in a fresh directory; wall ms, peak RSS MiB and exit status.
 * @param {string[]} args
 */
function measure(args) {
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
  const r = spawnSync(process.execPath, args, { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
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
  for (let i = 0; i < 3; i++) base.push(measure(["-e", "0"]));
  const b = median(base.map((m) => m.ms));
  const bRss = median(base.map((m) => m.rss));
  const bCpu = median(base.map((m) => m.cpu));
  console.log(`baseline node -e 0: ${b.toFixed(0)} ms (CPU ${bCpu.toFixed(0)} ms), peak RSS ${bRss.toFixed(0)} MiB`);
  const compare = process.env.COMPARE;
  if (compare) console.log(`compared with ${compare} (rows "before"), run for run in turn`);
  console.log("experiment           runs  exit  wall (median, min-max)        CPU (median)  peak RSS   wall / baseline");
  /** @param {string} label @param {{ms: number, rss: number, cpu: number, status: number | null}[]} ms */
  const row = (label, ms) => {
    const walls = ms.map((m) => m.ms);
    const exits = [...new Set(ms.map((m) => m.status))].join(",");
    const wall = median(walls);
    const cpu = median(ms.map((m) => m.cpu));
    const rss = Math.max(...ms.map((m) => m.rss));
    const range = `${(Math.min(...walls) / 1000).toFixed(2)}-${(Math.max(...walls) / 1000).toFixed(2)} s`;
    console.log(
      `${label.padEnd(20)} ${String(ms.length).padStart(4)}  ${exits.padStart(4)}  ${(wall / 1000).toFixed(2).padStart(7)} s (${range.padEnd(16)})  ${(cpu / 1000).toFixed(2).padStart(7)} s   ${rss.toFixed(0).padStart(5)} MiB   ${(wall / b).toFixed(1)}x`,
    );
    return { wall, cpu, rss };
  };
  for (const name of experiments) {
    const ms = [];
    const before = [];
    for (let i = 0; i < runsFor(name); i++) {
      ms.push(measure([cli, "run", name]));
      if (compare) before.push(measure([compare, "run", name]));
    }
    const now = row(name, ms);
    if (compare) {
      const old = row("  before", before);
      console.log(`  this build / before: wall ${(now.wall / old.wall).toFixed(2)}x, CPU ${(now.cpu / old.cpu).toFixed(2)}x, peak RSS ${(now.rss / old.rss).toFixed(2)}x`);
    }
    for (const m of [...ms, ...before]) if (m.status !== 0 && m.status !== 1) process.stderr.write(m.stderr);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
