/**
 * Loads and plans an experiment for commands that print rather than run (iam-policy, setup,
 * export): no target, so the account and region are placeholders that each output format renders
 * its own way (iac/pseudo.ts).
 */
import { resolve } from "node:path";
import type { Plan } from "../engine/plan.js";
import { ACCOUNT, REGION } from "../iam/permission.js";
import { resolveExperiment } from "./catalog.js";
import { loadExperimentFile, planFor } from "./plan-command.js";
import { parseVars } from "./var-options.js";
import { usage } from "./errors.js";

export const OFFLINE = { region: REGION, accountId: ACCOUNT };

export async function planOffline(nameOrPath: string, flags: { var?: string[]; varFile?: string[] }): Promise<Plan> {
  const cwd = process.cwd();
  const file = resolveExperiment(nameOrPath, cwd);
  const loaded = await loadExperimentFile(file, { vars: parseVars(flags.var), varFiles: (flags.varFile ?? []).map((f) => resolve(cwd, f)), cwd });
  return planFor(loaded, { ...OFFLINE, cwd });
}

/** --format, checked against the formats a command prints. */
export function formatFlag<F extends string>(value: string | undefined, allowed: readonly F[], fallback: F, command: string, flag = "--format"): F {
  const f = value ?? fallback;
  if (!(allowed as readonly string[]).includes(f)) throw usage(`${command}: ${flag}: expected ${allowed.join(", ")}, found ${JSON.stringify(f)}`);
  return f as F;
}
