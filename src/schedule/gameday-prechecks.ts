/**
 * A runbook's pre-checks, which must all pass before any step starts: a command that exits 0, a
 * URL that answers the expected status, or `chaos <args>` (a `chaos run x --dry` plan, say), run
 * against the game day's target.
 */
import type { Clock } from "../time/clock.js";
import { errorMessage } from "../engine/signals.js";
import { runCommand, startChaos } from "./chaos-child.js";
import type { PreCheck } from "./gameday-runbook.js";

const HTTP_TIMEOUT_MS = 10_000;

/** The game day's target, as given to `chaos gameday`. */
export interface GamedayTarget {
  target: string;
  region?: string;
  profile?: string;
}

/** Which of the target options each chaos command accepts. */
const TARGET_OPTIONS: Readonly<Record<string, readonly (keyof GamedayTarget)[]>> = {
  run: ["target", "region", "profile"],
  plan: ["target", "region", "profile"],
  lint: ["target", "region", "profile"],
  recover: ["target", "region", "profile"],
  stop: ["target", "region", "profile"],
  gate: ["target"],
};

/**
 * A `chaos:` pre-check's arguments with the game day's target options added, for a command that
 * accepts them: a plan that "resolves" on the embedded sandbox says nothing about `--target aws`.
 * A pre-check that names its own `--target` keeps it, and then gets none of the game day's
 * options; one it names itself (`--region`) is kept as well.
 */
export function withGamedayTarget(args: readonly string[], t: GamedayTarget): string[] {
  const accepted = TARGET_OPTIONS[args[0] ?? ""] ?? [];
  const names = (o: string) => args.some((a) => a === `--${o}` || a.startsWith(`--${o}=`));
  if (accepted.length === 0 || names("target")) return [...args];
  const out = [...args];
  for (const o of accepted) {
    const v = t[o];
    if (v !== undefined && !names(o)) out.push(`--${o}`, v);
  }
  return out;
}

export async function runPreCheck(check: PreCheck, o: { clock: Clock; command: readonly string[]; cwd: string; signal: AbortSignal; target: GamedayTarget }): Promise<{ ok: boolean; detail: string }> {
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
  const child = "command" in check ? runCommand(check.command, o.cwd) : startChaos(withGamedayTarget(check.chaos, o.target), { command: o.command, cwd: o.cwd, output: "keep" });
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
