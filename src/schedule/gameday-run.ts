/**
 * Runs a game day: announce, pre-checks, then each step in order with its timebox, and a
 * checkpoint after it where the facilitator continues or aborts. Notes can be typed at any time.
 * An interrupt (SIGINT) stops the running step, whose own rollbacks run, and ends the game day as
 * aborted. A step that was killed, or whose run left undo steps in its ledger, ends the game day
 * as aborted too: its fault may still be in force, and `chaos recover` must finish it before
 * anything else starts. The record is saved after every change. Processes and terminals are behind ports, so
 * this runs the same against a virtual clock in tests.
 */
import type { Clock } from "../time/clock.js";
import { formatDuration } from "../experiment/duration.js";
import type { LoadedRunbook, PreCheck, RunbookStep } from "./gameday-runbook.js";
import { checkpointQuestion, preCheckName, stepName } from "./gameday-runbook.js";
import { verdictOf, type GamedayRecord, type GamedayStatus, type StepRecord } from "./gameday-record.js";
import type { ChildExit } from "./chaos-child.js";

export interface StepHandle {
  done: Promise<ChildExit>;
  /** Asks the step to stop and roll back (SIGINT to `chaos run`). */
  interrupt(): void;
}

/** A checkpoint's answer, with the reason the facilitator gave (the rest of their line), if any. */
export interface CheckpointAnswer {
  answer: "continue" | "abort";
  reason?: string;
}

export interface Facilitator {
  readonly mode: "interactive" | "auto";
  /** Asks `question`; resolves continue or abort. Lines that are notes go to `note` meanwhile. */
  checkpoint(question: string, signal: AbortSignal): Promise<CheckpointAnswer>;
}

export interface GamedayPorts {
  clock: Clock;
  facilitator: Facilitator;
  startStep(step: RunbookStep, index: number, journal: string): StepHandle;
  /** Where step `index`'s journal goes. */
  journalPath(step: RunbookStep, index: number): string;
  /** Whether the step wrote its journal: `chaos run` writes none when it refuses to start (invalid input, a target it cannot use). */
  journalExists(journal: string): boolean;
  /**
   * The rollback ledger (its directory, as shown to the user) that the step's run, which writes
   * `journal`, left open: undo steps still pending, for `chaos recover`. Undefined when it closed
   * it or never started one.
   */
  openLedger(journal: string): string | undefined;
  preCheck(check: PreCheck, signal: AbortSignal): Promise<{ ok: boolean; detail: string }>;
  print(line: string): void;
  save(record: GamedayRecord): void;
}

/** Exit codes of `chaos gameday`. */
export const GAMEDAY_EXIT = { held: 0, deviated: 1, stopped: 3, error: 4, interrupted: 130 } as const;

export class GamedayRun {
  readonly record: GamedayRecord;
  private running: StepHandle | undefined;

  constructor(
    private readonly loaded: LoadedRunbook,
    private readonly ports: GamedayPorts,
    private readonly meta: { id: string; target: string; file: string },
  ) {
    const rb = loaded.runbook;
    this.record = {
      id: meta.id,
      runbook: { file: meta.file, title: rb.title },
      target: meta.target,
      roles: { facilitator: rb.roles.facilitator, observers: rb.roles.observers ?? [] },
      mode: ports.facilitator.mode,
      startedAt: this.iso(),
      status: "running",
      preChecks: [],
      steps: [],
      checkpoints: [],
      notes: [],
    };
  }

  private iso(): string {
    return new Date(this.ports.clock.now()).toISOString();
  }

  /** A note typed by anyone at the keyboard, kept with the clock's time. */
  note(text: string): void {
    const trimmed = text.trim();
    if (trimmed === "") return;
    this.record.notes.push({ at: this.iso(), text: trimmed });
    this.ports.print(`noted: ${trimmed}`);
    this.ports.save(this.record);
  }

  private end(status: Exclude<GamedayStatus, "running">, reason?: string): void {
    this.record.status = status;
    if (reason !== undefined) this.record.abortReason = reason;
    // The steps after the last one started never ran: the record lists them, for those who read it afterwards.
    const started = this.record.steps.length;
    const notRun = this.loaded.runbook.steps.slice(started).map((s, i) => ({ step: started + i + 1, name: stepName(s, started + i), experiment: s.experiment }));
    if (status === "aborted" && notRun.length > 0) this.record.notRun = notRun;
    this.record.endedAt = this.iso();
    this.ports.save(this.record);
  }

  /** Where the runbook writes `path`, as file:line for a message (the file alone when unknown). */
  private placeOf(path: (string | number)[]): string {
    const at = this.loaded.positionOf(path);
    return at ? `${this.meta.file}:${at.line}` : this.meta.file;
  }

  private interruptedReason(signal: AbortSignal): string {
    return `interrupted by ${typeof signal.reason === "string" ? signal.reason : "the operator"}`;
  }

  async run(interrupt: AbortSignal): Promise<number> {
    const { print, save } = this.ports;
    const rb = this.loaded.runbook;
    save(this.record);

    for (const [i, check] of (rb["pre-checks"] ?? []).entries()) {
      if (interrupt.aborted) break;
      const name = preCheckName(check, i);
      const result = await this.ports.preCheck(check, interrupt);
      this.record.preChecks.push({ name, ...result });
      print(`pre-check ${name}: ${result.ok ? "passed" : "FAILED"} (${result.detail})`);
      save(this.record);
      if (!result.ok) {
        this.end("aborted", `pre-check ${name} (${this.placeOf(["pre-checks", i])}) failed: ${result.detail}`);
        return GAMEDAY_EXIT.stopped;
      }
    }

    let worst: number = GAMEDAY_EXIT.held;
    for (const [i, step] of rb.steps.entries()) {
      if (interrupt.aborted) {
        this.end("aborted", this.interruptedReason(interrupt));
        return GAMEDAY_EXIT.interrupted;
      }
      const outcome = await this.runStep(step, i, interrupt);
      // A step whose rollbacks did not finish (killed, or its ledger left open) may leave its fault
      // in force: nothing more may start on top of it.
      const unfinished =
        outcome.ledger !== undefined
          ? `left undo steps pending in ${outcome.ledger}`
          : outcome.code === null
            ? `was killed by ${outcome.signal ?? "a signal"} before its rollbacks could be confirmed`
            : undefined;
      const recover = unfinished === undefined ? "" : `step ${stepName(step, i)} (${this.placeOf(["steps", i])}) ${unfinished}; its faults may still be in force: run \`chaos recover\``;
      if (interrupt.aborted) {
        this.end("aborted", `${this.interruptedReason(interrupt)}${recover === "" ? "" : `; ${recover}`}`);
        return GAMEDAY_EXIT.interrupted;
      }
      if (recover !== "") {
        this.end("aborted", `${recover}; no further step was started`);
        return GAMEDAY_EXIT.error;
      }
      if (!outcome.started) {
        // The runbook's order is broken: the next steps were planned to follow this one.
        this.end("aborted", `step ${stepName(step, i)} (${this.placeOf(["steps", i])}) could not start: ${verdictOf(outcome.code, outcome.signal)} (${outcome.code === null ? `killed by ${outcome.signal ?? "a signal"}` : `exit code ${outcome.code}`})`);
        return GAMEDAY_EXIT.error;
      }
      if (outcome.code !== 0) worst = Math.max(worst, outcome.code === 1 || outcome.code === 3 || outcome.timeboxExceeded ? GAMEDAY_EXIT.deviated : GAMEDAY_EXIT.error);

      const question = checkpointQuestion(rb, i);
      if (question === undefined) continue;
      const given = this.ports.facilitator.mode === "auto" ? "auto" : await this.ask(question, interrupt);
      if (given === "interrupted") {
        this.end("aborted", this.interruptedReason(interrupt));
        return GAMEDAY_EXIT.interrupted;
      }
      const { answer, reason } = given === "auto" ? { answer: "auto" as const, reason: undefined } : given;
      this.record.checkpoints.push({ after: stepName(step, i), question, at: this.iso(), answer, ...(reason !== undefined ? { reason } : {}) });
      save(this.record);
      if (answer === "abort") {
        this.end("aborted", `the facilitator aborted at the checkpoint after ${stepName(step, i)}${reason !== undefined ? `: ${reason}` : ""}`);
        return GAMEDAY_EXIT.stopped;
      }
    }
    this.end(worst === GAMEDAY_EXIT.held ? "completed" : worst === GAMEDAY_EXIT.deviated ? "deviated" : "error");
    return worst;
  }

  private async ask(question: string, interrupt: AbortSignal): Promise<CheckpointAnswer | "interrupted"> {
    try {
      return await this.ports.facilitator.checkpoint(question, interrupt);
    } catch (err) {
      if (interrupt.aborted) return "interrupted";
      throw err;
    }
  }

  private async runStep(step: RunbookStep, index: number, interrupt: AbortSignal): Promise<{ code: number | null; signal: NodeJS.Signals | null; timeboxExceeded: boolean; started: boolean; ledger: string | undefined }> {
    const name = stepName(step, index);
    const journal = this.ports.journalPath(step, index);
    const rec: StepRecord = { name, experiment: step.experiment, startedAt: this.iso(), journal, ...(step.timebox !== undefined ? { timebox: formatDuration(step.timebox) } : {}) };
    this.record.steps.push(rec);
    this.ports.save(this.record);
    this.ports.print(`step ${index + 1}/${this.loaded.runbook.steps.length}: ${name} (${step.experiment})${step.timebox !== undefined ? `, timebox ${formatDuration(step.timebox)}` : ""}`);

    const handle = this.ports.startStep(step, index, journal);
    this.running = handle;
    let exceeded = false;
    const cancelTimebox =
      step.timebox === undefined
        ? () => {}
        : this.ports.clock.setTimer(step.timebox, () => {
            exceeded = true;
            this.ports.print(`step ${name} ran past its timebox of ${formatDuration(step.timebox!)}: stopping it (its rollbacks run)`);
            handle.interrupt();
          });
    const onInterrupt = () => handle.interrupt();
    interrupt.addEventListener("abort", onInterrupt, { once: true });
    // No clock hold here: the timebox is a timer on this same clock and must be able to fire.
    let exit: ChildExit;
    try {
      exit = await handle.done;
    } finally {
      cancelTimebox();
      interrupt.removeEventListener("abort", onInterrupt);
      this.running = undefined;
    }
    rec.endedAt = this.iso();
    rec.exitCode = exit.code;
    // A journal that was never written is not listed: the record names only files that exist.
    const wroteJournal = this.ports.journalExists(journal);
    if (!wroteJournal) delete rec.journal;
    // Stopped (timebox, interrupt) before it wrote its journal is still a stop; otherwise it never started.
    const started = wroteJournal || exceeded || interrupt.aborted;
    const verdict = verdictOf(exit.code, exit.signal);
    rec.verdict = exceeded ? `timebox exceeded: stopped after ${formatDuration(step.timebox!)} (${verdict})` : started ? verdict : `did not start: ${verdict}`;
    if (step.timebox !== undefined) rec.timeboxExceeded = exceeded;
    this.ports.save(this.record);
    this.ports.print(`step ${name}: ${rec.verdict}`);
    return { code: exit.code, signal: exit.signal, timeboxExceeded: exceeded, started, ledger: this.ports.openLedger(journal) };
  }

  /** Whether a step is running now (a second interrupt then goes to it). */
  get stepRunning(): StepHandle | undefined {
    return this.running;
  }
}

