/**
 * The rest of the preflight, beyond targets and guardrails: the IAM permissions the FIS role needs
 * and whether it has them (IAM SimulatePrincipalPolicy on the target), FIS quotas the templates
 * touch, and the estimated FIS cost. Red lines stop `chaos run` before anything starts.
 */
import type { Plan } from "../engine/plan.js";
import type { AwsClients } from "../aws/clients.js";
import type { RoleCheck } from "../aws/iam-simulate.js";
import type { QuotaLine } from "../engine/fis-requirements.js";
import { count } from "./plural.js";

export interface Requirements {
  roleArn: string;
  permissions: string[];
  role: RoleCheck;
  quotas: QuotaLine[];
  actionMinutes: number;
  /** USD, FIS list price (fis-requirements.ts). */
  estimatedCostUsd: number;
  /** Each a reason the run cannot go ahead, with its exit code (2 input, 4 target). */
  redLines: { message: string; exitCode: 2 | 4 }[];
}

export async function requirementsFor(plan: Plan, o: { clients: AwsClients; accountId: string; runId: string }): Promise<Requirements> {
  const [{ permissionsFor, quotasFor, actionMinutes, FIS_PRICE_PER_ACTION_MINUTE }, { simulateRole }, { configuredStopAlarms, planStopAlarms }] = await Promise.all([
    import("../engine/fis-requirements.js"),
    import("../aws/iam-simulate.js"),
    import("../engine/stop-conditions.js"),
  ]);
  const e = plan.experiment;
  // The same role the FIS runner names in every template (fis-runner.ts templateFor).
  const roleArn = typeof e.configuration.fisRoleArn === "string" ? e.configuration.fisRoleArn : `arn:aws:iam::${o.accountId}:role/gameday-fis`;
  const fragments = [...plan.faults.values()].map((f) => f.fragment);
  const permissions = permissionsFor(fragments);
  const stopConditions = configuredStopAlarms(e.configuration).length + planStopAlarms(e, plan.checks, o.runId).alarms.length;
  const quotas = [...plan.faults.entries()].flatMap(([step, f]) => quotasFor(step, f.fragment, stopConditions));
  const minutes = fragments.reduce((n, f) => n + actionMinutes(f), 0);
  const role = fragments.length === 0 ? ({ status: "checked", denied: [], allowed: [] } as RoleCheck) : await simulateRole(o.clients, roleArn, permissions);
  const redLines: Requirements["redLines"] = [];
  for (const q of quotas) if (!q.ok) redLines.push({ message: `step ${q.step}: ${q.what} is ${q.value}, over FIS's limit of ${q.limit}`, exitCode: 2 });
  if (role.status === "no-such-role") redLines.push({ message: `the FIS role ${roleArn} does not exist on the target (${role.detail}); create it (configuration.fisRoleArn names another)`, exitCode: 4 });
  if (role.status === "checked" && role.denied.length > 0) redLines.push({ message: `the FIS role ${roleArn} is not allowed ${role.denied.join(", ")} (IAM SimulatePrincipalPolicy)`, exitCode: 4 });
  return { roleArn, permissions, role, quotas, actionMinutes: minutes, estimatedCostUsd: Math.round(minutes * FIS_PRICE_PER_ACTION_MINUTE * 100) / 100, redLines };
}

export function requirementLines(r: Requirements): string[] {
  const lines = ["", `IAM: the FIS role ${r.roleArn} needs ${r.permissions.length > 0 ? r.permissions.join(", ") : "no permissions for these actions"}`];
  if (r.role.status === "checked") lines.push(r.role.denied.length === 0 ? "  allowed: every one (IAM SimulatePrincipalPolicy)" : `  DENIED: ${r.role.denied.join(", ")} (IAM SimulatePrincipalPolicy)`);
  else if (r.role.status === "no-such-role") lines.push(`  MISSING: the role does not exist (${r.role.detail})`);
  else lines.push(`  not checked: ${r.role.detail}`);
  lines.push("", "FIS quotas:");
  for (const q of r.quotas) lines.push(`  ${q.ok ? "ok  " : "OVER"} ${q.step}: ${q.what} ${q.value} of at most ${q.limit}`);
  lines.push("", `FIS cost estimate: ${count(r.actionMinutes, "action-minute")} x $0.10 = $${r.estimatedCostUsd.toFixed(2)} (list price in us-east-1; excludes the resources' own costs)`);
  for (const red of r.redLines) lines.push(`RED LINE: ${red.message}`);
  return lines;
}
