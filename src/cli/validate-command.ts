/**
 * `chaos validate`: load and plan each experiment without touching any target. Every error of every
 * file is printed (file:line:col, path, expected, found); exit 2 if there was any.
 */
import { resolve } from "node:path";
import { InvalidInputError, formatInputError } from "../experiment/model.js";
import { resolveExperiment } from "./catalog.js";
import { CliError } from "./errors.js";
import { loadExperimentFile, planFor } from "./plan-command.js";
import { parseVars } from "./var-options.js";
import { PLACEHOLDER_ACCOUNT } from "../engine/plan.js";

export async function validateCommand(names: string[], flags: { var?: string[]; varFile?: string[] }): Promise<number> {
  const cwd = process.cwd();
  let failed = 0;
  for (const name of names) {
    try {
      const file = resolveExperiment(name, cwd);
      const loaded = await loadExperimentFile(file, { vars: parseVars(flags.var), varFiles: (flags.varFile ?? []).map((f) => resolve(cwd, f)), cwd });
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
