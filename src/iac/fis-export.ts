/**
 * An experiment's faults as standing infrastructure: the FIS experiment templates the run would
 * send (templateFor, from the plan's compiled fragments: no second compiler) and the CloudWatch
 * alarms its stop conditions compile to (putAlarmInput), wired to the templates' stopConditions.
 * Rendered as FIS's own JSON, CloudFormation (AWS::FIS::ExperimentTemplate, AWS::CloudWatch::Alarm)
 * or Terraform JSON (aws_fis_experiment_template, aws_cloudwatch_metric_alarm). No run id, client
 * token or time goes in, so the same experiment exports the same bytes.
 */
import type { Plan } from "../engine/plan.js";
import { configuredStopAlarms, planStopAlarms } from "../engine/stop-conditions.js";
import { putAlarmInput } from "../aws/stop-alarms.js";
import { templateFor } from "../faults/fis-runner.js";
import { ACCOUNT, REGION } from "../iam/permission.js";

export type AlarmInput = ReturnType<typeof putAlarmInput>;
export type FisTemplate = Omit<ReturnType<typeof templateFor>, "clientToken" | "tags"> & { tags: Record<string, string> };

export interface ExportModel {
  /** The experiment's name (its file's), in alarm names and tags. */
  name: string;
  title: string;
  alarms: AlarmInput[];
  /** ARNs the experiment configures (configuration.fisStopAlarms): referenced, not created. */
  configuredAlarms: string[];
  templates: { step: string; fault: string; template: FisTemplate }[];
}

/** The alarm ARN a template's stop condition names, before a format says how to refer to it. */
export function alarmArn(name: string): string {
  return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
}

/** `plan` planned with the ACCOUNT and REGION placeholders (cli/offline-plan.ts). */
export function exportModel(plan: Plan, name: string): ExportModel {
  const e = plan.experiment;
  const stop = planStopAlarms(e, plan.checks, name);
  const tags = { runId: name, experiment: e.title };
  // Created by the stack, not by a run: no gameday:run tag (that marks what a run must clean up).
  const alarms = stop.alarms.map((a) => {
    const input = putAlarmInput(a, tags);
    return { ...input, AlarmDescription: input.AlarmDescription.replace(/\(run [^)]*\)$/, `(experiment ${name})`), Tags: input.Tags.filter((t) => t.Key !== "gameday:run") };
  });
  const templates = [...plan.faults.values()].map((f) => {
    const { clientToken: _token, ...template } = templateFor(f.fragment, {
      runId: name,
      stepName: f.step.name,
      accountId: ACCOUNT,
      configuration: e.configuration,
      clientToken: "",
      stopAlarmArns: alarms.map((a) => alarmArn(a.AlarmName)),
    });
    return { step: f.step.name, fault: f.step.fault, template: { ...template, tags: { "gameday:experiment": e.title.slice(0, 256), "gameday:step": f.step.name } } };
  });
  return { name, title: e.title, alarms, configuredAlarms: configuredStopAlarms(e.configuration), templates };
}
