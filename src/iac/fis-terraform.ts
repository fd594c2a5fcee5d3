/**
 * An export model as Terraform JSON (`*.tf.json`, which Terraform reads as it reads HCL; printing
 * JSON needs no HCL printer of our own and is byte-stable): aws_cloudwatch_metric_alarm for each
 * stop-condition alarm, aws_fis_experiment_template for each fault step, stop_condition blocks
 * referring to the alarms' arn. Nested blocks are JSON arrays of objects, as Terraform's JSON
 * syntax takes them; argument names as the AWS provider documents these two resources.
 */
import type { FisActionJson, FisTargetJson } from "../faults/types.js";
import type { AlarmInput, ExportModel, FisTemplate } from "./fis-export.js";
import { forTerraform, TERRAFORM_DATA } from "./pseudo.js";

/** "web-not-on-fire" -> "web_not_on_fire": Terraform names start with a letter or underscore. */
function snake(text: string): string {
  const s = text.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "").toLowerCase();
  return /^[a-z_]/.test(s) ? s : `_${s}`;
}

function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const base = snake(n);
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    return k === 1 ? base : `${base}_${k}`;
  });
}

const dims = (d: { Name: string; Value: string }[] | undefined) => (d && d.length > 0 ? { dimensions: Object.fromEntries(d.map((x) => [x.Name, x.Value])) } : {});

interface MathQuery {
  Id: string;
  Expression?: string;
  Label?: string;
  ReturnData: boolean;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string };
}

function alarm(a: AlarmInput): Record<string, unknown> {
  const x = a as AlarmInput & { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[]; Statistic?: string; ExtendedStatistic?: string; Period?: number; Metrics?: MathQuery[] };
  const metric = x.Metrics
    ? {
        metric_query: x.Metrics.map((q) => ({
          id: q.Id,
          return_data: q.ReturnData,
          ...(q.Expression ? { expression: q.Expression } : {}),
          ...(q.Label ? { label: q.Label } : {}),
          ...(q.MetricStat
            ? { metric: [{ namespace: q.MetricStat.Metric.Namespace, metric_name: q.MetricStat.Metric.MetricName, period: q.MetricStat.Period, stat: q.MetricStat.Stat, ...dims(q.MetricStat.Metric.Dimensions) }] }
            : {}),
        })),
      }
    : {
        namespace: x.Namespace,
        metric_name: x.MetricName,
        period: x.Period,
        ...(x.ExtendedStatistic ? { extended_statistic: x.ExtendedStatistic } : { statistic: x.Statistic }),
        ...dims(x.Dimensions),
      };
  return {
    alarm_name: a.AlarmName,
    alarm_description: a.AlarmDescription,
    comparison_operator: a.ComparisonOperator,
    evaluation_periods: a.EvaluationPeriods,
    threshold: a.Threshold,
    treat_missing_data: a.TreatMissingData,
    actions_enabled: a.ActionsEnabled,
    ...metric,
  };
}

function target(name: string, t: FisTargetJson) {
  return {
    name,
    resource_type: t.resourceType,
    selection_mode: t.selectionMode,
    ...(t.resourceArns ? { resource_arns: t.resourceArns } : {}),
    ...(t.resourceTags ? { resource_tag: Object.entries(t.resourceTags).map(([key, value]) => ({ key, value })) } : {}),
    ...(t.filters ? { filter: t.filters.map((f) => ({ path: f.path, values: f.values })) } : {}),
    ...(t.parameters ? { parameters: t.parameters } : {}),
  };
}

function action(name: string, a: FisActionJson) {
  return {
    name,
    action_id: a.actionId,
    ...(a.description ? { description: a.description } : {}),
    ...(a.parameters ? { parameter: Object.entries(a.parameters).map(([key, value]) => ({ key, value })) } : {}),
    ...(a.targets ? { target: Object.entries(a.targets).map(([key, value]) => ({ key, value })) } : {}),
    ...(a.startAfter ? { start_after: a.startAfter } : {}),
  };
}

function template(t: FisTemplate, stopConditions: unknown[]) {
  return {
    description: t.description,
    role_arn: t.roleArn,
    target: Object.entries(t.targets).map(([n, x]) => target(n, x)),
    action: Object.entries(t.actions).map(([n, x]) => action(n, x)),
    stop_condition: stopConditions,
    experiment_options: [{ account_targeting: t.experimentOptions.accountTargeting, empty_target_resolution_mode: t.experimentOptions.emptyTargetResolutionMode }],
    tags: t.tags,
  };
}

export function fisTerraform(m: ExportModel): Record<string, unknown> {
  const alarmNames = uniqueNames(m.alarms.map((a) => a.AlarmName.replace(/^gameday-/, "")));
  const templateNames = uniqueNames(m.templates.map((t) => t.step));
  // Escaped and with the account/region references first; the resource references after, unescaped.
  const alarms = Object.fromEntries(m.alarms.map((a, i) => [alarmNames[i]!, forTerraform(alarm(a))]));
  const stopConditions = [
    ...m.configuredAlarms.map((arn) => forTerraform({ source: "aws:cloudwatch:alarm", value: arn })),
    ...alarmNames.map((n) => ({ source: "aws:cloudwatch:alarm", value: `\${aws_cloudwatch_metric_alarm.${n}.arn}` })),
  ];
  const templates = Object.fromEntries(
    m.templates.map((t, i) => [templateNames[i]!, { ...(forTerraform(template(t.template, [])) as Record<string, unknown>), stop_condition: stopConditions.length > 0 ? stopConditions : [{ source: "none" }] }]),
  );
  return {
    "//": `gameday experiment ${m.name}: ${m.title}`,
    data: TERRAFORM_DATA,
    resource: { ...(m.alarms.length > 0 ? { aws_cloudwatch_metric_alarm: alarms } : {}), aws_fis_experiment_template: templates },
    output: Object.fromEntries(templateNames.map((n) => [`${n}_template_id`, { value: `\${aws_fis_experiment_template.${n}.id}` }])),
  };
}
