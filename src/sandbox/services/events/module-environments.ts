/**
 * The execution environments of one user handler module: worker threads running
 * handler-worker.mjs. Like Lambda, an environment is kept warm between invocations (module-level
 * state such as an SDK client survives), a second one starts when two invocations overlap, and an
 * environment whose invocation timed out is ended: the thread is terminated, so a hung promise,
 * a pending timer or a busy loop neither runs on nor keeps the process alive.
 *
 * Times here are wall-clock (the `wall` Clock): a module does real work on real sockets, and the
 * virtual clock is held while it runs, so a guard against hangs has to be in real time.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Worker } from "node:worker_threads";
import type { Clock } from "../../../time/clock.js";

/** A handler module that cannot be used: no such file, no handler export, an import that fails. Input, not a crash. */
export class HandlerLoadError extends Error {
  override readonly name = "HandlerLoadError";
}

export interface ModuleOutcome {
  outcome: "ok" | "error" | "timeout";
  result?: unknown;
  error?: Error;
  /** Wall-clock milliseconds from the invocation to its outcome. */
  durationMs: number;
}

export interface ModuleEnvironmentsOptions {
  /** Absolute path of the module. */
  file: string;
  /** How the user named it, for messages: `--handler drain.mjs`, `rule slow: handler ./hang.mjs`. */
  label: string;
  /** The environment's whole process.env: the host's is not inherited, as in Lambda. */
  env: Record<string, string>;
  wall: Clock;
  /** Each line the module writes to stdout or stderr. */
  log(line: string): void;
}

const WORKER = new URL("./handler-worker.mjs", import.meta.url);
/** Lambda's limit for a function's init phase (loading the module). */
export const INIT_LIMIT_MS = 10_000;

type FromWorker =
  | { type: "ready" }
  | { type: "load-error"; kind: "missing" | "export" | "import"; name?: string; message?: string; found?: string }
  | { type: "result"; id: number; outcome: "ok"; result: unknown }
  | { type: "result"; id: number; outcome: "error"; error: { name: string; message: string } };

export class ModuleEnvironments {
  private readonly idle: Worker[] = [];
  private readonly live = new Set<Worker>();
  private nextId = 1;

  constructor(private readonly o: ModuleEnvironmentsOptions) {}

  /** Starts the first environment now, so that a missing file or export is reported before the run. */
  async start(): Promise<void> {
    this.park(await this.spawn());
  }

  /** Environments currently alive (warm or running), for tests and diagnostics. */
  get size(): number {
    return this.live.size;
  }

  /** Runs one invocation; never rejects. At `timeoutMs` the environment running it is terminated. */
  invoke(event: unknown, context: Record<string, unknown>, timeoutMs: number): Promise<ModuleOutcome> {
    const { wall } = this.o;
    const began = wall.now();
    return new Promise((resolve) => {
      let worker: Worker | undefined;
      let detach = (): void => {};
      let settled = false;
      const finish = (o: Omit<ModuleOutcome, "durationMs">, atLeastMs = 0): void => {
        if (settled) return;
        settled = true;
        cancelGuard();
        detach();
        resolve({ ...o, durationMs: Math.max(atLeastMs, Math.round(wall.now() - began)) });
      };
      const cancelGuard = wall.setTimer(timeoutMs, () => {
        // A timer can fire a millisecond early by the clock that reads now(); an invocation that
        // timed out ran for its whole timeout, as Lambda reports it ("Task timed out after 0.30 seconds").
        finish({ outcome: "timeout" }, timeoutMs);
        if (worker) this.kill(worker);
      });
      this.acquire().then(
        (w) => {
          // Timed out while starting: the fresh environment is still good for the next invocation.
          if (settled) return this.park(w);
          worker = w;
          w.ref();
          const id = this.nextId++;
          const onMessage = (m: FromWorker): void => {
            if (m.type !== "result" || m.id !== id) return;
            finish(m.outcome === "ok" ? { outcome: "ok", result: m.result } : { outcome: "error", error: asError(m.error) });
            this.park(w);
          };
          // An uncaught exception or unhandled rejection ends the environment, as it ends Lambda's runtime.
          const onError = (err: Error): void => {
            finish({ outcome: "error", error: err });
            this.kill(w);
          };
          const onExit = (code: number): void => {
            finish({ outcome: "error", error: asError({ name: "Runtime.ExitError", message: `the handler's environment exited with code ${code}` }) });
            this.kill(w);
          };
          w.on("message", onMessage);
          w.on("error", onError);
          w.on("exit", onExit);
          detach = () => {
            w.off("message", onMessage);
            w.off("error", onError);
            w.off("exit", onExit);
          };
          w.postMessage({ type: "invoke", id, event, context, remainingMs: Math.max(0, timeoutMs - (wall.now() - began)) });
        },
        (err: unknown) => finish({ outcome: "error", error: err instanceof Error ? err : new Error(String(err)) }),
      );
    });
  }

  /** Terminates every environment. */
  async close(): Promise<void> {
    const all = [...this.live];
    this.live.clear();
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private acquire(): Promise<Worker> {
    const warm = this.idle.pop();
    return warm ? Promise.resolve(warm) : this.spawn();
  }

  /** Back to the warm pool; a warm environment does not keep the process alive. */
  private park(w: Worker): void {
    if (!this.live.has(w)) return;
    w.unref();
    this.idle.push(w);
  }

  private kill(w: Worker): void {
    this.live.delete(w);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    void w.terminate();
  }

  private spawn(): Promise<Worker> {
    const { file, label, env, wall } = this.o;
    const worker = new Worker(WORKER, { workerData: { file }, env, stdout: true, stderr: true });
    this.live.add(worker);
    this.forwardLines(worker.stdout);
    this.forwardLines(worker.stderr);
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err?: HandlerLoadError): void => {
        if (settled) return;
        settled = true;
        cancelGuard();
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (!err) return resolve(worker);
        this.kill(worker);
        reject(err);
      };
      const fail = (what: string) => done(new HandlerLoadError(`${label}: ${what}`));
      const onMessage = (m: FromWorker): void => {
        if (m.type === "ready") done();
        else if (m.type === "load-error") fail(loadProblem(m));
      };
      const onError = (err: Error): void => fail(`expected a module that loads, found ${err.name}: ${err.message}`);
      const onExit = (code: number): void => fail(`expected a module that loads, found its environment exited with code ${code} while loading`);
      const cancelGuard = wall.setTimer(INIT_LIMIT_MS, () => fail(`expected a module that loads within ${INIT_LIMIT_MS / 1000} s (Lambda's init limit), found it still loading`));
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
  }

  private forwardLines(stream: Readable): void {
    createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => this.o.log(line));
  }
}

function loadProblem(m: Extract<FromWorker, { type: "load-error" }>): string {
  switch (m.kind) {
    case "missing":
      return "expected a JavaScript module file, found no such file";
    case "export":
      return `expected the module to export a function "handler(event, context)", found ${m.found ?? "no such export"}`;
    default:
      return `expected a module that loads, found ${m.name ?? "Error"}: ${m.message ?? "(no message)"}`;
  }
}

function asError(e: { name: string; message: string }): Error {
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
