/**
 * Turns a loaded experiment into a plan: every `probe:` step bound to its module with validated
 * parameters, every `fault:` step compiled to its FIS fragment. Problems in `with:` and `target:`
 * blocks are reported at their file position, all at once, like the loader's own errors.
 */
import type { z } from "zod";
import type { Check, DocPath, Experiment, FaultStep, LoadedExperiment, Step } from "../experiment/model.js";
import { parseTolerance } from "../experiment/tolerance.js";
import { Problems } from "../experiment/problems.js";
import { IssueReporter } from "../experiment/schema-errors.js";
import type { Located } from "../experiment/source.js";
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
  // The loader's own reporting, so `with:` errors read exactly like the rest of the file's.
  const located: Located = { file: loaded.file, positionOf: loaded.positionOf, keyPositionOf: loaded.positionOf };
  const problems = new Problems();
  problems.redact(loaded.secretValues);
  const reporter = new IssueReporter(located, problems);
  const at = (path: DocPath, expected: string, found: string) => problems.add(located, path, expected, found);
  const validate = <T>(schema: z.ZodType<T, any>, value: unknown, base: DocPath): T | undefined => {
    const result = schema.safeParse(value ?? {});
    if (result.success) return result.data;
    reporter.report(result.error.issues, value ?? {}, base);
    return undefined;
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
      const params = validate(module.params, step.with, [...step.at, "with"]);
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
      const params = validate(module.params, step.with, [...step.at, "with"]);
      const target = validate(module.target, step.target, [...step.at, "target"]);
      if (params === undefined || target === undefined) continue;
      try {
        const fragment = module.compile({ params, target, configuration: experiment.configuration, region: options.region, accountId: options.accountId });
        faults.set(step.name, { step, module, params, target, fragment });
      } catch (err) {
        at(step.at, `fault ${step.fault} to compile to FIS actions`, err instanceof Error ? err.message : String(err));
      }
    }
  }
  problems.throwIfAny();
  return { loaded, experiment, checks, faults };
}
