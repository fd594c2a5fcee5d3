/**
 * An experiment as the sandbox keeps it: a snapshot of its template, its resolved targets, and
 * the experiment and action states GetExperiment reports.
 */
import type { FisActionRun, FisErrorCode, FisResource } from "./registry.js";
import type { ActionSpec, TemplateSpec } from "../../../fis/template-model.js";

export type ExperimentStatus = "pending" | "initiating" | "running" | "completed" | "stopping" | "stopped" | "failed";
export type ActionStatus = "pending" | "initiating" | "running" | "completed" | "cancelled" | "stopping" | "stopped" | "failed" | "skipped";
export type ActionsMode = "run-all" | "skip-all";
export const ACTIONS_MODES: readonly ActionsMode[] = ["run-all", "skip-all"];

/** States that count against the quota of active experiments. */
export const ACTIVE_STATUSES: ReadonlySet<ExperimentStatus> = new Set(["pending", "initiating", "running", "stopping"]);

export interface ExperimentError {
  accountId: string;
  code: FisErrorCode;
  location: string;
}

export interface ActionRecord {
  name: string;
  spec: ActionSpec;
  status: ActionStatus;
  reason: string;
  startTime?: number;
  endTime?: number;
  /** What the action type's start() returned, for stop(). */
  run?: FisActionRun;
}

export interface ExperimentRecord {
  id: string;
  arn: string;
  templateId: string;
  clientToken: string;
  /** The template as it was when the experiment started; later updates do not touch it. */
  template: TemplateSpec;
  tags: Record<string, string>;
  actionsMode: ActionsMode;
  status: ExperimentStatus;
  reason: string;
  error?: ExperimentError;
  creationTime: number;
  startTime: number;
  endTime?: number;
  actions: Map<string, ActionRecord>;
  /** Resolved once, at start, by target name; empty until then. */
  resolved: Map<string, FisResource[]>;
}
