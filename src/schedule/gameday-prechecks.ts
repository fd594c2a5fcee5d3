/**
 * A runbook's pre-checks, which must all pass before any step starts: a command that exits 0, a
 * URL that answers the expected status, or `chaos <args>` (a `chaos run x --dry` plan, say).
 */
import type { Clock } from "../time/clock.js";
import { errorMessage } from "../engine/signals.js";
import { runCommand, startChaos } from "./chaos-child.js";
import type { PreCheck } from "./gameday-runbook.js";

const HTTP_TIMEOUT_MS = 10_000;

export async function runPreCheck(check: PreCheck, o: { clock: Clock; command: readonly string[]; cwd: string; signal: AbortSignal }): Promise<{ ok: boolean; detail: string }> {
  if ("http" in check) {
    const want = check.http.status ?? 200;
    const controller = new AbortController();
    const cancel = o.clock.setTimer(HTTP_TIMEOUT_MS, () => controller.abort(new Error(`no answer within ${HTTP_TIMEOUT_MS / 1000} s`)));
    const onAbort = () => controller.abort(o.signal.reason);
    o.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const res = await fetch(check.http.url, { signal: controller.signal });
      await res.body?.cancel();
      return { ok: res.status === want, detail: `HTTP ${res.status}${res.status === want ? "" : `, expected ${want}`}` };
    } catch (err) {
      const reason = controller.signal.aborted ? controller.signal.reason : err;
      return { ok: false, detail: errorMessage((reason as { cause?: unknown })?.cause ?? reason) };
    } finally {
      cancel();
      o.signal.removeEventListener("abort", onAbort);
    }
  }
  // A chaos pre-check's output (a whole plan) is shown only when it fails.
  const child = "command" in check ? runCommand(check.command, o.cwd) : startChaos(check.chaos, { command: o.command, cwd: o.cwd, output: "keep" });
  const stop = () => ("kill" in child ? child.kill() : child.signal("SIGINT"));
  o.signal.addEventListener("abort", stop, { once: true });
  try {
    const exit = await child.done;
    if (exit.code === 127 && "command" in check) return { ok: false, detail: `${check.command[0]} could not be started` };
    const detail = exit.code === null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    const said = "output" in child && exit.code !== 0 ? lastLine(child.output()) : undefined;
    return { ok: exit.code === 0, detail: said ? `${detail}: ${said}` : detail };
  } finally {
    o.signal.removeEventListener("abort", stop);
  }
}

function lastLine(text: string): string | undefined {
  return text.trimEnd().split("\n").pop()?.trim() || undefined;
}
