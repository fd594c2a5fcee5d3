/**
 * Blast-radius guardrails, the same on every target (DESIGN principle 6): a fault step may hit at
 * most its cap of the resources its target resolved to, and risky settings (a connectivity cut
 * with scope all, a drain of a whole cluster) need gameday.yaml to allow them by name.
 *
 * The cap of a fault, for a resolved set of n resources:
 * - by default, the smaller of COUNT(1) and 25% of n; 25% of n is rounded up, so on any non-empty
 *   set the default cap is exactly 1 resource (rounding down would forbid every fault on sets of
 *   fewer than four, and a cap of 0 protects nothing that an empty resolution does not);
 * - gameday.yaml `guardrails.maxTargets.<fault>`: a count (3) is that many; a percentage ("50%")
 *   is that share of n, rounded up the same way (so at least 1).
 */
import type { Resolution } from "../faults/types.js";
import type { Windows } from "./windows.js";

/** A cap gameday.yaml gives a fault: a count, or a share of the resolved set. */
export type CapSetting = { count: number } | { percent: number };

export interface GuardrailSettings {
  /** guardrails.maxTargets, by fault name. */
  maxTargets: Record<string, CapSetting>;
  /** guardrails.allow: fault names allowed a connectivity cut with scope all (kinesis-outage). */
  scopeAll: string[];
  /** guardrails.allow: cluster names a drain may take whole. */
  wholeClusterDrain: string[];
  /** guardrails.windows: when runs may start. */
  windows?: Windows;
}

export const DEFAULT_GUARDRAILS: GuardrailSettings = { maxTargets: {}, scopeAll: [], wholeClusterDrain: [] };

export const DEFAULT_SHARE_PERCENT = 25;

export interface Cap {
  max: number;
  /** How the cap came about, in words, for plans and refusals. */
  rule: string;
}

export function capFor(fault: string, n: number, settings: GuardrailSettings): Cap {
  const set = settings.maxTargets[fault];
  if (set && "count" in set) return { max: set.count, rule: `guardrails.maxTargets.${fault}: ${set.count}` };
  if (set) return { max: Math.max(1, Math.ceil((n * set.percent) / 100)), rule: `guardrails.maxTargets.${fault}: ${set.percent}% of ${n}, rounded up` };
  const share = Math.ceil((n * DEFAULT_SHARE_PERCENT) / 100);
  return { max: Math.min(1, share), rule: `default: COUNT(1) or ${DEFAULT_SHARE_PERCENT}% of ${n} rounded up, whichever is smaller` };
}

/** Why a step may not run as written; the CLI exits 2 on it. */
export interface Refusal {
  reason: string;
  /** The gameday.yaml key that would allow it. */
  key: string;
}

/** Every refusal for one resolved step; empty when it may run. */
export function refusals(o: { fault: string; resolution: Resolution; settings: GuardrailSettings }): Refusal[] {
  const { fault, resolution: r, settings } = o;
  const out: Refusal[] = [];
  const cap = capFor(fault, r.candidates.length, settings);
  if (r.hits > cap.max) {
    out.push({
      reason: `it would hit ${r.hits} of the ${r.candidates.length} ${r.lookedFor}, over the cap of ${cap.max} (${cap.rule})`,
      key: `guardrails.maxTargets.${fault}`,
    });
  }
  if (r.picks && r.maxArns !== undefined && r.hits > r.maxArns) {
    out.push({ reason: `it would hit ${r.hits} resources, but FIS takes at most ${r.maxArns} resourceArns for this target; split it into several steps`, key: "(none: a FIS limit)" });
  }
  for (const need of r.needsAllow ?? []) {
    const allowed = need.key === "scopeAll" ? settings.scopeAll : settings.wholeClusterDrain;
    if (!allowed.includes(need.name)) out.push({ reason: need.why, key: `guardrails.allow.${need.key}: [${need.name}]` });
  }
  return out;
}
