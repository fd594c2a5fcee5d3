/**
 * What a runbook's steps and a suite's entries refer to, checked before anything runs: each
 * experiment exists (a catalog name, or a path relative to the file), loads with the step's
 * `vars:` (the experiment loader itself, so a var the experiment neither declares nor uses is
 * refused exactly as `chaos run --var` refuses it, did-you-mean included, but at its key in the
 * runbook or suite), and each `stack:` file exists and is a valid stack (the sandbox's own stack
 * loader). Every problem is added to the file's own, so they are all reported in one round.
 */
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { describeValue, suggestion } from "../experiment/describe.js";
import { loadExperiment } from "../experiment/loader.js";
import { InvalidInputError, type DocPath, type LoadedExperiment } from "../experiment/model.js";
import { experimentStack } from "../experiment/sandbox-stack.js";
import type { Problems } from "../experiment/problems.js";
import type { Located } from "../experiment/source.js";

const EXTENSIONS = [".yaml", ".yml", ".json"];

/** A reference with a path separator or a YAML/JSON extension is a file path; anything else a catalog name. */
export function isExperimentPath(ref: string): boolean {
  return ref.includes("/") || EXTENSIONS.includes(extname(ref));
}

/** The experiments `chaos run` finds by name (./experiments, then the built-in ones); the CLI gives it. */
export interface ExperimentCatalog {
  /** The file of the experiment named `name`, or undefined when there is none. */
  find(name: string): string | undefined;
  /** Every name it has, for a did-you-mean. */
  names(): string[];
  /** Where the runs look for probes (./probes, then the built-in ones), to check probe parameters; built-in only when absent. */
  probeDirs?: string[];
}

/** A step's or entry's references as written, read from the raw document so that they are checked even when another field of the file is wrong. */
export interface Reference {
  /** The step's or entry's path in the file, such as ["steps", 1]. */
  at: DocPath;
  experiment?: string;
  vars?: Record<string, string>;
  stack?: string;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const nonEmpty = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * The references of the list at `key` of the raw document. A field that is not what the schema
 * takes (a number for `experiment`, a list for `vars`) is left out: the schema reports it already.
 */
export function referencesIn(doc: unknown, key: string): Reference[] {
  const list = isMap(doc) ? doc[key] : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, index): Reference[] => {
    if (!isMap(item)) return [];
    const ref: Reference = { at: [key, index] };
    const experiment = nonEmpty(item.experiment);
    if (experiment !== undefined) ref.experiment = experiment;
    const vars = item.vars;
    if (isMap(vars) && Object.values(vars).every((v) => ["string", "number", "boolean"].includes(typeof v))) ref.vars = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
    const stack = nonEmpty(item.stack);
    if (stack !== undefined) ref.stack = stack;
    return [ref];
  });
}

export interface ReferenceContext {
  /** The runbook or suite, for positions. */
  source: Located;
  /** The directory its paths are relative to. */
  dir: string;
  /** How messages name that directory's file: "the runbook", "the suite file". */
  relativeTo: string;
  catalog: ExperimentCatalog;
  /**
   * The runs use each experiment's own stack (its gameday extension) where the step or entry names
   * none: the embedded sandbox without --stack. That stack is then checked too.
   */
  ownStacks?: boolean;
}

/**
 * `source` with every value's position moved to its key: a var is named by its key (`servce:`),
 * so a problem with it points there.
 */
function atKeys(source: Located): Located {
  return { file: source.file, positionOf: (path) => source.keyPositionOf(path), keyPositionOf: (path) => source.keyPositionOf(path) };
}

/** Adds to `problems` every reference of `refs` that does not resolve, load or parse. */
export async function checkReferences(refs: readonly Reference[], ctx: ReferenceContext, problems: Problems): Promise<void> {
  const { source, dir, relativeTo, catalog } = ctx;
  for (const ref of refs) {
    if (ref.experiment !== undefined) {
      const at = [...ref.at, "experiment"];
      const expected = `an experiment's name (./experiments, then the catalog) or a path relative to ${relativeTo}`;
      let file: string | undefined;
      if (isExperimentPath(ref.experiment)) {
        file = resolve(dir, ref.experiment);
        if (!existsSync(file)) {
          problems.add(source, at, expected, `${describeValue(ref.experiment)}: no such file`);
          file = undefined;
        }
      } else {
        file = catalog.find(ref.experiment);
        if (file === undefined) problems.add(source, at, `${expected}${suggestion(ref.experiment, catalog.names())}`, `${describeValue(ref.experiment)}: no experiment of that name`);
      }
      if (file !== undefined) {
        // Planned too, as `chaos validate` does: a fault's or probe's parameters wrong in a late
        // step must not be found only after the earlier steps have injected their faults.
        const { planExperiment, withPlanProblems, PLACEHOLDER_ACCOUNT } = await import("../engine/plan.js");
        const { BUILTIN_PROBES_DIR } = await import("../engine/probe-loader.js");
        const planOptions = { probeDirs: catalog.probeDirs ?? [BUILTIN_PROBES_DIR], ...PLACEHOLDER_ACCOUNT };
        let loaded: LoadedExperiment | undefined;
        try {
          loaded = await loadExperiment(file, { vars: ref.vars ?? {}, ...(ref.vars !== undefined ? { varsAt: { source: atKeys(source), path: [...ref.at, "vars"] } } : {}) });
          await planExperiment(loaded, planOptions);
        } catch (err) {
          const all = await withPlanProblems(err, planOptions);
          if (!(all instanceof InvalidInputError)) throw all;
          problems.addAll(all.errors);
        }
        // The stack the experiment names for itself, where the run will use it: its problems are the experiment file's.
        if (loaded !== undefined && ctx.ownStacks && ref.stack === undefined) {
          try {
            const own = experimentStack(loaded);
            if (own !== undefined) await checkStackFile(own.file, problems);
          } catch (err) {
            if (!(err instanceof InvalidInputError)) throw err;
            problems.addAll(err.errors);
          }
        }
      }
    }
    if (ref.stack !== undefined) {
      const file = resolve(dir, ref.stack);
      if (!existsSync(file)) {
        problems.add(source, [...ref.at, "stack"], `a stack file, relative to ${relativeTo}`, `${describeValue(ref.stack)}: no such file`);
        continue;
      }
      await checkStackFile(file, problems);
    }
  }
}

/** Adds to `problems` what is wrong with the stack file `file` (which exists). */
async function checkStackFile(file: string, problems: Problems): Promise<void> {
  const { loadStack } = await import("../sandbox/stack/load.js");
  try {
    loadStack(file);
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    problems.addAll(err.errors);
  }
}

