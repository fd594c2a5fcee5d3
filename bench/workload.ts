// The sandbox's simulated web traffic per request: the load generator's arrivals, the ALB's routing,
// the web apps' threads, the request log and the per-second load metrics and per-minute ALB metrics
// they publish, for the default stack's web service (6 tasks of 20 threads, 100 requests/s) and for
// an overloaded one (2 half-vCPU tasks with a proxy backlog and CPU work, 150 requests/s, so
// requests queue, time out and are refused). Each is run with its metrics publishers, whose datums
// go to a sink that keeps nothing (CloudWatch's store is not measured here), and without them (the
// simulation alone: generator, routing, threads, request log).
//
// A last case times the latency histogram alone, as the load metrics use it.
//
// This tree is measured against a baseline tree (a git revision, default `main`) loaded into the
// same process, run for run in turn: requests simulated per CPU second for each, their ratio, and
// whether both simulated the same thing (a digest of every datum put and of the request log).
// Run: npx tsx bench/workload.ts   (HOURS=n virtual hours per run, at most 3, default 2; RUNS=n, default 3;
//      BASELINE=<git revision>, default main; BASELINE=none measures this tree alone;
//      CASE=<text> runs only the cases whose label contains it, e.g. CASE="no metrics")
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const hours = Number(process.env.HOURS ?? 2);
const runs = Number(process.env.RUNS ?? 3);
const baselineRev = process.env.BASELINE ?? "main";
// Requests are counted from the request log, which keeps 3 hours.
if (!(hours > 0 && hours <= 3)) throw new RangeError(`HOURS: expected more than 0 and at most 3 (the request log's retention), found ${process.env.HOURS}`);

/** A tree's modules this bench drives, loaded from `dir` (this checkout or an extracted revision). */
async function loadTree(dir: string) {
  const mod = (path: string) => import(pathToFileURL(join(dir, path)).href);
  return {
    VirtualClock: (await mod("src/time/clock.ts")).VirtualClock,
    SeededRandom: (await mod("src/random/random.ts")).SeededRandom,
    Kernel: (await mod("src/sandbox/kernel.ts")).Kernel,
    Timers: (await mod("src/sandbox/timers.ts")).Timers,
    TargetGroup: (await mod("src/sandbox/workload/target-group.ts")).TargetGroup,
    Traffic: (await mod("src/sandbox/workload/traffic.ts")).Traffic,
    parseStack: (await mod("src/sandbox/stack/load.ts")).parseStack,
    LatencyHistogram: (await mod("src/load/histogram.ts")).LatencyHistogram,
  };
}
type Tree = Awaited<ReturnType<typeof loadTree>>;

function resolves(rev: string): boolean {
  try {
    execFileSync("git", ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], { cwd: root, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** `rev` extracted once under the system's temp dir, with this checkout's node_modules beside it. */
function extract(rev: string): string {
  const sha = execFileSync("git", ["rev-parse", "--verify", `${rev}^{commit}`], { cwd: root, encoding: "utf8" }).trim();
  const dir = join(tmpdir(), `gameday-workload-baseline-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, "src"))) {
    mkdirSync(dir, { recursive: true });
    execFileSync("sh", ["-c", `git archive ${sha} src package.json | tar -x -C '${dir}'`], { cwd: root });
  }
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

interface Scenario {
  name: string;
  /** Stack YAML: a web task definition, a target group `web` and the `web` service's load. */
  stack: string;
  tasks: number;
}

const defaultStack = readFileSync(join(root, "fixtures", "stacks", "default.yaml"), "utf8");
const overloaded = `
region: us-east-1
availabilityZones: [us-east-1a, us-east-1b]
clusters: [{ name: prod }]
autoScalingGroups: [{ name: asg, cluster: prod, instanceType: m5.large, onDemand: { count: 1 } }]
taskDefinitions:
  - { family: web, cpu: 512, memory: 1024, app: { threads: 8, cpuTime: 4ms, backlog: 2, serviceTime: { mix: [{ weight: 9, p50: 40ms, p99: 400ms }, { weight: 1, p50: 2s, p99: 90s }] }, proxy: { backlog: 16, readTimeout: 30s } } }
targetGroups: [{ name: web, idleTimeout: PT20S, deregistrationDelay: PT5S, healthCheck: { interval: PT10S, healthyThreshold: 2, unhealthyThreshold: 2 } }]
services: [{ name: web, cluster: prod, taskDefinition: web, desiredCount: 2, targetGroup: web }]
load: { web: [{ rampUsersPerSec: { from: 10, to: 150, during: PT1M } }, { constantUsersPerSec: { rate: 150 } }] }
`;
const scenarios: Scenario[] = [
  { name: "default stack, 6 tasks, 100/s", stack: defaultStack, tasks: 6 },
  { name: "overloaded, 2 tasks, 150/s", stack: overloaded, tasks: 2 },
];

interface Result {
  requests: number;
  cpuMs: number;
  digest: string;
}

interface Case {
  scenario: Scenario;
  metrics: boolean;
}

/**
 * `h` virtual hours of the case's web service on `tree`, from a fixed seed. With `digest`, every
 * datum put and the request log's statistics are hashed (a check, not timed: hashing would weigh
 * on the figures).
 */
async function simulate(tree: Tree, { scenario, metrics }: Case, h: number, digest = false): Promise<Result> {
  const stack = tree.parseStack(scenario.stack, "bench-stack.yaml");
  const td = stack.taskDefinitions.find((t: { family: string }) => t.family === "web");
  const tg = stack.targetGroups.find((t: { name: string }) => t.name === "web");
  const zones: string[] = stack.availabilityZones;
  const hash = createHash("sha256");
  const sink = metrics ? { put: (d: unknown) => digest && hash.update(JSON.stringify(d)) } : undefined;

  const c0 = process.cpuUsage();
  const clock = new tree.VirtualClock();
  const random = new tree.SeededRandom(42);
  const kernel = new tree.Kernel({ clock, random });
  const timers = new tree.Timers(clock);
  // The request log on (an option since it was made opt-in; a baseline without the option keeps one anyway).
  const traffic = new tree.Traffic(kernel, timers, random.fork("traffic"), sink, { requestLog: true });
  const group = new tree.TargetGroup(tg, kernel, timers);
  traffic.addService("web", group, stack.load.web ?? []);
  for (let i = 0; i < scenario.tasks; i++) {
    const app = traffic.createApp("web", td.app, random.fork(`app:${i}`), zones[i % zones.length]!, td.cpu / 1024);
    app.start();
    group.register(`task-${i}`, app);
  }
  const start = clock.now();
  traffic.start();
  await clock.sleep(h * 3_600_000);
  traffic.publishLoad();
  const d = process.cpuUsage(c0);
  // Outside the measured time: sorting every latency for the percentiles is the reader's cost.
  const stats = traffic.stats("web", start, clock.now());
  if (digest) hash.update(JSON.stringify(stats));
  traffic.stop();
  clock.stop();
  return { requests: stats.requests, cpuMs: (d.user + d.system) / 1000, digest: digest ? hash.digest("hex").slice(0, 16) : "" };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const current = await loadTree(root);
const baseline = baselineRev === "none" || !resolves(baselineRev) ? undefined : await loadTree(extract(baselineRev));
if (!baseline && baselineRev !== "none") console.log(`baseline ${baselineRev}: not a revision of this checkout; measuring this tree alone`);
const trees: [string, Tree][] = baseline ? [["this tree", current], [`baseline ${baselineRev}`, baseline]] : [["this tree", current]];

const label = (c: Case) => `${c.scenario.name}, ${c.metrics ? "with metrics" : "no metrics"}`;
const cases: Case[] = scenarios
  .flatMap((scenario) => [
    { scenario, metrics: true },
    { scenario, metrics: false },
  ])
  .filter((c) => label(c).includes(process.env.CASE ?? ""));

// Warm both up (module loading, the JIT) on a short run first; then one run each with everything digested.
for (const [, tree] of trees) for (const c of cases) await simulate(tree, c, 0.1);
const digests = new Map<string, string>();
for (const c of cases) for (const [name, tree] of trees) digests.set(`${label(c)}/${name}`, (await simulate(tree, c, hours, true)).digest);

let mismatch = false;
for (const c of cases) {
  const byTree = new Map<string, Result[]>();
  for (let i = 0; i < runs; i++) {
    for (const [name, tree] of trees) {
      const r = await simulate(tree, c, hours);
      byTree.set(name, [...(byTree.get(name) ?? []), r]);
    }
  }
  const line = (name: string) => {
    const rs = byTree.get(name)!;
    const cpu = median(rs.map((r) => r.cpuMs));
    return { name, cpu, requests: rs[0]!.requests, digest: digests.get(`${label(c)}/${name}`)!, perCpuS: (rs[0]!.requests / cpu) * 1000 };
  };
  const lines = trees.map(([name]) => line(name));
  console.log(label(c));
  for (const l of lines) {
    console.log(`  ${l.name.padEnd(16)} ${l.requests} requests, ${String(Math.round(l.cpu)).padStart(6)} ms CPU (median of ${runs}) = ${Math.round(l.perCpuS).toLocaleString("en").padStart(9)} requests per CPU s, ${((l.cpu * 1e6) / l.requests).toFixed(0).padStart(5)} ns per request, digest ${l.digest}`);
  }
  if (lines.length === 2) {
    const [mine, base] = lines as [ReturnType<typeof line>, ReturnType<typeof line>];
    const same = mine.digest === base.digest;
    if (!same) mismatch = true;
    console.log(`  CPU per request, this tree / baseline: ${(mine.cpu / base.cpu).toFixed(2)}; the same simulation (metrics and request log): ${same ? "yes" : "NO"}`);
  }
}
// The latency histogram alone, as the load metrics use it: one a second of 100 lognormal latencies
// (p50 25 ms, p99 250 ms), each read back as its buckets a minute later. With `digest`, every
// histogram's buckets are hashed (a check, not timed).
function histograms(tree: Tree, digest = false): { cpuMs: number; digest: string } {
  const random = new current.SeededRandom(9);
  const latencies = Float64Array.from({ length: 1 << 16 }, () => Math.exp(Math.log(25) + Math.log(10) * ((random.next() + random.next() + random.next() - 1.5) * 2)));
  const hash = createHash("sha256");
  const kept: { buckets(): [number, number][] }[] = [];
  let j = 0;
  let buckets = 0;
  const c0 = process.cpuUsage();
  for (let second = 0; second < 7_200 * hours; second++) {
    const h = new tree.LatencyHistogram();
    for (let i = 0; i < 100; i++) h.record(latencies[j++ & 0xffff]!);
    kept.push(h);
    if (kept.length > 60) {
      const b = kept.shift()!.buckets();
      buckets += b.length;
      if (digest) hash.update(JSON.stringify(b));
    }
  }
  const d = process.cpuUsage(c0);
  return { cpuMs: (d.user + d.system) / 1000, digest: digest ? hash.digest("hex").slice(0, 16) : String(buckets) };
}
if ("latency histogram".includes(process.env.CASE ?? "")) {
  const cpu = new Map<string, number[]>();
  const digest = new Map<string, string>();
  for (const [name, tree] of trees) digest.set(name, histograms(tree, true).digest);
  for (let i = 0; i < runs; i++) for (const [name, tree] of trees) cpu.set(name, [...(cpu.get(name) ?? []), histograms(tree).cpuMs]);
  console.log(`latency histogram, ${7_200 * hours} histograms of 100 values, each read back`);
  for (const [name] of trees) console.log(`  ${name.padEnd(16)} ${String(Math.round(median(cpu.get(name)!))).padStart(6)} ms CPU (median of ${runs}), digest ${digest.get(name)}`);
  if (trees.length === 2) {
    const [[mine], [base]] = trees as [[string, Tree], [string, Tree]];
    const same = digest.get(mine) === digest.get(base);
    if (!same) mismatch = true;
    console.log(`  CPU, this tree / baseline: ${(median(cpu.get(mine)!) / median(cpu.get(base)!)).toFixed(2)}; the same buckets: ${same ? "yes" : "NO"}`);
  }
}
if (mismatch) process.exitCode = 1;
