/**
 * Loading and planning shared by `run`, `run --dry` and `validate`, and the printed plan:
 * what would run, in what order, with the exact FIS templates that would be sent.
 */
import type { LoadedExperiment, Step } from "../experiment/model.js";
import { formatDuration } from "../experiment/duration.js";
import { PLACEHOLDER_ACCOUNT, type Plan } from "../engine/plan.js";
import type { StopAlarmPlan } from "../engine/stop-conditions.js";
import type { AlarmSpec } from "../aws/stop-alarms.js";
import { refusalMessage as stepRefusals, unavailableMessage, type Preflight, type ResolvedStep } from "../engine/preflight.js";
import type { Random } from "../random/random.js";
import type { AwsClients } from "../aws/clients.js";
import { CliError } from "./errors.js";
import { FIS_TEMPLATE_FAULT } from "../faults/fis-template-name.js";
import { requirementLines, type Requirements } from "./plan-requirements.js";

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

/**
 * The preflight every run passes (and `chaos plan` and `run --dry` print): each fault's target
 * resolved to exact resources on the target, guardrails checked, resources picked by the seed.
 * A target that resolves to nothing fails here (exit 4); refusals are returned for the caller.
 */
export type Checked = Preflight & { outsideWindow?: string };

export async function checkPlan(plan: Plan, o: { target: { kind: "sandbox" | "endpoint" | "aws"; region: string; accountId: string; clients: AwsClients; clock: { now(): number } }; random: Random; cwd: string }): Promise<Checked> {
  const [{ preflight, PreflightError }, { loadGuardrails }, { checkWindow }] = await Promise.all([import("../engine/preflight.js"), import("./config.js"), import("../engine/windows.js")]);
  const settings = loadGuardrails(o.cwd);
  // A team's template naming actions the target's FIS lacks (gameday:* on AWS) is refused at its line (exit 2) before anything is resolved.
  if ([...plan.faults.values()].some((f) => f.step.fault === FIS_TEMPLATE_FAULT)) await (await import("../faults/fis-template-offers.js")).refuseUnofferedTemplateActions(plan, o.target.clients);
  let checked: Preflight;
  try {
    checked = await preflight(plan, { aws: o.target.clients, random: o.random.fork("guardrails"), region: o.target.region, accountId: o.target.accountId, settings });
  } catch (err) {
    if (err instanceof PreflightError) throw new CliError(err.message, err.exitCode);
    throw err;
  }
  // Windows keep chaos away from production outside the hours a team chose, so they bind on AWS,
  // on its real clock. A sandbox, embedded or served, risks nothing at any hour, and its clock is
  // virtual or scaled (an embedded run always starts on Wednesday 2020-11-25): rehearsals and CI
  // gates on it run whenever they are started, whatever the windows say.
  if (o.target.kind !== "aws") return checked;
  const window = checkWindow(settings.windows, o.target.clock.now());
  if (window.allowed) return checked;
  const next = window.next === undefined ? "no allowed time within a year" : `the next allowed start is ${new Date(window.next).toISOString()} (${settings.windows!.timezone} ${localText(window.next, settings.windows!.timezone)})`;
  return { ...checked, outsideWindow: `outside the allowed windows of gameday.yaml (guardrails.windows): ${window.why} at ${new Date(o.target.clock.now()).toISOString()}; ${next}` };
}

function localText(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23", weekday: "short" }).format(new Date(ms));
}

/** Every refusal (guardrails per step, the allowed windows) as one message, or undefined. */
export function refusalMessage(c: Checked): string | undefined {
  const steps = stepRefusals(c);
  if (steps === undefined && c.outsideWindow === undefined) return undefined;
  const lines = [...(steps === undefined ? [] : steps.split("\n").slice(1)), ...(c.outsideWindow ? [`  ${c.outsideWindow}`] : [])];
  return `guardrails refused the run; nothing was started:\n${lines.join("\n")}`;
}

/** A resolved step in words: what was found, the cap, what will be hit, and any refusal. */
function resolutionLines(s: ResolvedStep): string[] {
  const r = s.resolution;
  // A step the target cannot carry out, with nothing found: "found (none), cap 0" would read as an empty target, not as why.
  if (s.unavailable && r.candidates.length === 0) return [`  ${s.step} (${s.fault}, ${s.at}): ${r.lookedFor}: not resolved, the target cannot carry the step out`, `    NOT ON THIS TARGET  ${s.unavailable}`];
  const lines = [`  ${s.step} (${s.fault}, ${s.at}): ${r.candidates.length} ${r.lookedFor}`];
  lines.push(`    found    ${r.candidates.map((c) => c.id).join(", ")}`);
  lines.push(`    cap      ${s.cap.max} (${s.cap.rule}); the step hits ${r.hits}`);
  if (s.chosen) lines.push(`    hits     ${s.chosen.map((c) => c.id).join(", ")} (picked by the seed; FIS gets exactly these ARNs)`);
  for (const refusal of s.refusals) lines.push(`    REFUSED  ${refusal.reason}; gameday.yaml key: ${refusal.key}`);
  if (s.unavailable) lines.push(`    NOT ON THIS TARGET  ${s.unavailable}`);
  return lines;
}

function resolutionJson(s: ResolvedStep) {
  return {
    step: s.step,
    fault: s.fault,
    at: s.at,
    lookedFor: s.resolution.lookedFor,
    found: s.resolution.candidates,
    hits: s.resolution.hits,
    cap: s.cap,
    ...(s.chosen ? { chosen: s.chosen } : {}),
    refusals: s.refusals,
    ...(s.unavailable ? { unavailable: s.unavailable } : {}),
  };
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

export async function printPlan(plan: Plan, target: { description: string; region: string; accountId: string; runId: string }, seed: number, json: boolean, checked?: Checked, required?: Requirements): Promise<void> {
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
      targets: (checked?.steps ?? []).map(resolutionJson),
      ...(checked?.outsideWindow ? { outsideWindow: checked.outsideWindow } : {}),
      faults,
      ...(required
        ? { iam: { roleArn: required.roleArn, permissions: required.permissions, role: required.role }, quotas: required.quotas, cost: { actionMinutes: required.actionMinutes, estimatedUsd: required.estimatedCostUsd, pricePerActionMinuteUsd: 0.1 }, redLines: required.redLines }
        : {}),
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
  if (checked && checked.steps.length > 0) {
    lines.push("", "targets (resolved read-only on the target; guardrails checked):");
    for (const step of checked.steps) lines.push(...resolutionLines(step));
  }
  for (const f of faults) {
    // A fault FIS has no action for (deploy) makes its change through the AWS API itself: no template.
    if (Object.keys(f.template.actions).length === 0) {
      lines.push("", `${f.step} (${f.fault}): no FIS template; ${f.template.description}; nothing has been sent`);
      continue;
    }
    lines.push("", `FIS template for ${f.step} (${f.fault}); nothing has been sent:`);
    lines.push(...JSON.stringify(f.template, null, 2).split("\n").map((l) => `  ${l}`));
  }
  if (required) lines.push(...requirementLines(required));
  if (checked?.outsideWindow) lines.push("", `REFUSED: ${checked.outsideWindow}`);
  const refused = checked && refusalMessage(checked) !== undefined ? "\nguardrails refuse this run as it stands (see REFUSED)\n" : "";
  const unavailable = checked ? unavailableMessage(checked) : undefined;
  const notHere = unavailable ? `\n${unavailable.replace("; nothing was started", "")}\n` : "";
  process.stdout.write(lines.join("\n") + "\n" + refused + notHere + "\ndry run: nothing was changed\n");
}
