/**
 * The probe contract. A probe is a module whose default export is `defineProbe({...})`; built-in
 * probes live in probes/, a user's own in ./probes, and both are loaded the same way.
 *
 * The engine calls `run` once per reading: once for sot/eot, at both edges for edge, and every
 * `interval` for continuous and on-chaos (plus a final reading when the window closes). `state`
 * persists between the readings of one probe in one mode, so a probe can accumulate (for example
 * when each instance reached DRAINING); `runState` persists across all the readings of one probe in
 * one run, whatever their step or mode, for what an operator's tool keeps between checks (a stream
 * consumer's checkpoint). A reading's value is judged by the step's tolerance, or by
 * the probe's default tolerance when the step gives none; `output` declares the value's fields so
 * that tolerances can be checked before anything runs.
 */
import type { z } from "zod";
import type { Observation, RunServices, RunView } from "./ports.js";
import type { ProbeMode } from "../experiment/model.js";
import type { ProbeOutput } from "../experiment/probe-output.js";
import type { Tolerance } from "../experiment/model.js";
import type { AlarmCompilation } from "../aws/stop-alarms.js";
import type { Permission } from "../iam/permission.js";

export type { OutputField, OutputUnit, ProbeOutput } from "../experiment/probe-output.js";

export interface ProbeContext<P> extends RunServices {
  params: P;
  run: RunView;
  /** Aborted when the step times out or the run is interrupted. */
  signal: AbortSignal;
  /** Persists across readings of this probe in this mode. */
  state: Record<string, unknown>;
  /**
   * Persists across every reading of this probe in this run (all its steps and modes, the
   * steady-state checks too). Readings of different steps can overlap in time, so what is kept here
   * must allow for a reading that starts while another is under way.
   */
  runState: Record<string, unknown>;
  mode: ProbeMode | "once";
  /** When the current mode's window opened (the chaos window for on-chaos); undefined for single readings. */
  since?: number;
  /** True for the last reading of a window. */
  final: boolean;
}

export interface ProbeReading {
  value: unknown;
  observations?: Observation[];
}

export interface ProbeModule<P = Record<string, unknown>> {
  name: string;
  description: string;
  /** Validates and defaults `with:`. */
  params: z.ZodType<P, any>;
  /** Used when the step gives no tolerance, in the same syntax an experiment file uses. */
  defaultTolerance?: unknown;
  /**
   * What `run` returns: its fields with their units and ranges. Optional; when given, a step's
   * tolerance is checked against it before the run (unknown fields, values of the wrong unit or
   * out of range are input errors).
   */
  output?: ProbeOutput;
  run(ctx: ProbeContext<P>): Promise<ProbeReading>;
  /**
   * Optional: how this probe, used as a stop condition with `tolerance`, compiles to CloudWatch
   * metric alarms that FIS can stop on. Parts it leaves out (or every part, without this hook) stay
   * watched by gameday alone.
   */
  alarm?(params: P, tolerance: Tolerance): AlarmCompilation;
  /**
   * The AWS calls `run` makes, for the runner's IAM policy (`chaos iam-policy`). Every built-in
   * probe declares them (a test checks); a user's probe without it is named in the output as
   * undeclared rather than guessed.
   */
  permissions?(input: { params: P; region: string; accountId: string }): Permission[];
}

export function defineProbe<P>(probe: ProbeModule<P>): ProbeModule<P> {
  return probe;
}
