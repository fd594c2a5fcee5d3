/**
 * What the engine tells the outside world while a run goes: the CLI turns these into the live
 * timeline (TTY), plain lines, or structured logs. The engine never prints.
 */
import type { Observation } from "./ports.js";

export type Phase = "steady-state-before" | "method" | "steady-state-after" | "rollbacks" | "steady-state-after-rollback";

export type RunEvent =
  | { type: "run-started"; at: number; runId: string; title: string; seed: number; target: string; clock: string }
  | { type: "phase"; at: number; phase: Phase }
  | { type: "step-started"; at: number; step: string; kind: string; detail?: string }
  | { type: "step-ended"; at: number; step: string; status: "succeeded" | "failed" | "skipped"; detail?: string }
  | { type: "reading"; at: number; probe: string; mode: string; ok: boolean; summary: string }
  | { type: "probe-verdict"; at: number; probe: string; mode: string; verdict: "passed" | "failed" | "not-run" | "error"; summary: string }
  | { type: "fault-started"; at: number; step: string; fault: string; experimentId?: string; targets: string[] }
  | { type: "fault-verified"; at: number; step: string; landed: boolean; detail: string }
  | { type: "observation"; at: number; source: string; observation: Observation }
  | { type: "trace"; at: number; source: string; message: string }
  | { type: "stop-condition"; at: number; probe: string; reason: string }
  | { type: "interrupted"; at: number; signal: string }
  | { type: "rollback"; at: number; description: string; ok: boolean; error?: string }
  | { type: "warning"; at: number; message: string }
  | { type: "verdict"; at: number; verdict: string; exitCode: number; summary: string };

export type RunListener = (event: RunEvent) => void;
