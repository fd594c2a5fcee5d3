/**
 * `chaos validate`: load and plan each experiment without touching any target. Every error of every
 * file is printed (file:line:col, path, expected, found); exit 2 if there was any.
 */
import { resolve } from "node:path";
import { InvalidInputError, formatInputError, type LoadedExperiment } from "../experiment/model.js";
import { resolveExperiment } from "./catalog.js";
import { CliError } from "./errors.js";
import { loadExperimentFile, planFor } from "./plan-command.js";
import { parseVars } from "./run-command.js";

// Placeholders: validation checks shapes and parameters, not a live account.
const PLACEHOLDER_ACCOUNT = { region: "us-east-1", accountId: "123456789012" };

/**
 * Loads an experiment file; when that fails, the steps that passed the schema are planned as well
 * and their probe and fault parameter problems join the loader's, so one round shows every problem.
 */
export async function loadReportingAll(file: string, o: { vars: Record<string, string>; varFiles: string[]; cwd: string; region?: string }): Promise<LoadedExperiment> {
  try {
    return await loadExperimentFile(file, { vars: o.vars, varFiles: o.varFiles });
  } catch (err) {
    const [{ withPlanProblems }, { probeDirs }] = await Promise.all([import("../engine/plan.js"), import("../engine/probe-loader.js")]);
    throw await withPlanProblems(err, { probeDirs: probeDirs(o.cwd), ...PLACEHOLDER_ACCOUNT, ...(o.region ? { region: o.region } : {}) });
  }
}

export async function validateCommand(names: string[], flags: { var?: string[]; varFile?: string[] }): Promise<number> {
  const cwd = process.cwd();
  let failed = 0;
  for (const name of names) {
    try {
      const file = resolveExperiment(name, cwd);
      const loaded = await loadReportingAll(file, { vars: parseVars(flags.var), varFiles: (flags.varFile ?? []).map((f) => resolve(cwd, f)), cwd });
      const plan = await planFor(loaded, { ...PLACEHOLDER_ACCOUNT, cwd });
      const e = plan.experiment;
      process.stdout.write(`ok  ${name}: ${e.title} (${e.method.length} method steps, ${plan.faults.size} fault${plan.faults.size === 1 ? "" : "s"}, ${plan.checks.size} checks)\n`);
    } catch (err) {
      failed++;
      if (err instanceof InvalidInputError) {
        for (const e of err.errors) process.stderr.write(`${formatInputError(e)}\n`);
      } else if (err instanceof CliError) {
        process.stderr.write(`chaos: ${err.message}\n`);
      } else {
        throw err;
      }
    }
  }
  return failed > 0 ? 2 : 0;
}
