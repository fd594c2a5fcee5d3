/**
 * The JSON shapes FIS answers with. Timestamps go out as epoch seconds (with milliseconds as a
 * fraction): restJson1 members without a timestampFormat are epoch-seconds, and FisClient parses
 * them with parseEpochTimestamp.
 */
import type { ExperimentRecord } from "./experiment-model.js";
import type { ActionSpec, StoredTemplate, TemplateSpec } from "../../../fis/template-model.js";

const seconds = (ms: number): number => ms / 1000;

function templateBody(spec: TemplateSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    description: spec.description,
    targets: spec.targets,
    actions: Object.fromEntries(Object.entries(spec.actions).map(([name, a]) => [name, actionBody(a)])),
    stopConditions: spec.stopConditions,
    roleArn: spec.roleArn,
    tags: spec.tags,
    experimentOptions: spec.experimentOptions,
    targetAccountConfigurationsCount: 0,
  };
  if (spec.logConfiguration) out.logConfiguration = spec.logConfiguration;
  if (spec.experimentReportConfiguration) out.experimentReportConfiguration = spec.experimentReportConfiguration;
  return out;
}

function actionBody(a: ActionSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { actionId: a.actionId, parameters: a.parameters ?? {} };
  if (a.description !== undefined) out.description = a.description;
  if (a.targets) out.targets = a.targets;
  if (a.startAfter) out.startAfter = a.startAfter;
  return out;
}

export function templateToWire(t: StoredTemplate): Record<string, unknown> {
  return {
    id: t.id,
    arn: t.arn,
    ...templateBody(t.spec),
    creationTime: seconds(t.creationTime),
    lastUpdateTime: seconds(t.lastUpdateTime),
  };
}

export function templateSummary(t: StoredTemplate): Record<string, unknown> {
  return {
    id: t.id,
    arn: t.arn,
    description: t.spec.description,
    creationTime: seconds(t.creationTime),
    lastUpdateTime: seconds(t.lastUpdateTime),
    tags: t.spec.tags,
  };
}

function experimentState(e: ExperimentRecord): Record<string, unknown> {
  return e.error ? { status: e.status, reason: e.reason, error: e.error } : { status: e.status, reason: e.reason };
}

function experimentOptions(e: ExperimentRecord): Record<string, unknown> {
  return { ...e.template.experimentOptions, actionsMode: e.actionsMode };
}

export function experimentToWire(e: ExperimentRecord): Record<string, unknown> {
  const { description: _description, actions: _actions, tags: _templateTags, ...fromTemplate } = templateBody(e.template);
  const actions: Record<string, unknown> = {};
  for (const a of e.actions.values()) {
    const out = actionBody(a.spec);
    out.state = { status: a.status, reason: a.reason };
    if (a.startTime !== undefined) out.startTime = seconds(a.startTime);
    if (a.endTime !== undefined) out.endTime = seconds(a.endTime);
    actions[a.name] = out;
  }
  const out: Record<string, unknown> = {
    id: e.id,
    arn: e.arn,
    experimentTemplateId: e.templateId,
    ...fromTemplate,
    state: experimentState(e),
    actions,
    creationTime: seconds(e.creationTime),
    startTime: seconds(e.startTime),
    tags: e.tags,
    experimentOptions: experimentOptions(e),
  };
  if (e.endTime !== undefined) out.endTime = seconds(e.endTime);
  return out;
}

export function experimentSummary(e: ExperimentRecord): Record<string, unknown> {
  return {
    id: e.id,
    arn: e.arn,
    experimentTemplateId: e.templateId,
    state: experimentState(e),
    creationTime: seconds(e.creationTime),
    tags: e.tags,
    experimentOptions: experimentOptions(e),
  };
}
