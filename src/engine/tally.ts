/**
 * Readings per probe and mode, and the verdict they add up to. Results are keyed by (step, mode):
 * one probe used in two modes gets two verdicts (Litmus #5179 is the bug this avoids).
 */
import type { Reading } from "./checks.js";
import type { ProbeVerdictRecord } from "./journal.js";

export class ProbeTally {
  readings = 0;
  failed = 0;
  private firstFailure: Reading | undefined;
  private last: Reading | undefined;
  /** Edge mode needs both of its readings to pass. */
  expected = 1;

  constructor(
    readonly step: string,
    readonly probe: string,
    readonly mode: string,
  ) {}

  /** Readings the probe could not take at all (see Reading.unreadable). */
  unreadable = 0;

  add(reading: Reading): void {
    this.readings++;
    this.last = reading;
    if (reading.unreadable) this.unreadable++;
    if (!reading.ok) {
      this.failed++;
      this.firstFailure ??= reading;
    }
  }

  get verdict(): "passed" | "failed" | "not-run" | "error" {
    // Never once measured: the probe cannot tell whether the system held, so neither can the run.
    if (this.readings > 0 && this.unreadable === this.readings) return "error";
    if (this.failed > 0) return "failed";
    if (this.readings === 0) return "not-run";
    return this.readings >= this.expected ? "passed" : "not-run";
  }

  summary(): string {
    if (this.verdict === "error") return `could not take a reading (${this.readings} tried): ${this.firstFailure!.reason}`;
    if (this.verdict === "not-run") return this.readings === 0 ? "never read" : `only ${this.readings} of ${this.expected} readings`;
    if (this.failed > 0) return `${this.failed} of ${this.readings} readings failed; first: ${this.firstFailure!.reason}`;
    return `${this.readings} reading${this.readings === 1 ? "" : "s"} passed; last: ${this.last!.reason}`;
  }

  record(iso: (at: number) => string): ProbeVerdictRecord {
    return {
      step: this.step,
      probe: this.probe,
      mode: this.mode,
      verdict: this.verdict,
      readings: this.readings,
      failed: this.failed,
      ...(this.firstFailure ? { firstFailure: { at: iso(this.firstFailure.at), reason: this.firstFailure.reason, value: this.firstFailure.value } } : {}),
      ...(this.last ? { last: { at: iso(this.last.at), value: this.last.value, reason: this.last.reason } } : {}),
    };
  }
}
