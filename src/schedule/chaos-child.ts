/**
 * Runs `chaos <args>` (this same CLI) as a child process. Game days and schedules run each
 * experiment this way so that every step gets `chaos run`'s own lifecycle: its ledger, its journal
 * and its SIGINT handling, which runs the rollbacks before it exits 130.
 *
 * The child gets its own process group and session (`detached`): a Ctrl-C on the terminal, or the
 * terminal's hangup, then reaches only the parent, which forwards exactly one SIGINT (a second one
 * would make `chaos run` exit without rolling back).
 */
import { spawn } from "node:child_process";

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChaosChild {
  pid: number | undefined;
  done: Promise<ChildExit>;
  /** Sends `signal` to the child; false once it has exited. */
  signal(signal: NodeJS.Signals): boolean;
  /** What it printed, when started with output "keep". */
  output(): string;
}

export interface ChaosChildOptions {
  /** The command line that starts this CLI, before chaos's arguments (cli/self-command.ts). */
  command: readonly string[];
  cwd: string;
  /**
   * Where the child's output goes: inherited by default (it prints its own timeline); kept
   * (`output()`); or relayed, through a pipe, to this process's stdout and stderr. A relayed child
   * never holds the terminal: when the terminal hangs up it sees no EIO, and Node 20 does not
   * abort it at exit (its tcsetattr on a hung-up terminal fails an assertion, nodejs/node#51519),
   * so its rollbacks and its exit code are its own; if this process dies, its writes fail with
   * EPIPE, which it ignores (cli/closed-output.ts), and it goes on to its end.
   */
  output?: "inherit" | "keep" | "relay";
}

export function startChaos(args: readonly string[], o: ChaosChildOptions): ChaosChild {
  const out = o.output === "keep" || o.output === "relay" ? "pipe" : "inherit";
  const [file, ...before] = o.command;
  const child = spawn(file!, [...before, ...args], { cwd: o.cwd, stdio: ["ignore", out, out], detached: true });
  let kept = "";
  if (o.output === "relay") {
    child.stdout?.on("data", (d: Buffer) => void process.stdout.write(d));
    child.stderr?.on("data", (d: Buffer) => void process.stderr.write(d));
  } else {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (kept += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (kept += d));
  }
  let exited = false;
  const done = new Promise<ChildExit>((resolve) => {
    child.on("error", () => {
      exited = true;
      resolve({ code: 4, signal: null });
    });
    // "close", not "exit": the kept output is complete only once its pipes have closed.
    child.on("close", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid,
    done,
    signal: (s) => !exited && child.kill(s),
    output: () => kept,
  };
}

/** Runs any command (a pre-check); resolves with its exit code, or 127 when it cannot start. */
export function runCommand(argv: readonly string[], cwd: string): { done: Promise<ChildExit>; kill(): void } {
  const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ["ignore", "inherit", "inherit"], detached: true });
  const done = new Promise<ChildExit>((resolve) => {
    child.on("error", () => resolve({ code: 127, signal: null }));
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  return { done, kill: () => void child.kill("SIGTERM") };
}
