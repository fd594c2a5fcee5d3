/**
 * Turns run events into what a person reads: on a terminal, a coloured timeline with a live status
 * line for the step in progress; elsewhere plain lines (one per event, no escape codes); with
 * `--log-format json`, structured pino logs on stderr (the plain summary stays on stdout).
 */
import type { RunEvent } from "../engine/events.js";
import type { TraceEntry } from "../sandbox/kernel.js";

export type LogFormat = "pretty" | "plain" | "json";

export interface Renderer {
  event(e: RunEvent): void;
  trace(t: TraceEntry): void;
  /** Clears the live line before anything else is printed. */
  close(): void;
}

interface Out {
  write(text: string): void;
}

const colours = {
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[22m`,
  red: (s: string) => `\x1b[31m${s}\x1b[39m`,
  green: (s: string) => `\x1b[32m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[39m`,
};
const plainColours: typeof colours = { dim: (s) => s, bold: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s, cyan: (s) => s };

/**
 * Which sandbox events the timeline shows by default (everything with --verbose): what changes the
 * story of the experiment, not bookkeeping such as template creation or every task placement.
 */
export function isNotable(t: TraceEntry): boolean {
  const status = typeof t.detail?.status === "string" ? t.detail.status : undefined;
  switch (`${t.source}:${t.kind}`) {
    case "fis:template-created":
    case "fis:template-updated":
    case "fis:target-resolved":
    case "sandbox:start":
    case "alb:target-registered":
    case "ecs:task-placed":
      return false;
    case "fis:experiment-state":
    case "fis:action-state":
      return status === undefined || !["pending", "initiating"].includes(status);
    case "ecs:task-state":
      return /STOPPED|STOPPING/.test(t.message);
    default:
      return true;
  }
}

export function elapsed(ms: number): string {
  const sign = ms < 0 ? "-" : "+";
  const t = Math.abs(ms);
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  // Tenths truncated, not rounded: 59.96 s is "59.9", never "60.0".
  const tenths = Math.floor((t % 60_000) / 100);
  const s = `${String(Math.floor(tenths / 10)).padStart(2, "0")}.${tenths % 10}`;
  return `${sign}${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${s}`;
}

/** A probe that keeps failing the same way: shown once, then counted until it changes. */
interface Repeat {
  probe: string;
  mode: string;
  summary: string;
  count: number;
  lastAt: number;
}

export class TimelineRenderer implements Renderer {
  private origin: number | undefined;
  private live = "";
  private readonly c: typeof colours;
  /** The last failing reading shown per probe and mode, and how many identical ones followed it. */
  private readonly repeats = new Map<string, Repeat>();

  /**
   * `tty`: a terminal, so keep a live status line; `colour` (default: `tty`) paints the lines, and
   * is off under NO_COLOR, which takes away colours only.
   */
  constructor(
    private readonly out: Out,
    private readonly options: { tty: boolean; colour?: boolean; verbose: boolean },
  ) {
    this.c = (options.colour ?? options.tty) ? colours : plainColours;
  }

  private line(at: number, text: string): void {
    this.origin ??= at;
    this.clearLive();
    this.out.write(`${this.c.dim(elapsed(at - this.origin))}  ${text}\n`);
    this.redrawLive();
  }

  private setLive(text: string): void {
    if (!this.options.tty) return;
    this.clearLive();
    this.live = text;
    this.redrawLive();
  }

  private clearLive(): void {
    if (this.options.tty && this.live) this.out.write("\r\x1b[2K");
  }

  private redrawLive(): void {
    if (this.options.tty && this.live) this.out.write(this.c.dim(`… ${this.live}`));
  }

  close(): void {
    this.flushRepeats();
    this.clearLive();
    this.live = "";
  }

  /** Says how often the shown failures repeated since (for one probe and mode, or all), at `at`. */
  private flushRepeats(key?: string, at?: number): void {
    for (const [k, r] of [...this.repeats]) {
      if (key !== undefined && k !== key) continue;
      this.repeats.delete(k);
      if (r.count === 0 || this.origin === undefined) continue;
      this.line(at ?? r.lastAt, `${this.c.red("✗")} ${r.probe} ${this.c.dim(`(${r.mode})`)} … failing again (×${r.count}, last at ${elapsed(r.lastAt - this.origin)})`);
    }
  }

  trace(t: TraceEntry): void {
    // The stack coming up before the run is not part of the experiment's timeline.
    if (this.origin === undefined) return;
    if (!this.options.verbose && !isNotable(t)) return;
    this.line(t.at, `  ${this.c.dim(`${t.source}:`)} ${t.message}`);
  }

  event(e: RunEvent): void {
    const c = this.c;
    switch (e.type) {
      case "run-started":
        this.origin = e.at;
        this.out.write(`${c.bold(e.title)}\n${c.dim(`run ${e.runId}  seed ${e.seed}  target ${e.target}  clock ${e.clock}`)}\n`);
        return;
      case "phase":
        this.flushRepeats(undefined, e.at);
        this.line(e.at, c.cyan(c.bold(e.phase.replace(/-/g, " "))));
        this.setLive(e.phase.replace(/-/g, " "));
        return;
      case "step-started":
        this.line(e.at, `${c.cyan("▶")} ${e.kind} ${c.bold(e.step)}${e.detail ? ` ${c.dim(e.detail)}` : ""}`);
        this.setLive(`${e.kind} ${e.step}`);
        return;
      case "step-ended":
        if (e.status === "failed") this.line(e.at, `${c.red("✗")} ${e.step} failed${e.detail ? `: ${e.detail}` : ""}`);
        else if (e.detail) this.line(e.at, `  ${c.dim(`${e.step}: ${e.detail}`)}`);
        return;
      case "reading": {
        // A probe failing the same way every interval would fill the screen with one line:
        // count the repeats and print them when something changes (json logs keep every one).
        const key = `${e.probe}\u0000${e.mode}`;
        const last = this.repeats.get(key);
        if (!e.ok && last && last.summary === e.summary) {
          last.count++;
          last.lastAt = e.at;
          return;
        }
        this.flushRepeats(key, e.at);
        this.line(e.at, `${e.ok ? c.green("✓") : c.red("✗")} ${e.probe} ${c.dim(`(${e.mode})`)} ${e.summary}`);
        if (!e.ok) this.repeats.set(key, { probe: e.probe, mode: e.mode, summary: e.summary, count: 0, lastAt: e.at });
        return;
      }
      case "probe-verdict":
        this.flushRepeats(`${e.probe}\u0000${e.mode}`, e.at);
        if (e.verdict === "passed") this.line(e.at, `${c.green("✓")} ${e.probe} ${c.dim(`[${e.mode}]`)} ${c.dim(e.summary)}`);
        else this.line(e.at, `${e.verdict === "failed" ? c.red("✗") : c.yellow("?")} ${e.probe} ${c.dim(`[${e.mode}]`)} ${e.verdict}: ${e.summary}`);
        return;
      case "fault-started":
        this.line(e.at, `${c.yellow("⚡")} ${e.fault}${e.experimentId ? ` ${c.dim(e.experimentId)}` : ""} → ${e.targets.join(", ") || "no targets"}`);
        return;
      case "fault-verified":
        this.line(e.at, `${e.landed ? c.green("✓") : c.red("✗")} ${e.step} ${e.landed ? "landed" : "did not land"}: ${e.detail}`);
        return;
      case "observation":
        this.line(e.at, `  ${c.dim(`${e.source}:`)} ${e.observation.message}`);
        return;
      case "trace":
        this.line(e.at, `  ${c.dim(`${e.source}:`)} ${e.message}`);
        return;
      case "stop-condition":
        this.line(e.at, c.red(`■ stop condition ${e.probe} breached: ${e.reason}`));
        return;
      case "interrupted":
        this.line(e.at, c.yellow(`■ ${e.signal}: stopping the method and rolling back (again to exit at once)`));
        return;
      case "rollback":
        this.line(e.at, `${e.ok ? c.green("↺") : c.red("↺ ✗")} ${e.description}${e.error ? `: ${e.error}` : ""}`);
        return;
      case "warning":
        this.line(e.at, c.yellow(`! ${e.message}`));
        return;
      case "verdict": {
        this.flushRepeats(undefined, e.at);
        this.close();
        const paint = e.exitCode === 0 ? c.green : e.exitCode === 1 ? c.red : c.yellow;
        this.out.write(`${paint(c.bold(`verdict: ${e.verdict}`))} ${c.dim(`(exit ${e.exitCode})`)}  ${e.summary}\n`);
        return;
      }
    }
  }
}

/** The --log-format json renderer, which also logs what the run wrote (its journal, its reports) as events of their own. */
export interface JsonRenderer extends Renderer {
  /** One more event in the run's stream: `{ event, time, ...fields }`, as the run's own events are. */
  record(event: string, at: number, fields: Record<string, unknown>): void;
}

/** Structured logs for machines: one JSON object per event on stderr, via pino. */
export async function jsonRenderer(): Promise<JsonRenderer> {
  const { pino } = await import("pino");
  const log = pino({ base: null, timestamp: false, level: "debug" }, pino.destination({ fd: 2, sync: true }));
  let started = false;
  return {
    event(e) {
      const { type, at, ...rest } = e;
      if (type === "run-started") started = true;
      const level = type === "warning" || type === "stop-condition" ? "warn" : "info";
      log[level]({ event: type, time: new Date(at).toISOString(), ...rest });
    },
    trace(t) {
      // The stack coming up before the run is not part of it (as on the timeline).
      if (!started) return;
      log.debug({ event: "trace", time: new Date(t.at).toISOString(), source: t.source, kind: t.kind, msg: t.message });
    },
    record(event, at, fields) {
      log.info({ event, time: new Date(at).toISOString(), ...fields });
    },
    close() {
      log.flush();
    },
  };
}
