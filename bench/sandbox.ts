// How fast the embedded sandbox runs, as virtual seconds per wall second, on the default stack
// (with its web tasks shipping logs through the real shipper and SDK) and on the large one
// (100 instances, 1,000 tasks, 500 requests/s), measured in one run:
//   1. the stack alone for ten virtual minutes (the simulation's own speed);
//   2. `chaos run spot-interrupt` in-process: plan, FIS, probes, rollbacks, journal (what users run).
// The aim: ten virtual minutes of spot-interrupt in under one wall second on this machine.
// Run: npx tsx bench/sandbox.ts   (RUNS=n to repeat; the median run is reported)
// Each line also gives the process's CPU time for the case: on a shared machine wall time swings
// with everyone else's load, CPU time far less, so compare builds by CPU ms.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTarget } from "../src/cli/target.js";
import { loadExperimentFile, planFor } from "../src/cli/plan-command.js";
import { runExperiment } from "../src/engine/run.js";
import { Journal } from "../src/engine/journal.js";
import { Ledger } from "../src/engine/ledger.js";
import { silentLogger } from "../src/engine/ports.js";
import { SeededRandom } from "../src/random/random.js";
import { VirtualClock } from "../src/time/clock.js";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { readStreamTotals } from "../src/aws/kinesis-metrics.js";
import type { AwsClients } from "../src/aws/clients.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const stack = (name: string) => join(root, "fixtures", "stacks", name);
const runs = Number(process.env.RUNS ?? 3);
const TEN_MINUTES = 600_000;

interface Result {
  wallMs: number;
  /** User plus system CPU time of this process during the case. */
  cpuMs: number;
  virtualMs: number;
  detail: string;
}

/** The stack running on its own: stack up, then ten virtual minutes of load (and logs). */
async function stackAlone(file: string, seed: number): Promise<Result> {
  const cwd = mkdtempSync(join(tmpdir(), "gameday-bench-"));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const target = await buildTarget({ target: "sandbox", stack: stack(file), random: new SeededRandom(seed), cwd });
  target.begin();
  const clock = target.clock as VirtualClock;
  const v0 = clock.now();
  const fired = clock.fired;
  await clock.sleep(TEN_MINUTES);
  const wallMs = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  const requests = await requestCount(target.clients, target.traffic.services()[0]!, v0, clock.now());
  // Log records as an operator counts them: what the stream took (AWS/Kinesis IncomingRecords).
  const records = (await readStreamTotals(await target.clients.cloudwatch(), "app-logs", v0, clock.now())).incomingRecords;
  await target.close();
  rmSync(cwd, { recursive: true, force: true });
  return { wallMs, cpuMs, virtualMs: TEN_MINUTES, detail: `${requests} requests, ${records} log records into Kinesis, ${clock.fired - fired} timer events` };
}

/** `chaos run spot-interrupt`, minus the terminal: the whole engine on the sandbox. */
async function spotInterrupt(file: string, seed: number): Promise<Result> {
  const cwd = mkdtempSync(join(tmpdir(), "gameday-bench-"));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const random = new SeededRandom(seed);
  const loaded = await loadExperimentFile(join(root, "experiments", "spot-interrupt.yaml"), { vars: {}, varFiles: [], cwd });
  const target = await buildTarget({ target: "sandbox", stack: stack(file), random, cwd });
  const plan = await planFor(loaded, { region: target.region, accountId: target.accountId, cwd });
  const runId = `bench-${seed}`;
  const ledger = Ledger.create(cwd, { runId, experiment: loaded.file, title: plan.experiment.title, seed, target: target.record, pid: process.pid, startedAt: target.clock.now(), journalPath: join(cwd, "journal.json") });
  const journal = new Journal(join(cwd, "journal.json"), { experiment: loaded.raw, start: new Date(target.clock.now()).toISOString(), runId, seed, target: { kind: "sandbox", region: target.region }, clock: target.clock.kind, ledger: ledger.dir, secrets: [] });
  target.begin();
  const v0 = target.clock.now();
  const result = await runExperiment({
    plan,
    services: { clock: target.clock, random: random.fork("run"), aws: target.clients, traffic: target.traffic, log: silentLogger, targetKind: "sandbox", region: target.region },
    runId,
    seed,
    journal,
    ledger,
    interrupt: new AbortController().signal,
    cwd,
    accountId: target.accountId,
  });
  const virtualMs = target.clock.now() - v0;
  const wallMs = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  await target.close();
  rmSync(cwd, { recursive: true, force: true });
  return { wallMs, cpuMs, virtualMs, detail: `verdict ${result.verdict}` };
}

/** Requests the load generator counted in [from, to), read from the sandbox's CloudWatch as probes read them. */
async function requestCount(clients: AwsClients, service: string, from: number, to: number): Promise<number> {
  const cloudwatch = await clients.cloudwatch();
  const metric = { Namespace: "Gameday/LoadGenerator", MetricName: "RequestCount", Dimensions: [{ Name: "Service", Value: service }] };
  const out = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: [{ Id: "r", MetricStat: { Metric: metric, Period: 1, Stat: "Sum" } }], StartTime: new Date(Math.ceil(from / 1000) * 1000), EndTime: new Date(to) }));
  return (out.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
}

function cpuSince(c0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
}

function median(results: Result[]): Result {
  return [...results].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(results.length / 2)]!;
}

function line(name: string, r: Result): string {
  const speed = r.virtualMs / r.wallMs;
  return `${name.padEnd(34)} ${(r.virtualMs / 1000).toFixed(0).padStart(4)} virtual s in ${r.wallMs.toFixed(0).padStart(5)} ms wall = ${speed.toFixed(0).padStart(5)} virtual s per wall s, cpu ${r.cpuMs.toFixed(0).padStart(5)} ms  (${r.detail})`;
}

// Warm up module loading and the JIT once, then measure.
await spotInterrupt("default.yaml", 0);
const cases: [string, (seed: number) => Promise<Result>][] = [
  ["default stack alone, 10 virtual min", (s) => stackAlone("default.yaml", s)],
  ["large stack alone, 10 virtual min", (s) => stackAlone("large.yaml", s)],
  ["spot-interrupt on the default stack", (s) => spotInterrupt("default.yaml", s)],
  ["spot-interrupt on the large stack", (s) => spotInterrupt("large.yaml", s)],
];
const medians = new Map<string, Result>();
for (const [name, run] of cases) {
  const results: Result[] = [];
  for (let i = 1; i <= runs; i++) results.push(await run(i));
  medians.set(name, median(results));
  console.log(line(name, medians.get(name)!));
}
const perTenMinutes = (r: Result) => (r.wallMs * TEN_MINUTES) / r.virtualMs;
const d = medians.get("spot-interrupt on the default stack")!;
const l = medians.get("spot-interrupt on the large stack")!;
console.log(`spot-interrupt: ten virtual minutes cost ${perTenMinutes(d).toFixed(0)} ms wall on the default stack, ${perTenMinutes(l).toFixed(0)} ms on the large one (aim: under 1000 ms)`);
console.log(`large/default wall-time ratio for spot-interrupt: ${(l.wallMs / d.wallMs).toFixed(1)}x (median of ${runs} runs each)`);
