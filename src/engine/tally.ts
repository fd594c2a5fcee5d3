/**
 * Readings per probe and mode, and the verdict they add up to. Results are keyed by (step, mode):
 * one probe used in two modes gets two verdicts (Litmus #5179 is the bug this avoids).
 */
import type { Reading } from "./checks.js";
import type { ProbeVerdictRecord } from "./journal.js";
import type { ProbeOutput } from "../experiment/probe-output.js";
import { ReadingSeries } from "./series.js";

export class ProbeTally {
  readings = 0;
  /** Readings that measured the system and missed their tolerance. */
  failed = 0;
  private firstFailure: Reading | undefined;
  private firstUnreadable: Reading | undefined;
  private last: Reading | undefined;
  /** Edge mode needs both of its readings to pass. */
  expected = 1;

  /** The readings over time, for the charts of a report. */
  private readonly series: ReadingSeries;

  constructor(
    readonly step: string,
    readonly probe: string,
    readonly mode: string,
    output?: ProbeOutput,
    /** Told after every reading is added (the run rewrites its journal from it: run-context.ts). */
    private readonly onReading?: () => void,
  ) {
    this.series = new ReadingSeries(output);
  }

  /** Readings the probe could not take at all (see Reading.unreadable). */
  unreadable = 0;

  add(reading: Reading): void {
    this.addReading(reading);
    this.onReading?.();
  }

  private addReading(reading: Reading): void {
    this.readings++;
    if (reading.unreadable) {
      // Not a measurement of the system: neither a pass nor a miss (and not the last value seen).
      this.unreadable++;
      this.firstUnreadable ??= reading;
      return;
    }
    this.last = reading;
    this.series.add(reading.end, reading.ok, reading.value);
    if (!reading.ok) {
      this.failed++;
      this.firstFailure ??= reading;
    }
  }

  private get measured(): number {
    return this.readings - this.unreadable;
  }

  get verdict(): "passed" | "failed" | "not-run" | "error" {
    if (this.readings === 0) return "not-run";
    if (this.failed > 0) return "failed";
    // Too few measurements because the probe could not take them: it cannot tell whether the
    // system held, so neither can the run.
    if (this.measured < this.expected) return this.unreadable > 0 ? "error" : "not-run";
    return "passed";
  }

  summary(): string {
    const gaps = this.unreadable > 0 ? `; ${this.unreadable} could not be taken (first: ${this.firstUnreadable!.reason})` : "";
    switch (this.verdict) {
      case "error":
        return `could not take a reading (${this.unreadable} of ${this.readings} failed to read): ${this.firstUnreadable!.reason}`;
      case "not-run":
        return this.readings === 0 ? "never read" : `only ${this.readings} of ${this.expected} readings`;
      case "failed":
        return `${this.failed} of ${this.measured} readings failed; first: ${this.firstFailure!.reason}${gaps}`;
      case "passed":
        return `${this.measured} reading${this.measured === 1 ? "" : "s"} passed${gaps}; last: ${this.last!.reason}`;
    }
  }

  record(iso: (at: number) => string): ProbeVerdictRecord {
    return {
      step: this.step,
      probe: this.probe,
      mode: this.mode,
      verdict: this.verdict,
      readings: this.readings,
      failed: this.failed,
      ...(this.unreadable > 0 ? { unreadable: this.unreadable, firstUnreadable: { at: iso(this.firstUnreadable!.at), reason: this.firstUnreadable!.reason } } : {}),
      ...(this.firstFailure ? { firstFailure: { at: iso(this.firstFailure.at), reason: this.firstFailure.reason, value: this.firstFailure.value } } : {}),
      ...(this.last ? { last: { at: iso(this.last.at), value: this.last.value, reason: this.last.reason } } : {}),
      ...(this.series.empty ? {} : { series: this.series.record(iso) }),
    };
  }
}
