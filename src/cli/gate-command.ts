/**
 * `chaos gate <suite>`: a release gate in CI. Runs the suite's experiments (in parallel, each on
 * its own embedded sandbox, up to the machine's cores; one at a time on a shared --target),
 * prints a progress line per run, writes JUnit XML, Markdown and HTML into --out-dir, appends the
 * Markdown to $GITHUB_STEP_SUMMARY when set, prints GitHub annotations when GITHUB_ACTIONS=true,
 * and exits 0 when the gate passed, 1 when it failed, 4 when a run could not be judged. SIGINT,
 * SIGTERM or SIGHUP is passed on to the running runs (each rolls back, as `chaos run` does), no further run
 * starts, and the gate exits 130 with the reports of what it has.
 */
import { STOP_SIGNALS } from "./stop-signals.js";
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RealClock } from "../time/clock.js";
import { parseMargin, readSuite } from "../gate/suite.js";
import { parseShard, shardOf } from "../gate/shard.js";
import { missingBaselineText, runGate, type Spawned } from "../gate/gate.js";
import { githubAnnotations, writeGateOutputs } from "../gate/output.js";
import { baselineDirProblem, readBaseline, type Baseline } from "../gate/baseline.js";
import { experimentCatalog, resolveExperiment } from "./catalog.js";
import { usage } from "./errors.js";
import { awsRegionOf, refuseOnEmbeddedSandbox, regionFlag } from "./region-flag.js";
import { wholeNumberFlag } from "./number-flags.js";
import { selfCommand } from "./self-command.js";

export interface GateFlags {
  outDir?: string;
  target?: string;
  region?: string;
  profile?: string;
  stack?: string;
  shard?: string;
  baseline?: string;
  margin?: string;
  parallel?: string;
}

const CLI = fileURLToPath(new URL("./main.js", import.meta.url));

/** The runs going now, to pass a signal on to. */
const running = new Set<ChildProcess>();

function runChaos(args: string[], cwd: string): Promise<Spawned> {
  return new Promise((done) => {
    // Its own process group: a Ctrl-C on the terminal reaches only the gate, which passes on exactly
    // one SIGINT (a second would make `chaos run` exit without rolling back), as chaos-child.ts does.
    const [file, ...before] = selfCommand(CLI);
    const child = spawn(file!, [...before, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    running.add(child);
    child.on("exit", () => running.delete(child));
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err) => done({ code: null, stdout, stderr: `${stderr}${err.message}` }));
    child.on("close", (code, signal) => done({ code, stdout, stderr, ...(signal ? { signal } : {}) }));
  });
}

function marginFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const margin = parseMargin(text);
  if (margin === undefined) throw usage(`--margin: expected a share such as 20% or 0.2, found ${JSON.stringify(text)}${/^\s*\d+(\.\d+)?\s*$/.test(text) ? ` (a bare number is a share of 1: write ${text.trim()}% for ${text.trim()} percent)` : ""}`);
  return margin;
}

/**
 * The --baseline directory, read before any run. A path that is not a readable directory is a usage
 * error, and so is a baseline with no journal for any of the runs to be made: in CI that is an
 * artifact download that failed or went elsewhere, and a gate that compared nothing must not pass
 * as if it had. A first gate, with nothing to compare with yet, runs without --baseline. A baseline
 * that lacks only some runs (entries added since) is compared for the others, and the gate says
 * which were not.
 */
function readBaselineFlag(flag: string, cwd: string, ids: readonly string[]): Baseline {
  const dir = resolve(cwd, flag);
  const problem = baselineDirProblem(dir);
  if (problem) throw usage(`--baseline: expected the directory of an earlier gate's journals (its --out-dir), found ${JSON.stringify(flag)}: ${problem}`);
  const baseline = readBaseline(dir, ids);
  if (baseline.journals.size === 0) {
    const names = ids.length <= 3 ? ids.join(", ") : `${ids.slice(0, 3).join(", ")} and ${ids.length - 3} more`;
    throw usage(`--baseline: expected the journals of an earlier gate (<run>.json or journals/<run>.json) for this gate's runs (${names}), found none in ${JSON.stringify(flag)}; a first gate, with nothing to compare with, runs without --baseline`);
  }
  return baseline;
}

export async function gateCommand(suiteFile: string, flags: GateFlags): Promise<number> {
  const cwd = process.cwd();
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  if (flags.shard !== undefined && !shard) throw usage(`--shard: expected i/n with 1 <= i <= n, such as 1/2, found ${JSON.stringify(flags.shard)}`);
  const margin = marginFlag(flags.margin);
  const parallel = flags.parallel === undefined ? availableParallelism() : wholeNumberFlag("--parallel", flags.parallel, { min: 1 });
  // Checked here, once, as iam-policy and export check it: not by each run in turn after the suite is read.
  regionFlag("gate", flags.region);
  // Each run would refuse them on its embedded sandbox: once, before the suite is read.
  refuseOnEmbeddedSandbox(flags.target, flags);
  if (flags.target === "aws" && !awsRegionOf(flags.region)) throw usage("gate --target aws needs --region (or AWS_REGION)");
  // Every entry's experiment, vars and stack are checked before any run: a typo fails the gate at once (exit 2), not after an hour.
  const suite = await readSuite(suiteFile, resolve(cwd, suiteFile), experimentCatalog(cwd), { ownStacks: (flags.target ?? "sandbox") === "sandbox" && flags.stack === undefined });
  if (flags.stack !== undefined && flags.target !== undefined && flags.target !== "sandbox") throw usage(`--stack applies only to the embedded sandbox: ${flags.target} has whatever stack is deployed there`);
  if (flags.stack !== undefined) (await import("../sandbox/stack/load.js")).loadStack(resolve(cwd, flags.stack));
  const runs = shardOf(suite.runs, shard);
  const baseline = flags.baseline === undefined ? undefined : readBaselineFlag(flags.baseline, cwd, runs.map((r) => r.id));
  const files = new Map(runs.map((r) => [r.experiment, resolveExperiment(r.experiment, cwd)]));
  const outDir = resolve(cwd, flags.outDir ?? ".gameday/gate");
  const where = flags.target !== undefined ? `one at a time on ${flags.target}` : `${Math.min(parallel, runs.length)} at a time, each on its own embedded sandbox`;
  process.stdout.write(`gate ${suite.title}: ${runs.length} run${runs.length === 1 ? "" : "s"}${shard ? ` (shard ${shard.index}/${shard.count} of ${suite.runs.length})` : ""}, ${where}\n`);
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interrupt.signal.aborted) process.stdout.write(`${signal}: stopping the gate; the running runs roll back, no further run starts\n`);
    interrupt.abort(signal);
    // Every signal goes on to the runs: a second one makes `chaos run` exit at once and leave its ledger for `chaos recover`.
    for (const child of running) child.kill(signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const result = await runGate(suite, runs, {
    outDir,
    ...(flags.target !== undefined ? { target: flags.target } : {}),
    ...(flags.stack !== undefined ? { stack: resolve(cwd, flags.stack) } : {}),
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
    concurrency: parallel,
    project: cwd,
    ...(baseline !== undefined ? { baseline } : {}),
    ...(margin !== undefined ? { margin } : {}),
    clock: new RealClock(),
    runChaos,
    progress: (line) => process.stdout.write(`${line}\n`),
    resolveExperiment: (name) => files.get(name) ?? resolveExperiment(name, cwd),
    signal: interrupt.signal,
  }).finally(() => {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  });
  const out = writeGateOutputs(suite, result, outDir);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${out.summary}\n`);
  if (process.env.GITHUB_ACTIONS === "true") for (const line of githubAnnotations(suite, result)) process.stdout.write(`${line}\n`);
  for (const line of [...result.failures, ...result.errors]) process.stdout.write(`  ${line}\n`);
  const missing = missingBaselineText(result);
  if (missing) process.stdout.write(`warning: ${missing}\n`);
  const verdict = result.exitCode === 0 ? "passed" : result.exitCode === 1 ? "failed" : result.exitCode === 130 ? "interrupted (partial reports)" : "could not judge every run";
  process.stdout.write(`gate: ${verdict} (exit ${result.exitCode})  resilience score ${result.score.toFixed(1)}${suite.gate.minScore !== undefined ? ` (minimum ${suite.gate.minScore})` : ""}\n`);
  for (const p of [out.junit, out.markdown, out.html]) process.stdout.write(`report: ${relative(cwd, p) || p}\n`);
  return result.exitCode;
}
