// @ts-check
/**
 * One execution environment for a user's handler module, in its own worker thread: the sandbox's
 * stand-in for a Lambda environment. It loads the module once (the init phase), says "ready" or why
 * not, then runs one invocation at a time. The parent terminates the thread when an invocation
 * times out, as Lambda ends an environment whose function timed out; a hung promise or a busy loop
 * then stops too.
 *
 * Plain ESM JavaScript with only node: imports on purpose: a worker thread does not get the test
 * runner's TypeScript loader, so this same file runs from src/ under tests and from dist/.
 *
 * `getRemainingTimeInMillis` reads this thread's monotonic clock (performance.now): the handler's
 * timeout is a wall-clock guard (virtual time stands still while a handler runs), and a synchronous
 * answer cannot be fetched from the parent's Clock.
 */
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";

const port = /** @type {import("node:worker_threads").MessagePort} */ (parentPort);
const { file } = /** @type {{ file: string }} */ (workerData);

/** @param {unknown} err */
function describeError(err) {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: "Error", message: typeof err === "string" ? err : JSON.stringify(err) ?? String(err) };
}

/** @typedef {(event: unknown, context: object, callback: (err: unknown, result?: unknown) => void) => unknown} Handler */
/** @type {Handler | undefined} */
let handler;
try {
  if (!existsSync(file)) throw Object.assign(new Error("no such file"), { code: "ENOENT" });
  const mod = /** @type {Record<string, unknown>} */ (await import(pathToFileURL(file).href));
  const fn = mod.handler ?? mod.default;
  if (typeof fn !== "function") {
    port.postMessage({ type: "load-error", kind: "export", found: fn === undefined ? "no such export" : typeof fn });
  } else {
    handler = /** @type {typeof handler} */ (fn);
  }
} catch (err) {
  const code = /** @type {{ code?: unknown }} */ (err)?.code;
  port.postMessage({ type: "load-error", kind: code === "ENOENT" ? "missing" : "import", ...describeError(err) });
}

/** Posts the result; one that cannot be cloned (functions, class instances with methods) goes as JSON. */
/** @param {number} id @param {unknown} result */
function postResult(id, result) {
  try {
    port.postMessage({ type: "result", id, outcome: "ok", result });
  } catch {
    port.postMessage({ type: "result", id, outcome: "ok", result: result === undefined ? undefined : JSON.parse(JSON.stringify(result)) });
  }
}

// Without a handler the thread ends here; the parent has been told why.
if (handler) serve(handler);

/** @param {Handler} handler */
function serve(handler) {
  port.postMessage({ type: "ready" });
  port.on("message", (/** @type {{ type: "invoke", id: number, event: unknown, context: Record<string, unknown>, remainingMs: number }} */ msg) => {
    if (msg.type !== "invoke") return;
    const deadline = performance.now() + msg.remainingMs;
    const context = { ...msg.context, getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())) };
    // Lambda's Node runtime accepts an async handler or one that calls back.
    new Promise((resolve, reject) => {
      const returned = handler(msg.event, context, (err, result) => (err ? reject(err) : resolve(result)));
      if (returned != null && typeof (/** @type {{ then?: unknown }} */ (returned).then) === "function") /** @type {Promise<unknown>} */ (returned).then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    }).then(
      (result) => postResult(msg.id, result),
      (err) => port.postMessage({ type: "result", id: msg.id, outcome: "error", error: describeError(err) }),
    );
  });
}
