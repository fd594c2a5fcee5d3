/**
 * Validates CreateExperimentTemplate and UpdateExperimentTemplate requests. Like AWS it reports
 * one violation per call: first the model's constraints member by member, then the quotas,
 * then what the members mean (role, stop conditions, targets, actions). The same template JSON
 * must pass here exactly when it passes on AWS.
 */
import { constraintError, quotaExceeded, validationError } from "./errors.js";
import type { FisCatalogView } from "./descriptions.js";
import {
  readActions,
  readClientToken,
  readDescription,
  readExperimentOptions,
  readLogConfiguration,
  readRoleArn,
  readStopConditions,
  readTags,
  readTargets,
} from "./read-template.js";
import { checkActions } from "./check-actions.js";
import { checkTargets } from "./check-targets.js";
import { checkObject, type Json } from "./shape.js";
import { DEFAULT_OPTIONS, type StopConditionSpec, type TemplateSpec } from "./template-model.js";

/** FIS service quotas per experiment template. */
export const MAX_ACTIONS = 20;
export const MAX_STOP_CONDITIONS = 5;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/;
const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:\S+$/;

export function validateCreateRequest(body: Json, registry: FisCatalogView): { clientToken?: string; spec: TemplateSpec } {
  const clientToken = readClientToken(body);
  const required = (key: string): unknown => {
    if (body[key] === undefined || body[key] === null) throw constraintError(null, key, "Member must not be null");
    return body[key];
  };
  const description = readDescription(required("description"));
  const stopConditions = readStopConditions(required("stopConditions"));
  const targets = body.targets == null ? {} : readTargets(body.targets);
  const actions = readActions(required("actions"));
  const roleArn = readRoleArn(required("roleArn"));
  const spec: TemplateSpec = {
    description,
    stopConditions,
    targets,
    actions,
    roleArn,
    tags: body.tags == null ? {} : readTags(body.tags),
    experimentOptions: body.experimentOptions == null ? { ...DEFAULT_OPTIONS } : readExperimentOptions(body.experimentOptions, DEFAULT_OPTIONS, true),
  };
  const log = body.logConfiguration == null ? undefined : readLogConfiguration(body.logConfiguration);
  if (log) spec.logConfiguration = log;
  if (body.experimentReportConfiguration != null) {
    spec.experimentReportConfiguration = checkObject(body.experimentReportConfiguration, "experimentReportConfiguration");
  }
  checkTemplate(spec, registry);
  return clientToken === undefined ? { spec } : { clientToken, spec };
}

/** Each member given replaces the stored one whole; members left out keep their values. */
export function validateUpdateRequest(existing: TemplateSpec, body: Json, registry: FisCatalogView): TemplateSpec {
  const spec: TemplateSpec = structuredClone(existing);
  if (body.description != null) spec.description = readDescription(body.description);
  if (body.stopConditions != null) spec.stopConditions = readStopConditions(body.stopConditions);
  if (body.targets != null) spec.targets = readTargets(body.targets);
  if (body.actions != null) spec.actions = readActions(body.actions);
  if (body.roleArn != null) spec.roleArn = readRoleArn(body.roleArn);
  if (body.logConfiguration != null) {
    const log = readLogConfiguration(body.logConfiguration);
    if (log) spec.logConfiguration = log;
    else delete spec.logConfiguration;
  }
  if (body.experimentOptions != null) spec.experimentOptions = readExperimentOptions(body.experimentOptions, spec.experimentOptions, false);
  if (body.experimentReportConfiguration != null) {
    spec.experimentReportConfiguration = checkObject(body.experimentReportConfiguration, "experimentReportConfiguration");
  }
  checkTemplate(spec, registry);
  return spec;
}

function checkTemplate(spec: TemplateSpec, registry: FisCatalogView): void {
  const actionCount = Object.keys(spec.actions).length;
  if (actionCount > MAX_ACTIONS) {
    throw quotaExceeded(`The template has ${actionCount} actions; an experiment template may have at most ${MAX_ACTIONS}.`, "actions");
  }
  if (spec.stopConditions.length > MAX_STOP_CONDITIONS) {
    throw quotaExceeded(`The template has ${spec.stopConditions.length} stop conditions; an experiment template may have at most ${MAX_STOP_CONDITIONS}.`, "stopConditions");
  }
  if (actionCount === 0) throw validationError("The template has no actions; an experiment template needs at least one action.", "actions");
  if (!ROLE_ARN.test(spec.roleArn)) {
    throw validationError(`Invalid roleArn "${spec.roleArn}": expected an IAM role ARN such as arn:aws:iam::123456789012:role/fis-experiment-role.`, "roleArn");
  }
  spec.stopConditions.forEach(checkStopCondition);
  checkTargets(spec.targets, registry);
  checkActions(spec.actions, spec.targets, registry);
}

function checkStopCondition(condition: StopConditionSpec, i: number): void {
  const where = `stopConditions[${i}]`;
  if (condition.source === "none") return;
  if (condition.source !== "aws:cloudwatch:alarm") {
    throw validationError(`Invalid stop condition source "${condition.source}" at ${where}: expected "aws:cloudwatch:alarm" or "none".`, `${where}.source`);
  }
  if (condition.value === undefined) {
    throw validationError(`The stop condition at ${where} has source aws:cloudwatch:alarm but no value; give the alarm's ARN.`, where);
  }
  if (!ALARM_ARN.test(condition.value)) {
    throw validationError(
      `Invalid value at ${where}.value: expected a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>), found "${condition.value}".`,
      `${where}.value`,
    );
  }
}
