/**
 * `chaos validate`: load and plan each experiment without touching any target. Every error of every
 * file is printed (file:line:col, path, expected, found); exit 2 if there was any.
 *
 * A file that is not an experiment but one of the other files gameday reads from experiments/ is
 * checked as what it is, by the loader of the command that reads it: a space file (`explore:`,
 * experiments/spaces/, for `chaos explore`), a suite (`experiments:`, experiments/suites/, for
 * `chaos gate`) or a game-day runbook (`steps:`, experiments/gamedays/, for `chaos gameday`); so is
 * an AWS FIS experiment template (`targets:` and `actions:`, for `chaos run --fis-template`).
 * Checked as an experiment, each would only get errors that say it is not one.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { InvalidInputError, formatInputError } from "../experiment/model.js";
import { readSource } from "../experiment/source.js";
import { looksLikeFisTemplate } from "../experiment/loader.js";
import { experimentCatalog, preCheckContext, resolveExperiment } from "./catalog.js";
import { CliError, usage } from "./errors.js";
import { loadExperimentFile, planFor } from "./plan-command.js";
import { parseVars } from "./var-options.js";
import { PLACEHOLDER_ACCOUNT } from "../engine/plan.js";
import { count, noun } from "./plural.js";

export interface ValidateFlags {
  var?: string[];
  varFile?: string[];
}

export type FileKind = "experiment" | "space" | "suite" | "runbook" | "fis-template";

/** The key that only a file of that kind has at its top level, and the directory of experiments/ it lives in. */
const KINDS: readonly { kind: Exclude<FileKind, "experiment" | "fis-template">; key: string; dir: string; what: string }[] = [
  { kind: "space", key: "explore", dir: "spaces", what: "a space file (for chaos explore)" },
  { kind: "suite", key: "experiments", dir: "suites", what: "a suite file (for chaos gate)" },
  { kind: "runbook", key: "steps", dir: "gamedays", what: "a game-day runbook (for chaos gameday)" },
];

/**
 * What a file is: by its top-level keys (an experiment has none of explore, experiments or steps;
 * one with a `method` is an experiment whatever else it has), else, for a file whose keys say
 * nothing (a typo in the very key), by the directory it sits in. A file that cannot be read or
 * parsed is left to the experiment loader, whose errors say why.
 */
export function fileKind(file: string): FileKind {
  let doc: unknown;
  try {
    const source = readSource(readFileSync(file, "utf8"), file);
    if (source.errors.length > 0) return "experiment";
    doc = source.value;
  } catch {
    return "experiment";
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || "method" in doc) return "experiment";
  if (!("title" in doc) && looksLikeFisTemplate(doc as Record<string, unknown>)) return "fis-template";
  const byKey = KINDS.find((k) => k.key in doc);
  if (byKey) return byKey.kind;
  const byDir = KINDS.find((k) => basename(dirname(file)) === k.dir);
  return byDir?.kind ?? "experiment";
}

/** Checks one file as what it is; returns the line printed for it when it is valid. */
async function validateOne(name: string, cwd: string, flags: ValidateFlags): Promise<string> {
  const file = resolveExperiment(name, cwd);
  const kind = fileKind(file);
  const inside = relative(cwd, file);
  const shown = inside === "" || inside.startsWith("..") ? file : inside;
  if (kind === "fis-template" && flags.varFile !== undefined) {
    throw usage(`${name}: --var-file applies to experiments and space files; this is a FIS experiment template, whose \${name} take --var name=VALUE, as chaos run --fis-template does`);
  }
  if (kind !== "experiment" && kind !== "space" && kind !== "fis-template" && (flags.var !== undefined || flags.varFile !== undefined)) {
    throw usage(`${name}: --var and --var-file apply to experiments and space files; this is ${KINDS.find((k) => k.kind === kind)!.what}, whose entries carry their own vars`);
  }
  switch (kind) {
    case "fis-template": {
      // As chaos run --fis-template reads it before any call; what the target's FIS offers is asked at run and plan time.
      const { loadFisTemplateFile } = await import("../experiment/fis-template-file.js");
      const { fisCatalog } = await import("../fis/catalog.js");
      const { spec, shape } = loadFisTemplateFile(file, shown, fisCatalog, parseVars(flags.var));
      const as = shape === "get-output" ? ", as get-experiment-template prints it" : "";
      return `ok  ${name}: FIS experiment template for chaos run --fis-template${as}: ${spec.description} (${count(Object.keys(spec.actions).length, "action")}, ${count(Object.keys(spec.targets ?? {}).length, "target")})`;
    }
    case "space": {
      const { prepareSearch, describeSpace } = await import("./explore-command.js");
      const { input, space } = await prepareSearch(file, flags, cwd);
      return `ok  ${name}: space file for chaos explore, judged by ${relative(cwd, input.experimentFile) || input.experimentFile}: ${describeSpace(space)}`;
    }
    case "suite": {
      const { readSuite } = await import("../gate/suite.js");
      const suite = await readSuite(shown, file, experimentCatalog(cwd), { ownStacks: true });
      const experiments = new Set(suite.runs.map((r) => r.experiment)).size;
      return `ok  ${name}: suite for chaos gate: ${suite.title} (${count(experiments, "experiment")}, ${count(suite.runs.length, "run")})`;
    }
    case "runbook": {
      const { loadRunbookForRun } = await import("../schedule/gameday-runbook.js");
      const { runbook } = await loadRunbookForRun(file, shown, experimentCatalog(cwd), { ownStacks: true, preChecks: preCheckContext(cwd) });
      return `ok  ${name}: game-day runbook for chaos gameday: ${runbook.title} (${count(runbook.steps.length, "step")}, ${count(runbook["pre-checks"]?.length ?? 0, "pre-check")})`;
    }
    case "experiment": {
      const loaded = await loadExperimentFile(file, { vars: parseVars(flags.var), varFiles: (flags.varFile ?? []).map((f) => resolve(cwd, f)), cwd });
      const plan = await planFor(loaded, { ...PLACEHOLDER_ACCOUNT, cwd });
      const e = plan.experiment;
      return `ok  ${name}: ${e.title} (${count(e.method.length, "method step")}, ${count(plan.faults.size, "fault")}, ${count(plan.checks.size, "check")})`;
    }
  }
}

export async function validateCommand(names: string[], flags: ValidateFlags): Promise<number> {
  const cwd = process.cwd();
  let failed = 0;
  let errors = 0;
  for (const name of names) {
    try {
      process.stdout.write(`${await validateOne(name, cwd, flags)}\n`);
    } catch (err) {
      failed++;
      if (err instanceof InvalidInputError) {
        for (const e of err.errors) process.stderr.write(`${formatInputError(e)}\n`);
        errors += err.errors.length;
      } else if (err instanceof CliError) {
        process.stderr.write(`chaos: ${err.message}\n`);
        errors++;
      } else {
        throw err;
      }
    }
  }
  // The total, as a failed run prints it ("1 error"), with the files: the errors of many files scroll by.
  if (failed > 0) {
    const files = failed === names.length ? count(failed, "file") : `${failed} of ${names.length} ${noun(names.length, "file")}`;
    process.stderr.write(`${count(errors, "error")} in ${files}\n`);
  }
  return failed > 0 ? 2 : 0;
}
