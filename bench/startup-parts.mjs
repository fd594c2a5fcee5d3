// Two parts of a short run's start-up, each against what it replaced, run for run in turn in fresh
// processes (CPU time, the child's own, median; the figures to compare on a shared machine):
//
// - CommonJS loading: yaml and the eight SDK clients a spot-interrupt run loads, through the code
//   cache (src/aws/sdk/code-cache.ts), with the node_modules lookups remembered from an earlier
//   run against Node's own lookups (the same cache without its resolved-*.json).
// - Parsing the default stack and spot-interrupt.yaml with zod's JIT off (PARSED_ONCE,
//   src/experiment/schema-kit.ts) against zod's default, which compiles a fast path per object
//   schema on its first parse.
//
//   npm run build && RUNS=15 node bench/startup-parts.mjs
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/src/", import.meta.url));
const repo = fileURLToPath(new URL("../", import.meta.url));
if (!existsSync(join(dist, "cli/main.js"))) {
  console.error("build first: npm run build");
  process.exit(2);
}
const runs = Number(process.env.RUNS ?? 15);
const cacheRoot = mkdtempSync(join(tmpdir(), "gameday-startup-parts-"));

const PACKAGES = ["yaml", "@aws-sdk/client-ecs", "@aws-sdk/client-kinesis", "@aws-sdk/client-ec2", "@aws-sdk/client-fis", "@aws-sdk/client-iam", "@aws-sdk/client-cloudwatch", "@aws-sdk/client-auto-scaling", "@aws-sdk/client-sns"];
const LOAD = `
import { createRequire } from "node:module";
const { processCodeCache } = await import(${JSON.stringify(join(dist, "aws/sdk/code-cache.js"))});
const cache = processCodeCache(); cache.install();
const require = createRequire(${JSON.stringify(join(dist, "cli/main.js"))});
const c0 = process.cpuUsage();
for (const p of ${JSON.stringify(PACKAGES)}) require(p);
const d = process.cpuUsage(c0);
console.log(JSON.stringify({ cpu: (d.user + d.system) / 1000, resolved: cache.resolutionStats, code: cache.stats }));
`;
const PARSE = `
import { readFileSync } from "node:fs";
import { parse } from "yaml";
const [{ stackSchema }, { experimentSchema }, { PARSED_ONCE }] = await Promise.all([
  import(${JSON.stringify(join(dist, "sandbox/stack/schema.js"))}),
  import(${JSON.stringify(join(dist, "experiment/schema.js"))}),
  import(${JSON.stringify(join(dist, "experiment/schema-kit.js"))}),
]);
const stack = parse(readFileSync(${JSON.stringify(join(repo, "fixtures/stacks/default.yaml"))}, "utf8"));
const experiment = parse(readFileSync(${JSON.stringify(join(repo, "experiments/spot-interrupt.yaml"))}, "utf8"));
const options = process.argv.includes("jit") ? undefined : PARSED_ONCE;
const c0 = process.cpuUsage();
const ok = stackSchema.safeParse(stack, options).success && experimentSchema.safeParse(experiment, options).success;
const d = process.cpuUsage(c0);
if (!ok) throw new Error("the catalog files no longer parse");
console.log(JSON.stringify({ cpu: (d.user + d.system) / 1000 }));
`;

/** @param {string} script @param {string[]} args @param {Record<string, string>} env */
function child(script, args = [], env = {}) {
  const r = spawnSync(process.execPath, ["--no-opt", "--input-type=module", "-e", script, "--", ...args], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "null");
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
/** @param {string} label @param {number[]} now @param {number[]} before */
const row = (label, now, before) =>
  console.log(`${label.padEnd(58)} ${median(now).toFixed(1).padStart(7)} ms  ${median(before).toFixed(1).padStart(7)} ms  ${(median(now) / median(before)).toFixed(2)}x`);

try {
  // --no-opt as the CLI's short runs (src/cli/tiering.ts); the code cache keeps entries per flag set.
  const env = { GAMEDAY_CODE_CACHE: cacheRoot };
  const versionDir = () => join(cacheRoot, readdirSync(cacheRoot)[0] ?? "");
  const forgetLookups = () => {
    for (const f of readdirSync(versionDir())) if (f.startsWith("resolved-")) rmSync(join(versionDir(), f));
  };
  child(LOAD, [], env); // fills the code cache and the lookups
  const remembered = [];
  const node = [];
  let stats;
  for (let i = 0; i < runs; i++) {
    const r = child(LOAD, [], env);
    remembered.push(r.cpu);
    stats = r.resolved;
    forgetLookups();
    node.push(child(LOAD, [], env).cpu);
    child(LOAD, [], env); // learns them again for the next round
  }
  const once = [];
  const jit = [];
  for (let i = 0; i < runs; i++) {
    once.push(child(PARSE).cpu);
    jit.push(child(PARSE, ["jit"]).cpu);
  }
  console.log(`CPU, median of ${runs} fresh processes each, run for run in turn          now      before   now/before`);
  row(`load yaml + 8 SDK clients (${stats.hits} lookups remembered, ${stats.misses} Node's)`, remembered, node);
  row("parse default.yaml + spot-interrupt.yaml (PARSED_ONCE / JIT)", once, jit);
} finally {
  rmSync(cacheRoot, { recursive: true, force: true });
}
