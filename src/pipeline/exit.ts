/**
 * Exit handling for an app that logs through gameday/pipeline: `installExitHandlers(logger)`.
 *
 * Without a handler, Node's default for SIGTERM and SIGINT is to die at once: no 'exit' event, so
 * pino never flushes its buffer to the transport worker and the worker never closes the shipper.
 * Every line still in the app's memory, in pino's buffer and in the shipper's memory is lost (ECS
 * sends SIGTERM on every task stop, scale-in and deployment). With it, the first SIGTERM or SIGINT
 * asks pino to flush (the transport resolves that when every line has left memory: acked by
 * Kinesis or on disk) for at most deadlineMs, then exits with the conventional code (128 + the
 * signal's number: 143, 130); process.exit() runs pino's exit hook, which ends the transport, and
 * the shipper's close() puts whatever is still unsent on disk. A second signal exits at once.
 *
 * Apps with their own shutdown (closing servers first) call `flushAndExit` from it instead.
 */
import { constants } from "node:os";
import { RealClock, type Clock } from "../time/clock.js";

/** The part of a pino logger this needs. */
export interface Flushable {
  flush(callback?: (error?: Error) => void): void;
}

export interface ExitOptions {
  /** How long to wait for the flush before exiting anyway (the shipper's close still runs). Default 5 s. */
  deadlineMs?: number;
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  /** For tests; the wall clock otherwise. */
  clock?: Clock;
  /** For tests; process.exit otherwise. */
  exit?: (code: number) => void;
}

export const EXIT_DEFAULTS = { deadlineMs: 5_000, signals: ["SIGTERM", "SIGINT"] as NodeJS.Signals[] };

/** Installs the handlers; returns a function that removes them. */
export function installExitHandlers(logger: Flushable, options: ExitOptions = {}): () => void {
  if (!logger || typeof logger.flush !== "function") throw new TypeError("installExitHandlers: expected a pino logger (something with flush(callback))");
  const signals = options.signals ?? EXIT_DEFAULTS.signals;
  let exiting = false;
  const handler = (signal: NodeJS.Signals) => {
    const code = exitCodeOf(signal);
    const exit = options.exit ?? ((c: number) => process.exit(c));
    if (exiting) return exit(code);
    exiting = true;
    void flushAndExit(logger, code, options);
  };
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}

/** Flushes `logger` for at most deadlineMs, then exits with `code`. */
export async function flushAndExit(logger: Flushable, code: number, options: ExitOptions = {}): Promise<void> {
  const clock = options.clock ?? new RealClock();
  const exit = options.exit ?? ((c: number) => process.exit(c));
  const stop = new AbortController();
  const flushed = new Promise<void>((resolve) => {
    try {
      // A flush error (the worker died) changes nothing here: exit is what is left to do.
      logger.flush(() => resolve());
    } catch {
      resolve();
    }
  });
  await Promise.race([flushed, clock.sleep(options.deadlineMs ?? EXIT_DEFAULTS.deadlineMs, stop.signal).catch(() => undefined)]);
  stop.abort();
  exit(code);
}

/** 128 + the signal's number, as a shell reports a process killed by it. */
export function exitCodeOf(signal: NodeJS.Signals): number {
  const n = constants.signals[signal];
  return n === undefined ? 1 : 128 + n;
}
