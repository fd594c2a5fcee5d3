/** Runs the compiled CLI as a user would: a child process in a scratch directory. */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));
export const REPO = fileURLToPath(new URL("../../", import.meta.url));
/** The `chaos` launcher (package.json "bin"): the startup snapshot when built, else main.js. */
export const LAUNCHER = fileURLToPath(new URL("../../bin/chaos", import.meta.url));

/**
 * How the e2e tests start the CLI: `node dist/src/cli/main.js` (the default), or with
 * GAMEDAY_E2E_LAUNCHER=1 through bin/chaos, so that the suite can be run against the snapshot.
 */
export function cliCommand(args: string[], via: "main" | "launcher" = process.env.GAMEDAY_E2E_LAUNCHER === "1" ? "launcher" : "main"): [string, string[]] {
  return via === "launcher" ? [LAUNCHER, args] : [process.execPath, [CLI, ...args]];
}

export function scratch(): string {
  return mkdtempSync(join(tmpdir(), "gameday-e2e-"));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** Resolves when stdout has printed text matching `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
  done: Promise<CliResult>;
}

export function start(args: string[], options: { cwd: string; env?: Record<string, string>; via?: "main" | "launcher" }): Running {
  const [command, argv] = cliCommand(args, options.via);
  const child = spawn(command, argv, { cwd: options.cwd, env: { ...process.env, NO_COLOR: "1", ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(stdout)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    done,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stdout)) return resolve();
        waiters.push({ pattern, resolve });
        void done.then((r) => reject(new Error(`exited (${r.code}) before printing ${pattern}:\n${r.stdout}\n${r.stderr}`)));
      }),
  };
}

export function chaos(args: string[], options: { cwd: string; env?: Record<string, string>; via?: "main" | "launcher" }): Promise<CliResult> {
  return start(args, options).done;
}

/** One entry of a run's ledger, as the tests read it. */
export interface LedgerLine {
  op: string;
  id: string;
  ok?: boolean;
  note?: string;
  description?: string;
  undo?: { type: string; experimentId?: string; containerInstances?: string[] };
}

/** The ledger of the one run in `dir`. */
export function ledgerOf(dir: string): LedgerLine[] {
  const runs = join(dir, ".gameday", "runs");
  const [run] = readdirSync(runs);
  return readFileSync(join(runs, run!, "ledger.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as LedgerLine);
}

/** Polls (real time: the CLI is another process) until `condition` holds, for up to 30 s. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** An experiment that places a marker file, pauses for an hour, and removes the marker in its declared rollback. */
export function markerExperiment(dir: string, marker: string): string {
  const file = join(dir, "marker.yaml");
  const node = JSON.stringify(process.execPath);
  writeFileSync(
    file,
    [
      "title: leaves a marker while it runs",
      "description: the rollback removes the marker",
      "method:",
      "  - type: action",
      "    name: place-marker",
      `    provider: { type: process, path: ${node}, arguments: ["-e", ${JSON.stringify(`require("fs").writeFileSync(${JSON.stringify(marker)}, "changed")`)}] }`,
      "  - pause: PT1H",
      "rollbacks:",
      "  - type: action",
      "    name: remove-marker",
      `    provider: { type: process, path: ${node}, arguments: ["-e", ${JSON.stringify(`require("fs").rmSync(${JSON.stringify(marker)}, { force: true })`)}] }`,
      "",
    ].join("\n"),
  );
  return file;
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * An endpoint that accepts connections and answers nothing: a `--target` for experiments that make
 * no AWS calls, so that they run in real time (no sandbox spending the machine's CPU) and pass the
 * run's check that something listens there. Close it when the test is done.
 */
export async function idleEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** A `chaos sandbox serve` child on a free port, once it says it is serving. */
export interface Served extends Running {
  port: number;
  endpoint: string;
}

/** Starts `chaos sandbox serve` on a free port (extra flags: --speed, --seed, --stack) and waits until it serves. */
export async function serveSandbox(flags: string[], options: { cwd?: string } = {}): Promise<Served> {
  const port = await freePort();
  const s = start(["sandbox", "serve", "--port", String(port), ...flags], { cwd: options.cwd ?? scratch() });
  await s.waitFor(/serving on/);
  return { ...s, port, endpoint: `http://127.0.0.1:${port}` };
}

/**
 * `serveSandbox` for one test file: every sandbox it starts is stopped (SIGTERM, then awaited) when
 * the file's tests end, so that a failed or timed-out test leaves no server behind.
 */
export function servesForThisFile(): typeof serveSandbox {
  const serves: Served[] = [];
  afterAll(async () => {
    for (const s of serves) {
      s.child.kill("SIGTERM");
      await s.done;
    }
  });
  return async (flags, options) => {
    const s = await serveSandbox(flags, options);
    serves.push(s);
    return s;
  };
}

/** At most `n` of the returned function's tasks run at once. */
export function limit(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
