/**
 * FIS stop conditions on CloudWatch alarms: a template may name only alarms that exist, and a
 * running experiment is halted when one of its alarms enters ALARM (stopping, then stopped with
 * "Experiment halted by stop condition.", as FIS's public run logs show, about a second later).
 * The alarms come from the sandbox's CloudWatch through this port; FIS imports nothing of it.
 */
import { validationError } from "./errors.js";
import type { TemplateSpec } from "../../../fis/template-model.js";

export interface StopConditionAlarms {
  /** The alarm's state, or undefined when no such alarm exists. */
  stateOf(arn: string): string | undefined;
  /** Calls `listener` on every alarm state change; returns a function that stops it. */
  watch(listener: (arn: string, state: string) => void): () => void;
}

export const HALTED_REASON = "Experiment halted by stop condition.";
/** Between the alarm's change and the experiment's `stopped`, as FIS's logs show. */
export const HALT_DELAY_MS = 1_000;

export function alarmArns(spec: TemplateSpec): string[] {
  return spec.stopConditions.filter((c) => c.source === "aws:cloudwatch:alarm" && c.value !== undefined).map((c) => c.value!);
}

/** Refuses a template whose alarm stop conditions name alarms that do not exist. */
export function checkAlarmsExist(spec: TemplateSpec, alarms: StopConditionAlarms): void {
  spec.stopConditions.forEach((c, i) => {
    if (c.source !== "aws:cloudwatch:alarm" || c.value === undefined) return;
    if (alarms.stateOf(c.value) === undefined) {
      throw validationError(`The stop condition at stopConditions[${i}] names the CloudWatch alarm ${c.value}, which does not exist in this account and Region; create it (PutMetricAlarm) first.`);
    }
  });
}
