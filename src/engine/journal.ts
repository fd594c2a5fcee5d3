/**
 * The journal: Chaos Toolkit's keys (so its reporting and journal consumers can read it) plus
 * gameday's own under `gameday`. It is rewritten atomically (temp file + rename) as the run goes,
 * so a run killed at any moment leaves a usable, parseable partial journal. Secrets are redacted on
 * every write: every string from `secrets`, wherever it appears, becomes "***".
 */
import { renameSync, writeFileSync } from "node:fs";
import { hostname, platform, release } from "node:os";
import type { SeriesRecord } from "./series.js";

export const GAMEDAY_VERSION = "0.1.0";

/** A Chaos Toolkit run entry: one activity execution. */
export interface RunEntry {
  activity: Record<string, unknown>;
  output?: unknown;
  start: string;
  end?: string;
  duration?: number;
  status: "succeeded" | "failed" | "skipped" | "running";
  exception?: string[];
  tolerance_met?: boolean;
}

export interface SteadyStateRecord {
  steady_state_met: boolean;
  probes: RunEntry[];
}

export interface ProbeVerdictRecord {
  step: string;
  probe: string;
  mode: string;
  verdict: "passed" | "failed" | "not-run" | "error";
  readings: number;
  failed: number;
  firstFailure?: { at: string; reason: string; value?: unknown };
  /** Readings the probe could not take (it threw or timed out), which count neither way. */
  unreadable?: number;
  firstUnreadable?: { at: string; reason: string };
  last?: { at: string; value?: unknown; reason: string };
  /** The readings over time (numeric fields only), for a report's charts; absent when none was numeric. */
  series?: SeriesRecord;
}

export interface FaultRecord {
  step: string;
  fault: string;
  experimentId?: string;
  templateId?: string;
  template?: unknown;
  startedAt: string;
  /**
   * When the fault's FIS experiment ended (completed, stopped, failed: FIS's end time), or when
   * gameday stopped one that outran its expected duration. Absent while it runs, and for a fault
   * without FIS (gameday made the change itself: it stays until the rollbacks undo it). Older
   * journals recorded here when the method's end found the experiment over (about the chaos
   * window's end), not when it ended.
   */
  endedAt?: string;
  status?: string;
  targets: { resourceType: string; arn: string; targetName: string }[];
  verification?: { landed: boolean; detail: string; evidence?: unknown };
  error?: string;
}

export interface WallClockRecord {
  start: string;
  writtenAt?: string;
  end?: string;
  /** Seconds from start to end. */
  duration?: number;
}

export interface RollbackRecord {
  description: string;
  ok: boolean;
  detail?: string;
  error?: string;
  at: string;
}

export type JournalStatus = "running" | "completed" | "failed" | "aborted" | "interrupted";

export interface JournalDoc {
  "chaoslib-version": string;
  platform: string;
  node: string;
  experiment: unknown;
  start: string;
  end?: string;
  duration?: number;
  status: JournalStatus;
  deviated: boolean;
  steady_states: { before: SteadyStateRecord | null; after: SteadyStateRecord | null; during: SteadyStateRecord[] };
  run: RunEntry[];
  rollbacks: RunEntry[];
  gameday: {
    version: string;
    runId: string;
    seed: number;
    /**
     * `clock`: where the run's time came from (a served sandbox's clock, or real time), for endpoint targets.
     * `stack`: the sandbox's stack as the user named it ("default" when none), `stackPath` its absolute path.
     */
    target: { kind: string; region: string; stack?: string; stackPath?: string; clock?: string };
    clock: string;
    complete: boolean;
    /** When the journal was last rewritten (run clock): for a run that did not finish, what it had read by then is all there is. */
    writtenAt?: string;
    /**
     * Wall-clock time (a real clock, whatever clock the run ran on: on the embedded sandbox the
     * run's `start`, `end` and `duration` are virtual time): when the run started, when the journal
     * was last rewritten, and when it ended and how long it took (seconds), once it has. CI reports
     * (JUnit) read these. Absent from journals of older gameday versions.
     */
    wallClock?: WallClockRecord;
    /**
     * The chaos window (run clock): from the first fault's start (the method's start when it has
     * no fault) to the method's end, once every fault had ended; on-chaos probes read in it. A
     * fault's own span is its `startedAt` to `endedAt`. Absent from journals of older versions.
     */
    chaosWindow?: { start: string; end?: string };
    verdict?: string;
    exitCode?: number;
    summary?: string;
    probes: ProbeVerdictRecord[];
    faults: FaultRecord[];
    /** What the ledger undid, with results; and whether the steady state came back afterwards. */
    rollbackResults: RollbackRecord[];
    steadyStateAfterRollback?: SteadyStateRecord | null;
    stopCondition?: { probe: string; at: string; reason: string };
    /** A fault whose FIS experiment was stopped before its planned end (by an operator or a FIS stop condition): the run was aborted. */
    faultStopped?: { step: string; experimentId: string; at: string; plannedEnd: string; reason: string };
    interrupted?: { signal: string; at: string };
    during: { readings: number; failed: number };
    warnings: string[];
    ledger: string;
    /** The command that replays this run (same experiment, seed, stack and non-secret vars). */
    replay?: string;
  };
}

/** Keep journals bounded on long runs: every failure is kept, passing "during" runs are sampled. */
const MAX_DURING = 200;

export class Journal {
  readonly doc: JournalDoc;
  private readonly mask: SecretMask;

  constructor(
    private readonly path: string,
    init: {
      experiment: unknown;
      start: string;
      runId: string;
      seed: number;
      target: { kind: string; region: string; stack?: string; stackPath?: string; clock?: string };
      clock: string;
      ledger: string;
      secrets: string[];
      replay?: string;
    },
  ) {
    this.mask = new SecretMask(init.secrets);
    this.doc = {
      "chaoslib-version": `gameday-${GAMEDAY_VERSION}`,
      platform: `${platform()} ${release()}`,
      node: hostname(),
      experiment: init.experiment,
      start: init.start,
      status: "running",
      deviated: false,
      steady_states: { before: null, after: null, during: [] },
      run: [],
      rollbacks: [],
      gameday: {
        version: GAMEDAY_VERSION,
        runId: init.runId,
        seed: init.seed,
        target: init.target,
        clock: init.clock,
        complete: false,
        probes: [],
        faults: [],
        rollbackResults: [],
        during: { readings: 0, failed: 0 },
        warnings: [],
        ledger: init.ledger,
        ...(init.replay !== undefined ? { replay: init.replay } : {}),
      },
    };
  }

  get file(): string {
    return this.path;
  }

  addDuring(record: SteadyStateRecord): void {
    const g = this.doc.gameday.during;
    g.readings++;
    if (!record.steady_state_met) g.failed++;
    const during = this.doc.steady_states.during;
    if (!record.steady_state_met || during.length < MAX_DURING) during.push(record);
  }

  /** Writes the journal now (atomically). Failures to write are reported, never thrown mid-run. */
  write(): string | undefined {
    try {
      const tmp = `${this.path}.tmp`;
      writeFileSync(tmp, this.render());
      renameSync(tmp, this.path);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  render(): string {
    // A replacer function makes JSON.stringify several times slower, and most runs have no secrets:
    // mask a copy only when there is something to mask.
    return JSON.stringify(this.mask.value(this.doc), null, 2) + "\n";
  }

  /** A copy of `value` with every secret masked in its strings (the value itself when there are no secrets). */
  redactValue<T>(value: T): T {
    return this.mask.value(value);
  }

  redact(text: string): string {
    return this.mask.text(text);
  }
}

/** Masks secret values as "***" wherever they appear in text. */
export class SecretMask {
  private readonly secrets: string[];

  constructor(secrets: readonly string[]) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  }

  text(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join("***");
    return out;
  }

  /** A copy of `value` with every string masked (the value itself when there are no secrets). */
  value<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? this.text(v) : v))) as T;
  }
}

/** The authored experiment for the journal, with the values of its `secrets` section masked. */
export function journalExperiment(raw: unknown): unknown {
  if (!raw || typeof raw !== "object") return raw;
  const copy = structuredClone(raw) as Record<string, unknown>;
  const secrets = copy.secrets;
  if (secrets && typeof secrets === "object") {
    for (const scope of Object.values(secrets as Record<string, unknown>)) {
      if (scope && typeof scope === "object") for (const k of Object.keys(scope)) (scope as Record<string, unknown>)[k] = "***";
    }
  }
  return copy;
}
