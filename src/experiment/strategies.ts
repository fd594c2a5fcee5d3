/**
 * The spellings of runtime strategies and probe modes that experiment files may use, and what
 * each means to gameday.
 */
import type { HypothesisStrategy, ProbeMode, RollbackStrategy } from "./model.js";

export const HYPOTHESIS_STRATEGIES: readonly HypothesisStrategy[] = [
  "default",
  "before-method-only",
  "after-method-only",
  "during-method-only",
  "continuously",
];

/** Everything accepted, including Chaos Toolkit's deprecated misspelling. */
export const HYPOTHESIS_SPELLINGS = [...HYPOTHESIS_STRATEGIES, "continously"] as const;

/** Chaos Toolkit's hypothesis strategy names; `continously` (sic) is still accepted there, so here too. */
export function normaliseHypothesisStrategy(s: string): HypothesisStrategy | undefined {
  const t = s.trim().toLowerCase();
  if (t === "continously") return "continuously";
  return (HYPOTHESIS_STRATEGIES as readonly string[]).includes(t) ? (t as HypothesisStrategy) : undefined;
}

export const ROLLBACK_SPELLINGS = ["default", "always", "deviated", "never"] as const;

/**
 * Chaos Toolkit's `default` plays rollbacks unless the run ended `failed` or `interrupted`, so
 * an operator's Ctrl-C leaves the system as the fault left it. gameday reads `default` as
 * `always`: every fault is reverted, on success, deviation, abort and interruption alike
 * (DESIGN principle 4). `deviated` and `never` mean what they mean in Chaos Toolkit.
 */
export function normaliseRollbackStrategy(s: string): RollbackStrategy | undefined {
  const t = s.trim().toLowerCase();
  if (t === "default" || t === "always") return "always";
  if (t === "deviated" || t === "never") return t;
  return undefined;
}

export const PROBE_MODES: readonly ProbeMode[] = ["sot", "eot", "edge", "continuous", "on-chaos"];

/** Litmus writes modes as SOT, EOT, Edge, Continuous and OnChaos; both spellings are accepted. */
export const PROBE_MODE_SPELLINGS = [...PROBE_MODES, "SOT", "EOT", "Edge", "Continuous", "OnChaos"] as const;

export function normaliseProbeMode(s: string): ProbeMode | undefined {
  const squashed = s.trim().toLowerCase().replace(/[-_\s]/g, "");
  return PROBE_MODES.find((m) => m.replace("-", "") === squashed);
}
