/**
 * Whether a role may do what a plan needs: IAM SimulatePrincipalPolicy, read-only. The caller may
 * lack iam:SimulatePrincipalPolicy itself; that is "unknown", not a denial.
 */
import { SimulatePrincipalPolicyCommand } from "./sdk/iam.js";
import type { AwsClients } from "./clients.js";

export type RoleCheck =
  | { status: "checked"; denied: string[]; allowed: string[] }
  | { status: "no-such-role"; detail: string }
  | { status: "unknown"; detail: string };

export async function simulateRole(clients: AwsClients, roleArn: string, actions: readonly string[], signal?: AbortSignal): Promise<RoleCheck> {
  if (actions.length === 0) return { status: "checked", denied: [], allowed: [] };
  const iam = await clients.iam();
  const denied: string[] = [];
  const allowed: string[] = [];
  try {
    let marker: string | undefined;
    do {
      const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: [...actions], ...(marker ? { Marker: marker } : {}) }), { abortSignal: signal as never });
      for (const r of out.EvaluationResults ?? []) (r.EvalDecision === "allowed" ? allowed : denied).push(r.EvalActionName ?? "?");
      marker = out.IsTruncated ? out.Marker : undefined;
    } while (marker);
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (e.name === "NoSuchEntity" || e.name === "NoSuchEntityException") return { status: "no-such-role", detail: e.message ?? "no such role" };
    return { status: "unknown", detail: `${e.name ?? "Error"}: ${e.message ?? String(err)}` };
  }
  return { status: "checked", denied, allowed };
}
