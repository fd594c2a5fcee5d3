/**
 * Loading and planning shared by `run`, `run --dry` and `validate`, and the printed plan:
 * what would run, in what order, with the exact FIS templates that would be sent.
 */
import type { LoadedExperiment, Step } from "../experiment/model.js";
import { formatDuration } from "../experiment/duration.js";
import type { Plan } from "../engine/plan.js";

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

export function printPlan(plan: Plan, target: { description: string; region: string; accountId: string }, seed: number, json: boolean): void {
  const { experiment: e } = plan;
  const faults = [...plan.faults.values()].map((f) => ({
    step: f.step.name,
    fault: f.step.fault,
    template: { description: f.fragment.description, targets: f.fragment.targets, actions: f.fragment.actions },
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
  section("rollbacks", e.rollbacks);
  for (const f of faults) {
    lines.push("", `FIS template for ${f.step} (${f.fault}); nothing has been sent:`);
    lines.push(...JSON.stringify(f.template, null, 2).split("\n").map((l) => `  ${l}`));
  }
  process.stdout.write(lines.join("\n") + "\n\ndry run: nothing was changed\n");
}
