/**
 * Loading and planning shared by `run`, `run --dry` and `validate`, and the printed plan:
 * what would run, in what order, with the exact FIS templates that would be sent.
 */
import type { LoadedExperiment, Step } from "../experiment/model.js";
import { formatDuration } from "../experiment/duration.js";
import type { Plan } from "../engine/plan.js";
import type { StopAlarmPlan } from "../engine/stop-conditions.js";
import type { AlarmSpec } from "../aws/stop-alarms.js";

// Placeholders for planning steps of a file that failed to load: shapes and parameters only.
const PLACEHOLDER_ACCOUNT = { region: "us-east-1", accountId: "123456789012" };

/**
 * Loads an experiment file. When that fails, the steps that passed the schema are planned as well
 * and their probe and fault parameter problems join the loader's, so one round shows every problem.
 */
export async function loadExperimentFile(file: string, o: { vars: Record<string, string>; varFiles: string[]; cwd: string; region?: string }): Promise<LoadedExperiment> {
  const { loadExperiment } = await import("../experiment/index.js");
  try {
    return await loadExperiment(file, { vars: o.vars, varFiles: o.varFiles });
  } catch (err) {
    const [{ withPlanProblems }, { probeDirs }] = await Promise.all([import("../engine/plan.js"), import("../engine/probe-loader.js")]);
    throw await withPlanProblems(err, { probeDirs: probeDirs(o.cwd), ...PLACEHOLDER_ACCOUNT, ...(o.region ? { region: o.region } : {}) });
  }
}

export async function planFor(loaded: LoadedExperiment, o: { region: string; accountId: string; cwd: string }): Promise<Plan> {
  const { planExperiment } = await import("../engine/plan.js");
  const { probeDirs } = await import("../engine/probe-loader.js");
  return planExperiment(loaded, { probeDirs: probeDirs(o.cwd), region: o.region, accountId: o.accountId });
}

function describeStep(step: Step): string {
  switch (step.kind) {
    case "pause":
      return `pause ${formatDuration(step.duration)}`;
    case "fault":
      return `fault ${step.fault} on ${JSON.stringify(step.target)}${Object.keys(step.with).length ? ` with ${JSON.stringify(step.with)}` : ""}`;
    case "probe":
      return `probe ${step.probe}${step.mode ? ` [${step.mode}]` : ""}${Object.keys(step.with).length ? ` with ${JSON.stringify(step.with)}` : ""}`;
    case "activity":
      return `${step.type} ${step.provider.type} ${step.provider.type === "http" ? `${step.provider.method} ${step.provider.url}` : step.provider.path}`;
  }
}

/** An alarm in words: what it measures and when it fires. */
function describeAlarm(a: AlarmSpec): string {
  const dims = Object.entries(a.dimensions).map(([k, v]) => `${k}=${v}`).join(",");
  const value = a.math ? `${a.math.expression} where ${a.math.metrics.map((m) => `${m.id} = ${m.metricName} ${m.stat}`).join(", ")}` : `${a.metricName} ${a.extendedStatistic ?? a.statistic}`;
  return `${a.namespace} ${value} {${dims}} ${a.comparison} ${a.threshold} over ${a.periodSeconds} s`;
}

/** Which stop conditions FIS will stop on (as alarms) and which gameday alone watches. */
function stopAlarmLines(p: StopAlarmPlan, configured: string[], arnOf: (name: string) => string): string[] {
  if (p.alarms.length === 0 && configured.length === 0 && p.watchedOnly.length === 0) return [];
  const lines = ["", "FIS stop conditions (every fault's template; FIS halts the faults on them even if gameday dies):"];
  if (p.alarms.length === 0 && configured.length === 0) lines.push("  none");
  for (const arn of configured) lines.push(`  ${arn} (configuration.fisStopAlarms)`);
  for (const a of p.alarms) lines.push(`  ${arnOf(a.name)}: ${describeAlarm(a.spec)} (stop condition ${a.stopCondition}: ${a.spec.part} ${a.spec.tolerance}), created before the faults`);
  if (p.watchedOnly.length > 0) {
    lines.push("watched by gameday alone (no alarm expresses them):");
    for (const w of p.watchedOnly) lines.push(`  ${w.stopCondition}${w.part === "all" ? "" : ` ${w.part}`}: ${w.why}`);
  }
  lines.push("gameday also watches every stop condition itself and stops on whichever fires first.");
  return lines;
}

export async function printPlan(plan: Plan, target: { description: string; region: string; accountId: string; runId: string }, seed: number, json: boolean): Promise<void> {
  const { experiment: e } = plan;
  // Loaded here, not at the top: `--help` must not load the SDK.
  const { configuredStopAlarms, planStopAlarms } = await import("../engine/stop-conditions.js");
  const stopAlarms = planStopAlarms(e, plan.checks, target.runId);
  const configured = configuredStopAlarms(e.configuration);
  const arnOf = (name: string) => `arn:aws:cloudwatch:${target.region}:${target.accountId}:alarm:${name}`;
  const stopConditions = [...configured, ...stopAlarms.alarms.map((a) => arnOf(a.name))].map((value) => ({ source: "aws:cloudwatch:alarm", value }));
  const faults = [...plan.faults.values()].map((f) => ({
    step: f.step.name,
    fault: f.step.fault,
    template: { description: f.fragment.description, targets: f.fragment.targets, actions: f.fragment.actions, stopConditions: stopConditions.length > 0 ? stopConditions : [{ source: "none" }] },
  }));
  if (json) {
    const doc = {
      title: e.title,
      file: plan.loaded.file,
      target: target.description,
      seed,
      runtime: e.runtime,
      steadyState: (e.steadyStateHypothesis?.probes ?? []).map((s) => ({ name: s.name, step: describeStep(s) })),
      method: e.method.map((s) => ({ name: s.name, step: describeStep(s), background: s.background })),
      stopConditions: e.stopConditions.map((s) => ({ name: s.name, step: describeStep(s) })),
      stopAlarms: {
        alarms: stopAlarms.alarms.map((a) => ({ name: a.name, arn: arnOf(a.name), stopCondition: a.stopCondition, part: a.spec.part, tolerance: a.spec.tolerance, alarm: describeAlarm(a.spec) })),
        watchedByGamedayOnly: stopAlarms.watchedOnly,
      },
      rollbacks: e.rollbacks.map((s) => ({ name: s.name, step: describeStep(s) })),
      faults,
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
    return;
  }
  const lines: string[] = [];
  lines.push(`${e.title}`, `  file     ${plan.loaded.file}`, `  target   ${target.description}`, `  seed     ${seed}`);
  lines.push(`  runtime  hypothesis ${e.runtime.hypothesis}, interval ${formatDuration(e.runtime.interval)}, rollbacks ${e.runtime.rollbacks}${e.runtime.failFast ? ", fail fast" : ""}`);
  const section = (title: string, steps: Step[]) => {
    if (steps.length === 0) return;
    lines.push("", title);
    steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.name}: ${describeStep(s)}${s.background ? " (background)" : ""}`));
  };
  section("steady state", e.steadyStateHypothesis?.probes ?? []);
  section("method", e.method);
  section("stop conditions", e.stopConditions);
  lines.push(...stopAlarmLines(stopAlarms, configured, arnOf));
  section("rollbacks", e.rollbacks);
  for (const f of faults) {
    // A fault FIS has no action for (deploy) makes its change through the AWS API itself: no template.
    if (Object.keys(f.template.actions).length === 0) {
      lines.push("", `${f.step} (${f.fault}): no FIS template; ${f.template.description}; nothing has been sent`);
      continue;
    }
    lines.push("", `FIS template for ${f.step} (${f.fault}); nothing has been sent:`);
    lines.push(...JSON.stringify(f.template, null, 2).split("\n").map((l) => `  ${l}`));
  }
  process.stdout.write(lines.join("\n") + "\n\ndry run: nothing was changed\n");
}
