/**
 * Permissions -> an IAM policy document: statements with the same resources and conditions are
 * merged, actions and resources sorted and deduplicated, so that the same input always prints the
 * same policy, whichever order faults and probes declared things in.
 */
import type { Permission } from "./permission.js";

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** A Sid is letters and digits only: "FIS stops tasks" -> "FisStopsTasks". */
function sidOf(why: string): string {
  const words = why.replace(/'/g, "").split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join("") || "Statement";
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

function conditionKey(c: Permission["conditions"]): string {
  if (!c) return "";
  return JSON.stringify(Object.keys(c).sort().map((op) => [op, Object.keys(c[op]!).sort().map((k) => [k, c[op]![k]])]));
}

export function policyDocument(permissions: readonly Permission[]): PolicyDocument {
  const groups = new Map<string, { whys: string[]; actions: Set<string>; resources: string[]; conditions?: Permission["conditions"] }>();
  for (const p of permissions) {
    const resources = sorted(p.resources);
    const key = `${resources.join(",")}|${conditionKey(p.conditions)}`;
    const g = groups.get(key) ?? { whys: [], actions: new Set<string>(), resources, ...(p.conditions ? { conditions: p.conditions } : {}) };
    g.whys.push(p.why);
    for (const a of p.actions) g.actions.add(a);
    groups.set(key, g);
  }
  const statements = [...groups.values()].map((g) => {
    // One reason names the statement; several that share resources and conditions are named by their services.
    const whys = sorted(g.whys);
    const Sid = whys.length === 1 ? sidOf(whys[0]!) : sidOf(`shared ${sorted([...g.actions].map((a) => a.split(":")[0]!)).join(" ")}`);
    const s: PolicyStatement = { Sid, Effect: "Allow", Action: sorted(g.actions), Resource: g.resources };
    if (g.conditions) s.Condition = g.conditions;
    return s;
  });
  // Sorted by what they allow, then made unique: a Sid must be unique within a policy.
  statements.sort((a, b) => (a.Action.join() + a.Resource.join()).localeCompare(b.Action.join() + b.Resource.join()));
  const seen = new Map<string, number>();
  for (const s of statements) {
    const n = (seen.get(s.Sid) ?? 0) + 1;
    seen.set(s.Sid, n);
    if (n > 1) s.Sid = `${s.Sid}${n}`;
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Trust policy of the FIS experiment role: only FIS may assume it. */
export function fisTrustPolicy(): { Version: "2012-10-17"; Statement: { Effect: "Allow"; Principal: { Service: string }; Action: string }[] } {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "fis.amazonaws.com" }, Action: "sts:AssumeRole" }] };
}
