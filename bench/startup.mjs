// How long the CLI takes to start, as a ratio to `node -e 0` measured in the same run.
// Runs are interleaved so that machine noise hits both alike; the median of each is compared.
//
//   node bench/startup.mjs                   # chaos --help, then the commands below
//   COMPARE=/other/checkout/dist/src/cli/main.js node bench/startup.mjs
//                                            # also that build, run for run in turn, with ratios
//
// Beyond --help: the commands that start, read an experiment and stop (validate, describe,
// plan) and a whole short run, each in a fresh directory; then the SDK clients a run loads, with
// their aggregated classes deferred against built at load (src/aws/sdk/aggregated-clients.ts). CPU time (the child's own user +
// system) is the figure to compare on a shared machine; wall time is printed beside it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/src/cli/main.js", import.meta.url));
const experiments = fileURLToPath(new URL("../experiments/", import.meta.url));
if (!existsSync(cli)) {
  console.error("build first: npm run build");
  process.exit(2);
}
const runs = Number(process.env.RUNS ?? 30);
const compare = process.env.COMPARE;
/** @param {string[]} args */
const time = (args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const baseline = [];
const help = [];
time(["-e", "0"]);
time([cli, "--help"]);
for (let i = 0; i < runs; i++) {
  baseline.push(time(["-e", "0"]));
  help.push(time([cli, "--help"]));
}
const b = median(baseline);
const h = median(help);
console.log(`node -e 0       median ${b.toFixed(1)} ms (${runs} runs)`);
console.log(`chaos --help    median ${h.toFixed(1)} ms`);
console.log(`startup ratio   ${(h / b).toFixed(2)}x (aim: at most 1.3x)`);

// Each command as a user starts it, CPU from the child itself (a preload records resourceUsage at exit).
/** @type {[string, string[]][]} */
const commands = [
  ["validate", ["validate", join(experiments, "spot-interrupt.yaml")]],
  ["describe", ["describe", "spot-interrupt"]],
  ["plan", ["plan", "spot-interrupt"]],
  ["run", ["run", "spot-interrupt"]],
];
const commandRuns = Number(process.env.COMMAND_RUNS ?? 5);
const work = mkdtempSync(join(tmpdir(), "gameday-startup-"));
const preload = join(work, "cpu.cjs");
writeFileSync(preload, `process.on("exit", () => { try { const u = process.resourceUsage(); require("fs").writeFileSync(process.env.GAMEDAY_BENCH_CPU_FILE, String((u.userCPUTime + u.systemCPUTime) / 1000)); } catch {} });\n`);
/** @param {string[]} args @returns {{ cpu: number, wall: number }} */
const measure = (args) => {
  const dir = mkdtempSync(join(work, "run-"));
  const file = join(dir, ".cpu");
  const env = { ...process.env, NO_COLOR: "1", GAMEDAY_BENCH_CPU_FILE: file, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${preload}`.trim() };
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { cpu: Number(readFileSync(file, "utf8")), wall };
};
try {
  const base = [];
  for (let i = 0; i < 3; i++) base.push(measure(["-e", "0"]));
  const bCpu = median(base.map((m) => m.cpu));
  console.log(`\nnode -e 0: CPU ${bCpu.toFixed(0)} ms${compare ? `; compared with ${compare} (rows "before"), run for run in turn` : ""}`);
  console.log("command       CPU (median)  wall (median)  CPU / node -e 0");
  /** @param {string} label @param {{cpu: number, wall: number}[]} ms */
  const row = (label, ms) => {
    const cpu = median(ms.map((m) => m.cpu));
    const wall = median(ms.map((m) => m.wall));
    console.log(`${label.padEnd(12)} ${cpu.toFixed(0).padStart(8)} ms  ${wall.toFixed(0).padStart(9)} ms  ${(cpu / bCpu).toFixed(1).padStart(8)}x`);
    return cpu;
  };
  for (const [name, args] of commands) {
    const now = [];
    const before = [];
    for (let i = 0; i < commandRuns; i++) {
      now.push(measure([cli, ...args]));
      if (compare) before.push(measure([compare, ...args]));
    }
    const n = row(name, now);
    if (compare) console.log(`  before    ${median(before.map((m) => m.cpu)).toFixed(0).padStart(8)} ms  ${median(before.map((m) => m.wall)).toFixed(0).padStart(9)} ms   this build / before: CPU ${(n / median(before.map((m) => m.cpu))).toFixed(2)}x`);
  }

  // Loading the SDK clients a `chaos run spot-interrupt` loads, in a fresh process with the code
  // cache in front (as the CLI has it), with the clients' aggregated classes (`new EC2()`) built on
  // first use (src/aws/sdk/aggregated-clients.ts, what the CLI does) against built as each package
  // loads (the SDK's own way), run for run in turn.
  const sdkDir = fileURLToPath(new URL("../dist/src/aws/sdk/", import.meta.url));
  const clients = ["ecs", "ec2", "fis", "kinesis", "cloudwatch", "iam", "auto-scaling", "sns"].map((c) => `@aws-sdk/client-${c}`);
  const loader = join(work, "load-clients.mjs");
  writeFileSync(
    loader,
    `import { createRequire } from "node:module";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const { processCodeCache } = await import(${JSON.stringify(join(sdkDir, "code-cache.js"))});
processCodeCache()?.install();
if (process.env.DEFER === "1") (await import(${JSON.stringify(join(sdkDir, "aggregated-clients.js"))})).install();
const require = createRequire(${JSON.stringify(join(sdkDir, "load.js"))});
for (const name of ${JSON.stringify(clients)}) require(name);
`,
  );
  measure([loader]);
  const deferredRuns = [];
  const builtRuns = [];
  for (let i = 0; i < commandRuns * 2; i++) {
    process.env.DEFER = "1";
    deferredRuns.push(measure([loader]));
    process.env.DEFER = "0";
    builtRuns.push(measure([loader]));
  }
  delete process.env.DEFER;
  const deferredCpu = median(deferredRuns.map((m) => m.cpu)) - bCpu;
  const builtCpu = median(builtRuns.map((m) => m.cpu)) - bCpu;
  console.log(`\nSDK clients of a run (${clients.length}), CPU beyond node -e 0: aggregated classes on first use ${deferredCpu.toFixed(0)} ms, built as each loads ${builtCpu.toFixed(0)} ms: ${(deferredCpu / builtCpu).toFixed(2)}x`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
