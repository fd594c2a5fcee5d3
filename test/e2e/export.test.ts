/**
 * `chaos export`: a catalog experiment's FIS templates and stop-condition alarms as FIS JSON,
 * CloudFormation and Terraform JSON. Golden files pin each format (UPDATE_GOLDEN=1 rewrites them
 * after a deliberate change); the shape checks hold whatever the golden says.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CreateExperimentTemplateCommand } from "@aws-sdk/client-fis";
import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { chaos, REPO, scratch } from "./cli.js";
import { harness, stackYaml, type Harness } from "../sandbox/harness.js";

const GOLDEN = join(REPO, "test", "fixtures", "export");
const FIS_ARGS = ["--account", "123456789012", "--region", "us-east-1"];

async function exported(format: string, experiment = "spot-interrupt"): Promise<string> {
  const r = await chaos(["export", experiment, "--format", format, ...(format === "fis" ? FIS_ARGS : [])], { cwd: scratch() });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("chaos export", () => {
  for (const [format, file] of [["fis", "spot-interrupt.fis.json"], ["cloudformation", "spot-interrupt.cloudformation.json"], ["terraform", "spot-interrupt.tf.json"]] as const) {
    it(`prints the same bytes every time, as in the golden file (${format})`, async () => {
      const [a, b] = await Promise.all([exported(format), exported(format)]);
      expect(a).toBe(b);
      const golden = join(GOLDEN, file);
      if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, a);
      expect(existsSync(golden), `${golden}: run with UPDATE_GOLDEN=1 to create it`).toBe(true);
      expect(a).toBe(readFileSync(golden, "utf8"));
    });
  }

  it("fis: FIS accepts the templates once their alarms exist (the sandbox's FIS validates as FIS does)", async () => {
    const doc = JSON.parse(await exported("fis"));
    h = await harness(stackYaml());
    const cloudwatch = await h.clients.cloudwatch();
    for (const a of doc.alarms) await cloudwatch.send(new PutMetricAlarmCommand(a));
    const fis = await h.clients.fis();
    const templates = Object.values(doc.templates) as Record<string, unknown>[];
    expect(templates).toHaveLength(1);
    for (const t of templates) {
      const created = await fis.send(new CreateExperimentTemplateCommand({ ...t, clientToken: "export-test" } as never));
      expect(created.experimentTemplate?.stopConditions?.map((s) => s.value)).toEqual(["arn:aws:cloudwatch:us-east-1:123456789012:alarm:gameday-spot-interrupt-web-not-on-fire"]);
      expect(created.experimentTemplate?.tags?.["gameday:step"]).toBe("interrupt-one-spot-instance");
    }
  });

  it("cloudformation: only the resources' documented properties, the required ones present, stop conditions wired to the alarms", async () => {
    const t = JSON.parse(await exported("cloudformation"));
    // From the CloudFormation template reference for each resource type.
    const documented: Record<string, { required: string[]; allowed: string[] }> = {
      "AWS::FIS::ExperimentTemplate": {
        required: ["Description", "RoleArn", "StopConditions", "Targets", "Tags"],
        allowed: ["Actions", "Description", "ExperimentOptions", "ExperimentReportConfiguration", "LogConfiguration", "RoleArn", "StopConditions", "Tags", "Targets"],
      },
      "AWS::CloudWatch::Alarm": {
        required: ["ComparisonOperator", "EvaluationPeriods"],
        allowed: ["ActionsEnabled", "AlarmActions", "AlarmDescription", "AlarmName", "ComparisonOperator", "DatapointsToAlarm", "Dimensions", "EvaluateLowSampleCountPercentile", "EvaluationPeriods", "ExtendedStatistic", "InsufficientDataActions", "MetricName", "Metrics", "Namespace", "OKActions", "Period", "Statistic", "Tags", "Threshold", "ThresholdMetricId", "TreatMissingData", "Unit"],
      },
    };
    const resources = Object.entries(t.Resources) as [string, { Type: string; Properties: Record<string, unknown> }][];
    expect(resources.map(([, r]) => r.Type).sort()).toEqual(["AWS::CloudWatch::Alarm", "AWS::FIS::ExperimentTemplate"]);
    for (const [id, r] of resources) {
      const doc = documented[r.Type]!;
      for (const p of doc.required) expect(r.Properties, `${id}.${p}`).toHaveProperty(p);
      for (const p of Object.keys(r.Properties)) expect(doc.allowed, `${id}.${p}`).toContain(p);
    }
    const [, template] = resources.find(([, r]) => r.Type === "AWS::FIS::ExperimentTemplate")!;
    const p = template.Properties as Record<string, any>;
    for (const target of Object.values(p.Targets) as Record<string, unknown>[]) {
      expect(target).toHaveProperty("ResourceType");
      expect(target).toHaveProperty("SelectionMode");
      for (const k of Object.keys(target)) expect(["Filters", "Parameters", "ResourceArns", "ResourceTags", "ResourceType", "SelectionMode"]).toContain(k);
    }
    for (const action of Object.values(p.Actions) as Record<string, unknown>[]) {
      expect(action).toHaveProperty("ActionId");
      for (const k of Object.keys(action)) expect(["ActionId", "Description", "Parameters", "StartAfter", "Targets"]).toContain(k);
    }
    const [alarmId] = resources.find(([, r]) => r.Type === "AWS::CloudWatch::Alarm")!;
    expect(p.StopConditions).toEqual([{ Source: "aws:cloudwatch:alarm", Value: { "Fn::GetAtt": [alarmId, "Arn"] } }]);
    // The account is the stack's, never a made-up one.
    expect(p.RoleArn).toEqual({ "Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/gameday-fis" });
    expect(JSON.stringify(t)).not.toContain("123456789012");
  });

  it("terraform: blocks as Terraform JSON takes them, every reference to something the document declares", async () => {
    const tf = JSON.parse(await exported("terraform"));
    const declared = new Set<string>();
    for (const [type, byName] of Object.entries(tf.resource as Record<string, Record<string, unknown>>)) for (const name of Object.keys(byName)) declared.add(`${type}.${name}`);
    for (const [type, byName] of Object.entries(tf.data as Record<string, Record<string, unknown>>)) for (const name of Object.keys(byName)) declared.add(`data.${type}.${name}`);
    const refs = [...JSON.stringify(tf).matchAll(/(?<!\$)\$\{([^}]+)\}/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(declared, ref).toContain(ref.split(".").slice(0, ref.startsWith("data.") ? 3 : 2).join("."));
    const templates = Object.values(tf.resource.aws_fis_experiment_template) as Record<string, any>[];
    expect(templates).toHaveLength(1);
    const t = templates[0]!;
    for (const k of ["description", "role_arn", "stop_condition", "action", "target"]) expect(t, k).toHaveProperty(k);
    for (const block of ["stop_condition", "action", "target", "experiment_options"]) expect(Array.isArray(t[block]), block).toBe(true);
    expect(t.stop_condition[0].value).toMatch(/^\$\{aws_cloudwatch_metric_alarm\.[a-z0-9_]+\.arn\}$/);
    expect(t.action[0]).toMatchObject({ name: "interrupt", action_id: "aws:ec2:send-spot-instance-interruptions", target: [{ key: "SpotInstances", value: "spotInstances" }] });
    expect(t.target[0]).toMatchObject({ name: "spotInstances", resource_type: "aws:ec2:spot-instance", selection_mode: "COUNT(1)", resource_tag: [{ key: "chaos", value: "ok" }] });
  });

  it("says what is missing rather than printing ARNs FIS would refuse, and refuses an experiment with no fault", async () => {
    const cwd = scratch();
    const noAccount = await chaos(["export", "spot-interrupt", "--format", "fis"], { cwd });
    expect(noAccount.code).toBe(2);
    expect(noAccount.stderr).toContain("needs --account and --region");
    writeFileSync(join(cwd, "watch.yaml"), "title: just watching\nmethod:\n  - pause: PT1M\n");
    const noFault = await chaos(["export", "watch.yaml"], { cwd });
    expect(noFault.code).toBe(2);
    expect(noFault.stderr).toContain("no fault steps");
  });

  it("refuses a --region that is not a region's name (exit 2, nothing printed) rather than writing it into the ARNs", async () => {
    const cwd = scratch();
    for (const region of ["us-eest-1", "x y"]) {
      const r = await chaos(["export", "spot-interrupt", "--format", "fis", "--account", "123456789012", "--region", region], { cwd });
      expect([r.code, r.stdout, r.stderr]).toEqual([2, "", `chaos: export: --region: expected a region such as "us-east-1" (<area>-<direction>-<number>), found ${JSON.stringify(region)}\n`]);
    }
  });

  it("refuses a step whose action only the embedded sandbox's FIS has: a stack naming it would not deploy on AWS", async () => {
    for (const format of ["cloudformation", "terraform"]) {
      const r = await chaos(["export", "fargate-spot-interrupt", "--format", format], { cwd: scratch() });
      expect([r.code, r.stdout]).toEqual([2, ""]);
      expect(r.stderr).toBe("chaos: export: AWS FIS has no such action, only the embedded sandbox's FIS does: step interrupt-one-spot-task (fargate-spot-interrupt) uses gameday:ecs:fargate-spot-interrupt; nothing was exported\n");
    }
  });
});
