/**
 * A team's own template picks its own targets, so gameday's caps (which size the faults it
 * compiles) cannot be applied to it. What it can refuse on real AWS is the widest blast radius:
 * a target with selectionMode ALL, and aws:network:disrupt-connectivity with scope all (FIS's
 * default when scope is left out), unless gameday.yaml says `fisTemplates: { allowAll: true }`.
 * When the guardrails module lands (targets resolution and caps), this belongs with it.
 */
import type { FisFragment } from "./types.js";

/** Why each part of the template reaches everything it names; empty when nothing does. */
export function allReaching(fragment: FisFragment): string[] {
  const out: string[] = [];
  for (const [name, t] of Object.entries(fragment.targets)) {
    if (t.selectionMode === "ALL") out.push(`targets.${name}.selectionMode is ALL: every ${t.resourceType} it identifies`);
  }
  for (const [name, a] of Object.entries(fragment.actions)) {
    if (a.actionId === "aws:network:disrupt-connectivity" && (a.parameters?.scope ?? "all") === "all") {
      out.push(`actions.${name} (aws:network:disrupt-connectivity) has scope all${a.parameters?.scope === undefined ? " (FIS's default)" : ""}: all traffic of its subnets`);
    }
  }
  return out;
}
