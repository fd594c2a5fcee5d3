/**
 * The model-level half of template validation: reads each member of a Create or Update request
 * body in the order the request lists them and checks types, required members, lengths,
 * patterns and map sizes. What the members mean (known action ids, target keys, startAfter) is
 * checked afterwards, in check-targets.ts and check-actions.ts.
 */
import { constraintError } from "./errors.js";
import {
  NO_WHITESPACE,
  checkEnum,
  checkList,
  checkObject,
  checkString,
  checkStringList,
  checkStringMap,
  optionalObject,
  optionalString,
  requiredString,
  type Json,
} from "./shape.js";
import {
  ACCOUNT_TARGETING,
  EMPTY_TARGET_RESOLUTION_MODES,
  type ActionSpec,
  type LogConfiguration,
  type StopConditionSpec,
  type TargetFilter,
  type TargetSpec,
  type TemplateOptions,
} from "./template-model.js";

const NAME = { max: 64, pattern: NO_WHITESPACE };
const ANY_TEXT = { regex: /^[\s\S]+$/, name: "[\\s\\S]+" };
/** Target parameter values: letters, spaces, digits and _.:/=+-@ (CreateExperimentTemplateTargetInput). */
const TARGET_PARAMETER_VALUE = { regex: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, name: "^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+$" };

export function readDescription(value: unknown, path = "description"): string {
  return checkString(value, path, { max: 512, pattern: ANY_TEXT });
}

export function readRoleArn(value: unknown): string {
  return checkString(value, "roleArn", { min: 20, max: 2048, pattern: NO_WHITESPACE });
}

export function readClientToken(body: Json): string | undefined {
  return optionalString(body, "clientToken", "clientToken", { max: 255, pattern: NO_WHITESPACE });
}

export function readStopConditions(value: unknown): StopConditionSpec[] {
  return checkList(value, "stopConditions", "a list of stop conditions").map((item, i) => {
    const path = `stopConditions[${i}]`;
    const obj = checkObject(item, path, "a stop condition object");
    const source = requiredString(obj, "source", `${path}.source`, { max: 64, pattern: NO_WHITESPACE });
    const v = optionalString(obj, "value", `${path}.value`, { min: 20, max: 2048, pattern: NO_WHITESPACE });
    return v === undefined ? { source } : { source, value: v };
  });
}

export function readTargets(value: unknown): Record<string, TargetSpec> {
  const map = checkObject(value, "targets", "a map of target names to targets");
  const out: Record<string, TargetSpec> = {};
  for (const [name, raw] of Object.entries(map)) {
    checkString(name, "targets key", NAME);
    out[name] = readTarget(raw, `targets.${name}`);
  }
  return out;
}

function readTarget(raw: unknown, path: string): TargetSpec {
  const obj = checkObject(raw, path, "a target object");
  const target: TargetSpec = {
    resourceType: requiredString(obj, "resourceType", `${path}.resourceType`, { max: 128, pattern: NO_WHITESPACE }),
    selectionMode: requiredString(obj, "selectionMode", `${path}.selectionMode`, { max: 64, pattern: NO_WHITESPACE }),
  };
  if (obj.resourceArns != null) {
    target.resourceArns = checkStringList(obj.resourceArns, `${path}.resourceArns`, { min: 20, max: 2048, pattern: NO_WHITESPACE }, 5);
  }
  if (obj.resourceTags != null) {
    target.resourceTags = checkStringMap(obj.resourceTags, `${path}.resourceTags`, { maxEntries: 50, key: { min: 1, max: 128 }, value: { max: 256 } });
  }
  if (obj.filters != null) {
    target.filters = checkList(obj.filters, `${path}.filters`, "a list of filters").map((f, i) => readFilter(f, `${path}.filters[${i}]`));
  }
  if (obj.parameters != null) {
    target.parameters = checkStringMap(obj.parameters, `${path}.parameters`, {
      key: { max: 64, pattern: NO_WHITESPACE },
      value: { min: 1, max: 1024, pattern: TARGET_PARAMETER_VALUE },
    });
  }
  return target;
}

function readFilter(raw: unknown, path: string): TargetFilter {
  const obj = checkObject(raw, path, "a filter object");
  const filterPath = requiredString(obj, "path", `${path}.path`, { max: 256, pattern: NO_WHITESPACE });
  if (obj.values == null) throw constraintError(null, `${path}.values`, "Member must not be null");
  const values = checkStringList(obj.values, `${path}.values`, { max: 128 });
  if (values.length === 0) throw constraintError(values, `${path}.values`, "Member must have length greater than or equal to 1");
  return { path: filterPath, values };
}

export function readActions(value: unknown): Record<string, ActionSpec> {
  const map = checkObject(value, "actions", "a map of action names to actions");
  const out: Record<string, ActionSpec> = {};
  for (const [name, raw] of Object.entries(map)) {
    checkString(name, "actions key", NAME);
    out[name] = readAction(raw, `actions.${name}`);
  }
  return out;
}

function readAction(raw: unknown, path: string): ActionSpec {
  const obj = checkObject(raw, path, "an action object");
  const action: ActionSpec = { actionId: requiredString(obj, "actionId", `${path}.actionId`, { max: 128, pattern: NO_WHITESPACE }) };
  const description = optionalString(obj, "description", `${path}.description`, { max: 512, pattern: ANY_TEXT });
  if (description !== undefined) action.description = description;
  if (obj.parameters != null) {
    action.parameters = checkStringMap(obj.parameters, `${path}.parameters`, {
      key: { max: 64, pattern: NO_WHITESPACE },
      value: { max: 1024, pattern: NO_WHITESPACE },
    });
  }
  if (obj.targets != null) {
    action.targets = checkStringMap(obj.targets, `${path}.targets`, { key: NAME, value: NAME });
  }
  if (obj.startAfter != null) {
    action.startAfter = checkStringList(obj.startAfter, `${path}.startAfter`, NAME);
  }
  return action;
}

export function readTags(value: unknown, path = "tags"): Record<string, string> {
  return checkStringMap(value, path, { maxEntries: 50, key: { min: 1, max: 128 }, value: { max: 256 } });
}

/** An absent or empty object means "no logging" (Terraform clears logging with `{}`). */
export function readLogConfiguration(value: unknown): LogConfiguration | undefined {
  const obj = checkObject(value, "logConfiguration");
  if (Object.keys(obj).length === 0) return undefined;
  const version = obj.logSchemaVersion;
  if (version === undefined || version === null) throw constraintError(null, "logConfiguration.logSchemaVersion", "Member must not be null");
  if (typeof version !== "number" || !Number.isInteger(version)) {
    throw constraintError(version, "logConfiguration.logSchemaVersion", "Member must be an integer");
  }
  const out: LogConfiguration = { logSchemaVersion: version };
  const cw = optionalObject(obj, "cloudWatchLogsConfiguration", "logConfiguration.cloudWatchLogsConfiguration");
  if (cw) {
    out.cloudWatchLogsConfiguration = {
      logGroupArn: requiredString(cw, "logGroupArn", "logConfiguration.cloudWatchLogsConfiguration.logGroupArn", { min: 20, max: 2048, pattern: NO_WHITESPACE }),
    };
  }
  const s3 = optionalObject(obj, "s3Configuration", "logConfiguration.s3Configuration");
  if (s3) {
    const bucketName = requiredString(s3, "bucketName", "logConfiguration.s3Configuration.bucketName", { min: 3, max: 63, pattern: NO_WHITESPACE });
    const prefix = optionalString(s3, "prefix", "logConfiguration.s3Configuration.prefix", { min: 1, max: 1024, pattern: NO_WHITESPACE });
    out.s3Configuration = prefix === undefined ? { bucketName } : { bucketName, prefix };
  }
  return out;
}

/** `accountTargeting` only on Create: UpdateExperimentTemplate's model has no such member. */
export function readExperimentOptions(value: unknown, base: TemplateOptions, allowAccountTargeting: boolean): TemplateOptions {
  const obj = checkObject(value, "experimentOptions");
  const out = { ...base };
  if (allowAccountTargeting && obj.accountTargeting != null) {
    out.accountTargeting = checkEnum(obj.accountTargeting, "experimentOptions.accountTargeting", ACCOUNT_TARGETING);
  }
  if (obj.emptyTargetResolutionMode != null) {
    out.emptyTargetResolutionMode = checkEnum(obj.emptyTargetResolutionMode, "experimentOptions.emptyTargetResolutionMode", EMPTY_TARGET_RESOLUTION_MODES);
  }
  return out;
}
