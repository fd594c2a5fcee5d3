/**
 * When V8's optimizing compiler (TurboFan) may start. A short run spends more on optimizing
 * compiles than the optimized code saves it, and a longer one gains from them: with TurboFan off
 * (`node --no-opt`), `chaos run spot-interrupt` (about 1.6 s of CPU) and task-kill used about
 * 0.8x the CPU (and 0.9x the memory), while kinesis-throttle (3.5 s) used 1.1x to 1.25x, the
 * more the longer TurboFan stayed off (bench/whole-process.mjs, run for run against TurboFan on).
 * So the CLI starts with TurboFan off and switches it on once the process has used
 * OPTIMIZE_AFTER_CPU_MS of CPU, about the length of a spot-interrupt run: the interpreter and the
 * baseline compiler (Sparkplug) run everything until then. A long run (the 17-hour outage, a gate,
 * `chaos explore`) is optimized as before after its first 1.5 s.
 *
 * The check rides on garbage collections, which every command that runs long enough to matter has
 * many of (a spot-interrupt run about 30), so no timer keeps a finished process alive and nothing
 * reads the wall clock. V8 reads the flag at each tiering decision, so switching it from inside
 * the process takes effect at once. A tiering flag given to node (`node --no-opt`, `--turbofan`,
 * `--max-opt=…`) wins. The V8 code cache keeps entries per flag set (src/aws/sdk/code-cache.ts).
 */
import { PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";

/** CPU time (user + system, all threads) after which TurboFan is switched on. */
export const OPTIMIZE_AFTER_CPU_MS = 1_500;

const TIERING_FLAG = /^--(no-)?(opt|turbofan|max-opt|maglev|always-opt|always-turbofan)\b/;

/** The process's CPU time so far in milliseconds. */
function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Switches TurboFan on now, for a command known to run long; set by optimizeLongRunsOnly, or nothing. */
let switchOnNow: (() => void) | undefined;

/**
 * Starts with TurboFan off and switches it on after `afterCpuMs`, checked at each garbage
 * collection; false (nothing changed) when node was given a tiering flag. The last three
 * parameters are for tests.
 */
export function optimizeLongRunsOnly(
  execArgv: readonly string[] = process.execArgv,
  set: (flags: string) => void = setFlagsFromString,
  cpuMs: () => number = processCpuMs,
  afterCpuMs: number = OPTIMIZE_AFTER_CPU_MS,
): boolean {
  if (execArgv.some((a) => TIERING_FLAG.test(a))) return false;
  set("--no-opt");
  const observer = new PerformanceObserver(() => {
    if (cpuMs() >= afterCpuMs) switchOnNow?.();
  });
  switchOnNow = () => {
    switchOnNow = undefined;
    observer.disconnect();
    set("--opt");
  };
  observer.observe({ entryTypes: ["gc"] });
  return true;
}

/**
 * For a command that is long by nature (`chaos sandbox serve`, a server paced to the wall clock,
 * where falling behind early shows as latency): TurboFan on from here, not after the first
 * OPTIMIZE_AFTER_CPU_MS. Does nothing when it is already on or node was given a tiering flag.
 */
export function optimizeFromNow(): void {
  switchOnNow?.();
}
