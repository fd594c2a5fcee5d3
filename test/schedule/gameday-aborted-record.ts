/**
 * A game day's record as `chaos gameday` leaves it when the facilitator aborts at a checkpoint:
 * pre-checks (one with markup in its detail), the first of three steps run, a checkpoint answered
 * `no, <reason>`, two notes (one with markup and quotes), and two steps that never ran. Shared by
 * the record's unit tests and the report's test in chromium.
 */
import type { GamedayRecord } from "../../src/schedule/gameday-record.js";

export function abortedRecord(journal?: string): GamedayRecord {
  return {
    id: "drill-20260401T090000Z",
    runbook: { file: "experiments/gamedays/drill.yaml", title: "Spot <drill>" },
    target: "sandbox",
    roles: { facilitator: "Ana", observers: ["Bo", "Cy"] },
    mode: "interactive",
    startedAt: "2026-04-01T09:00:00.000Z",
    endedAt: "2026-04-01T09:12:00.000Z",
    status: "aborted",
    abortReason: "the facilitator aborted at the checkpoint after spot-interrupt: too many <alarms> & pages",
    preChecks: [
      { name: "dashboards up", ok: true, detail: "exit code 0" },
      { name: "GET http://127.0.0.1:8080/health", ok: true, detail: "HTTP 200 <ok>" },
    ],
    steps: [
      {
        name: "spot-interrupt",
        experiment: "spot-interrupt",
        startedAt: "2026-04-01T09:00:05.000Z",
        endedAt: "2026-04-01T09:10:00.000Z",
        exitCode: 0,
        verdict: "held",
        timebox: "20m",
        timeboxExceeded: false,
        ...(journal !== undefined ? { journal } : {}),
      },
    ],
    notRun: [
      { step: 2, name: "task-kill", experiment: "task-kill" },
      { step: 3, name: "kinesis-throttle", experiment: "../kinesis-throttle.yaml" },
    ],
    checkpoints: [{ after: "spot-interrupt", question: "web drained & recovered? continue with task-kill?", at: "2026-04-01T09:12:00.000Z", answer: "abort", reason: "too many <alarms> & pages" }],
    notes: [
      { at: "2026-04-01T09:04:00.000Z", text: "p95 <script>alert(1)</script> went to \"900ms\"" },
      { at: "2026-04-01T09:11:30.000Z", text: "nothing odd on the ALB" },
    ],
  };
}
