/**
 * `chaos lint`: every check, run read-only against a target through the client factory, and the
 * findings they make. A check that cannot read what it needs (an AWS call refused) fails the run
 * as a target error rather than passing quietly.
 */
import type { AwsClients } from "../aws/clients.js";
import type { Finding, LintCheck } from "./check.js";
import { Inventory } from "./inventory.js";
import { spotDeregistrationBudget } from "./checks/spot-deregistration-budget.js";
import { spotDrainConfigured } from "./checks/spot-drain-configured.js";
import { drainMinHealthy } from "./checks/drain-min-healthy.js";
import { producerRetries } from "./checks/producer-retries.js";
import { lifecycleHookBudget } from "./checks/lifecycle-hook-budget.js";

export type { Finding, LintCheck, Severity } from "./check.js";

export const CHECKS: readonly LintCheck[] = [spotDeregistrationBudget, spotDrainConfigured, drainMinHealthy, producerRetries, lifecycleHookBudget];

export interface LintReport {
  checks: readonly LintCheck[];
  findings: Finding[];
}

export async function lint(clients: AwsClients, checks: readonly LintCheck[] = CHECKS): Promise<LintReport> {
  const inventory = new Inventory(clients);
  const findings: Finding[] = [];
  // One at a time: their reads are shared (memoized), and the order of findings stays stable.
  for (const check of checks) {
    try {
      findings.push(...(await check.run(inventory)));
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new LintReadError(`${check.id}: could not read the target (${e.name ?? "Error"}: ${e.message ?? String(err)}); the check needs ${check.calls.join(", ")}`);
    }
  }
  return { checks, findings };
}

/** A check could not make a read it needs: the target's answer, not a finding. */
export class LintReadError extends Error {
  override name = "LintReadError";
}
