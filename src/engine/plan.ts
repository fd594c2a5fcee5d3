/**
 * Turns a loaded experiment into a plan: every `probe:` step bound to its module with validated
 * parameters, every `fault:` step compiled to its FIS fragment. Problems in `with:` and `target:`
 * blocks are reported at their file position, all at once, like the loader's own errors.
 */
import type { z } from "zod";
import type { Check, DocPath, Experiment, FaultStep, InputError, LoadedExperiment, Step } from "../experiment/model.js";
import { formatPath, InvalidInputError } from "../experiment/model.js";
import { parseTolerance } from "../experiment/tolerance.js";
import { loadFault, faultNames } from "../faults/index.js";
import type { FaultModule, FisFragment } from "../faults/types.js";
import type { PlannedCheck } from "./checks.js";
import { loadProbe, ProbeLoadError } from "./probe-loader.js";

export interface PlannedFault {
  step: FaultStep;
  module: FaultModule;
  params: Record<string, unknown>;
  target: Record<string, unknown>;
  fragment: FisFragment;
}

export interface Plan {
  loaded: LoadedExperiment;
  experiment: Experiment;
  /** Every step that yields a value, by step name. */
  checks: Map<string, PlannedCheck>;
  faults: Map<string, PlannedFault>;
}

function allSteps(e: Experiment): { step: Step; role: "hypothesis" | "method" | "rollback" | "stop-condition" }[] {
  return [
    ...(e.steadyStateHypothesis?.probes ?? []).map((step) => ({ step, role: "hypothesis" as const })),
    ...e.method.map((step) => ({ step, role: "method" as const })),
    ...e.rollbacks.map((step) => ({ step, role: "rollback" as const })),
    ...e.stopConditions.map((step) => ({ step, role: "stop-condition" as const })),
  ];
}

export async function planExperiment(loaded: LoadedExperiment, options: { probeDirs: string[]; region: string; accountId: string }): Promise<Plan> {
  const errors: InputError[] = [];
  const at = (path: DocPath, expected: string, found: string) => {
    const position = loaded.positionOf(path);
    errors.push({ file: loaded.file, ...(position ? { position } : {}), path: formatPath(path), expected, found });
  };
  const checks = new Map<string, PlannedCheck>();
  const faults = new Map<string, PlannedFault>();
  const experiment = loaded.experiment;

  for (const { step, role } of allSteps(experiment)) {
    if (step.kind === "activity") {
      if (step.type === "probe" || role === "hypothesis" || role === "stop-condition") {
        checks.set(step.name, step.tolerance ? { step, tolerance: step.tolerance } : { step });
      }
      continue;
    }
    if (step.kind === "probe") {
      let module;
      try {
        module = await loadProbe(step.probe, options.probeDirs);
      } catch (err) {
        if (!(err instanceof ProbeLoadError)) throw err;
        at([...step.at, "probe"], "a known probe", `${JSON.stringify(step.probe)} (${err.message})`);
        continue;
      }
      const params = validate(module.params, step.with, [...step.at, "with"], at);
      let tolerance = step.tolerance;
      if (!tolerance && module.defaultTolerance !== undefined) {
        try {
          tolerance = parseTolerance(module.defaultTolerance, [...step.at, "tolerance"]);
        } catch (err) {
          at([...step.at, "probe"], `probe ${step.probe} to declare a valid default tolerance`, err instanceof Error ? err.message : String(err));
        }
      }
      checks.set(step.name, { step: step as Check, probe: module, params, ...(tolerance ? { tolerance } : {}) });
      continue;
    }
    if (step.kind === "fault") {
      const module = await loadFault(step.fault);
      if (!module) {
        at([...step.at, "fault"], `one of ${faultNames().join(", ")}`, JSON.stringify(step.fault));
        continue;
      }
      const params = validate(module.params, step.with, [...step.at, "with"], at);
      const target = validate(module.target, step.target, [...step.at, "target"], at);
      if (params === undefined || target === undefined) continue;
      try {
        const fragment = module.compile({ params, target, configuration: experiment.configuration, region: options.region, accountId: options.accountId });
        faults.set(step.name, { step, module, params, target, fragment });
      } catch (err) {
        at(step.at, `fault ${step.fault} to compile to FIS actions`, err instanceof Error ? err.message : String(err));
      }
    }
  }
  if (errors.length > 0) throw new InvalidInputError(errors);
  return { loaded, experiment, checks, faults };
}

/** Validates a `with:`/`target:` block against a module's zod schema, reporting every issue at its position. */
function validate<T>(schema: z.ZodType<T, any>, value: unknown, base: DocPath, report: (path: DocPath, expected: string, found: string) => void): T | undefined {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = [...base, ...(issue.path as (string | number)[])];
    const found = describeAt(value, issue.path as (string | number)[]);
    report(path, expectation(issue), found);
  }
  return undefined;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `${issue.expected}`;
    case "unrecognized_keys":
      return `no key ${issue.keys.map((k) => `"${k}"`).join(", ")} (${issue.message})`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return issue.message;
  }
}

function describeAt(root: unknown, path: readonly (string | number)[]): string {
  let node = root;
  for (const part of path) {
    if (node && typeof node === "object") node = (node as Record<string | number, unknown>)[part];
    else {
      node = undefined;
      break;
    }
  }
  if (node === undefined) return "nothing";
  const text = JSON.stringify(node) ?? String(node);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
