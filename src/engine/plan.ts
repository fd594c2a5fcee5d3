/**
 * Turns a loaded experiment into a plan: every `probe:` step bound to its module with validated
 * parameters, every `fault:` step compiled to its FIS fragment. Problems in `with:` and `target:`
 * blocks are reported at their file position, all at once, like the loader's own errors.
 */
import { dirname } from "node:path";
import type { z } from "zod";
import type { Check, DocPath, Experiment, FaultStep, LoadedExperiment, Step } from "../experiment/model.js";
import { listOf, suggestion } from "../experiment/describe.js";
import { parseTolerance } from "../experiment/tolerance.js";
import { checkToleranceFits } from "../experiment/tolerance-fit.js";
import { formatPath, InvalidInputError } from "../experiment/model.js";
import { Problems } from "../experiment/problems.js";
import { IssueReporter } from "../experiment/schema-errors.js";
import type { Located } from "../experiment/source.js";
import { loadFault, faultNames } from "../faults/index.js";
import { FIS_TEMPLATE_FAULT } from "../faults/fis-template-name.js";
import type { FaultModule, FisFragment } from "../faults/types.js";
import type { PlannedCheck } from "./checks.js";
import { listProbes, loadProbe, ProbeLoadError } from "./probe-loader.js";

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

/** Planning to check shapes and parameters only (validate, a runbook's steps), with no account at hand. */
export const PLACEHOLDER_ACCOUNT = { region: "us-east-1", accountId: "123456789012" } as const;

export interface PlanOptions {
  probeDirs: string[];
  region: string;
  accountId: string;
}

/**
 * An IAM role's ARN, in any partition; the path may have slashes (role/teams/chaos-fis). The
 * partition and account may be a template's placeholder (`${AWS::AccountId}`), as in the
 * CloudFormation and Terraform that `chaos setup` and `chaos iam-policy` write.
 */
const IAM_ROLE_ARN = /^arn:(?:aws[a-z-]*|\$\{[^}]+\}):iam::(?:\d{12}|\$\{[^}]+\}):role\/[\w+=,.@/-]+$/;

export async function planExperiment(loaded: LoadedExperiment, options: PlanOptions): Promise<Plan> {
  // The loader's own reporting, so `with:` errors read exactly like the rest of the file's.
  const located: Located = { file: loaded.file, positionOf: loaded.positionOf, keyPositionOf: loaded.keyPositionOf ?? loaded.positionOf, ...(loaded.originOf ? { originOf: loaded.originOf } : {}) };
  const problems = new Problems();
  problems.redact(loaded.secretValues);
  // A ref's copy is planned too (the engine looks checks up by name), but its problems are the
  // original's, already reported there: a second report would point at a path the file lacks.
  const ignored = new Problems();
  let sink = problems;
  const at = (path: DocPath, expected: string, found: string) => sink.add(located, path, expected, found);
  const validate = <T>(schema: z.ZodType<T, any>, value: unknown, base: DocPath): T | undefined => {
    const result = schema.safeParse(value ?? {});
    if (result.success) return result.data;
    new IssueReporter(located, sink, [], schema).report(result.error.issues, value ?? {}, base);
    return undefined;
  };
  const checks = new Map<string, PlannedCheck>();
  const faults = new Map<string, PlannedFault>();
  const experiment = loaded.experiment;
  // gameday's own key (faults/fis-runner.ts): FIS would refuse a malformed role only at the first
  // fault, after the steady-state phase, with advice about creating a role that does not apply.
  const role = experiment.configuration.fisRoleArn;
  if (role !== undefined && (typeof role !== "string" || !IAM_ROLE_ARN.test(role))) at(["configuration", "fisRoleArn"], "an IAM role ARN such as arn:aws:iam::123456789012:role/gameday-fis", JSON.stringify(role));

  for (const { step, role } of allSteps(experiment)) {
    sink = step.copyOf ? ignored : problems;
    // The loader refuses these already; an Experiment built in code must not reach undo.ts with one either.
    if (role === "rollback" && (step.kind === "fault" || step.kind === "probe")) {
      problems.add(located, step.at, "a rollback that is a Chaos Toolkit activity or a pause (gameday reverts faults itself)", `a \`${step.kind}:\` step`);
      continue;
    }
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
        const known = listProbes(options.probeDirs);
        if (known.includes(step.probe)) {
          at([...step.at, "probe"], "a probe that loads", `${JSON.stringify(step.probe)} (${err.message})`);
        } else {
          const choices = known.length > 0 ? `one of ${listOf(known)}${suggestion(step.probe, known)}` : "none found";
          at([...step.at, "probe"], `a known probe: ${choices}`, `${JSON.stringify(step.probe)} (no such probe in ${options.probeDirs.join(" or ")})`);
        }
        continue;
      }
      const params = validate(module.params, step.with, [...step.at, "with"]);
      let tolerance = step.tolerance;
      if (tolerance && module.output) {
        const base = [...step.at, "tolerance"];
        checkToleranceFits(tolerance, module.output, step.probe, (path, expected, found, key) => sink.add(located, [...base, ...path], expected, found, key));
      }
      if (!tolerance && module.defaultTolerance !== undefined) {
        const misfits: string[] = [];
        try {
          tolerance = parseTolerance(module.defaultTolerance, [...step.at, "tolerance"]);
          if (module.output) checkToleranceFits(tolerance, module.output, step.probe, (path, expected, found) => misfits.push(`${formatPath(path)}: expected ${expected}, found ${found}`));
        } catch (err) {
          misfits.push(err instanceof Error ? err.message : String(err));
        }
        if (misfits.length > 0) at([...step.at, "probe"], `probe ${step.probe} to declare a valid default tolerance`, misfits.join("; "));
      }
      checks.set(step.name, { step: step as Check, probe: module, params, ...(tolerance ? { tolerance } : {}) });
      continue;
    }
    if (step.kind === "fault") {
      // A team's own template is no catalog fault: `fis-template:` steps come here as this one.
      const module = step.fault === FIS_TEMPLATE_FAULT ? (await import("../faults/fis-template.js")).default : await loadFault(step.fault);
      if (!module) {
        at([...step.at, "fault"], `one of ${faultNames().join(", ")}${suggestion(step.fault, faultNames())}`, JSON.stringify(step.fault));
        continue;
      }
      const params = validate(module.params, step.with, [...step.at, "with"]);
      const target = validate(module.target, step.target, [...step.at, "target"]);
      if (params === undefined || target === undefined) continue;
      try {
        const fragment = module.compile({ params, target, configuration: experiment.configuration, region: options.region, accountId: options.accountId, baseDir: dirname(loaded.file) });
        faults.set(step.name, { step, module, params, target, fragment });
      } catch (err) {
        // A template file's own problems point into that file.
        if (err instanceof InvalidInputError) {
          sink.addAll(err.errors);
          continue;
        }
        at(step.at, `fault ${step.fault} to compile to FIS actions`, err instanceof Error ? err.message : String(err));
      }
    }
  }
  problems.throwIfAny();
  return { loaded, experiment, checks, faults };
}

/**
 * The error to report for a failed load: when the loader could still build the steps that are
 * valid on their own, they are planned and the plan's problems (probe and fault parameters) join
 * the loader's, sorted by line, so that one round shows everything. Anything else comes back as is.
 */
export async function withPlanProblems(err: unknown, options: PlanOptions): Promise<unknown> {
  if (!(err instanceof InvalidInputError) || !err.partial) return err;
  try {
    await planExperiment(err.partial, options);
    return err;
  } catch (planErr) {
    // A failure of the extra check must not hide the problems already found.
    if (!(planErr instanceof InvalidInputError)) return err;
    const problems = new Problems();
    problems.addAll(err.errors);
    problems.addAll(planErr.errors);
    return problems.toError() ?? err;
  }
}
