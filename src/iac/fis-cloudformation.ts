/**
 * An export model as a CloudFormation template: AWS::CloudWatch::Alarm for each stop-condition
 * alarm, AWS::FIS::ExperimentTemplate for each fault step, the templates' StopConditions pointing
 * at the alarms with Fn::GetAtt. Property names as the CloudFormation resource reference documents
 * them (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-fis-experimenttemplate.html,
 * .../aws-resource-cloudwatch-alarm.html).
 */
import type { FisActionJson, FisTargetJson } from "../faults/types.js";
import type { AlarmInput, ExportModel, FisTemplate } from "./fis-export.js";
import { forCloudFormation } from "./pseudo.js";

/** "web-not-on-fire" -> "WebNotOnFire": logical ids are alphanumeric. */
export function pascal(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

function uniqueIds(prefix: string, names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const base = `${prefix}${pascal(n)}`.slice(0, 250);
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    return k === 1 ? base : `${base}${k}`;
  });
}

function alarmProperties(a: AlarmInput): Record<string, unknown> {
  // Tags are left to the stack: what the alarm measures and when it fires is all FIS needs.
  const { Tags: _tags, ...rest } = a;
  return forCloudFormation(rest) as Record<string, unknown>;
}

function target(t: FisTargetJson) {
  return {
    ResourceType: t.resourceType,
    SelectionMode: t.selectionMode,
    ...(t.resourceArns ? { ResourceArns: t.resourceArns } : {}),
    ...(t.resourceTags ? { ResourceTags: t.resourceTags } : {}),
    ...(t.filters ? { Filters: t.filters.map((f) => ({ Path: f.path, Values: f.values })) } : {}),
    ...(t.parameters ? { Parameters: t.parameters } : {}),
  };
}

function action(a: FisActionJson) {
  return {
    ActionId: a.actionId,
    ...(a.description ? { Description: a.description } : {}),
    ...(a.parameters ? { Parameters: a.parameters } : {}),
    ...(a.targets ? { Targets: a.targets } : {}),
    ...(a.startAfter ? { StartAfter: a.startAfter } : {}),
  };
}

function templateProperties(t: FisTemplate, stopConditions: unknown[]) {
  const mapValues = <A, B>(o: Record<string, A>, f: (a: A) => B) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
  return {
    Description: t.description,
    RoleArn: forCloudFormation(t.roleArn),
    Targets: forCloudFormation(mapValues(t.targets, target)),
    Actions: mapValues(t.actions, action),
    StopConditions: stopConditions,
    Tags: t.tags,
    ExperimentOptions: { AccountTargeting: t.experimentOptions.accountTargeting, EmptyTargetResolutionMode: t.experimentOptions.emptyTargetResolutionMode },
  };
}

export function fisCloudFormation(m: ExportModel): Record<string, unknown> {
  const alarmIds = uniqueIds("StopAlarm", m.alarms.map((a) => a.AlarmName.replace(/^gameday-/, "")));
  const templateIds = uniqueIds("Experiment", m.templates.map((t) => t.step));
  const resources: Record<string, unknown> = {};
  m.alarms.forEach((a, i) => (resources[alarmIds[i]!] = { Type: "AWS::CloudWatch::Alarm", Properties: alarmProperties(a) }));
  const stopConditions = [
    ...m.configuredAlarms.map((arn) => ({ Source: "aws:cloudwatch:alarm", Value: arn })),
    ...alarmIds.map((id) => ({ Source: "aws:cloudwatch:alarm", Value: { "Fn::GetAtt": [id, "Arn"] } })),
  ];
  m.templates.forEach((t, i) => {
    resources[templateIds[i]!] = {
      Type: "AWS::FIS::ExperimentTemplate",
      Properties: templateProperties(t.template, stopConditions.length > 0 ? stopConditions : [{ Source: "none" }]),
    };
  });
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `gameday experiment ${m.name}: ${m.title}`.slice(0, 1024),
    Resources: resources,
    Outputs: Object.fromEntries(templateIds.map((id, i) => [`${id}Id`, { Description: `FIS experiment template of step ${m.templates[i]!.step}`, Value: { Ref: id } }])),
  };
}
