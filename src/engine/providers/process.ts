/**
 * Chaos Toolkit's `process` provider: run a program, capture its exit status and output. As in
 * Chaos Toolkit, a non-zero exit is not a failure (the tolerance decides); only a program that
 * cannot start or runs past its timeout fails the activity. A list of arguments runs without a
 * shell; a string runs through /bin/sh -c.
 *
 * The process is real, so the virtual clock is held while it runs, and its timeout is a real-time
 * limit (Node's spawn `timeout`): a child does not run on simulated time.
 */
import { spawn } from "node:child_process";
import type { ProcessProvider } from "../../experiment/model.js";
import { whileHolding, type Clock } from "../../time/clock.js";
import { ActivityFailure } from "./failure.js";

export interface ProcessOutput {
  status: number | null;
  stdout: string;
  stderr: string;
}

const MAX_CAPTURE = 1024 * 1024;

export function runProcess(provider: ProcessProvider, clock: Clock, options: { signal?: AbortSignal; timeoutMs?: number; cwd?: string }): Promise<ProcessOutput> {
  return whileHolding(clock, () => spawnAndWait(provider, options));
}

function spawnAndWait(provider: ProcessProvider, options: { signal?: AbortSignal; timeoutMs?: number; cwd?: string }): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    const timeoutMs = minDefined(provider.timeout, options.timeoutMs);
    const useShell = typeof provider.arguments === "string";
    const args = useShell ? ["-c", `${provider.path} ${provider.arguments as string}`] : (provider.arguments as string[]);
    const command = useShell ? "/bin/sh" : provider.path;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...provider.env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(timeoutMs !== undefined ? { timeout: timeoutMs, killSignal: "SIGKILL" as const } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += d;
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (err.name === "AbortError") reject(new ActivityFailure("the run was interrupted while the process ran"));
      else if (err.code === "ENOENT") reject(new ActivityFailure(`cannot run ${provider.path}: no such file or not on PATH`));
      else if (err.code === "EACCES") reject(new ActivityFailure(`cannot run ${provider.path}: not executable`));
      else reject(new ActivityFailure(`cannot run ${provider.path}: ${err.message}`));
    });
    child.on("close", (status, signal) => {
      if (signal === "SIGKILL" && timeoutMs !== undefined) {
        reject(new ActivityFailure(`${provider.path} ran past its timeout of ${timeoutMs} ms and was killed`));
        return;
      }
      resolve({ status, stdout, stderr });
    });
  });
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
