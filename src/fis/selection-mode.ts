/**
 * A target's `selectionMode`: ALL, COUNT(n) or PERCENT(n). FIS picks COUNT and PERCENT
 * resources at random from those the target identified; here the pick comes from a seeded
 * stream, so the same seed picks the same resources.
 */
import type { Random } from "../random/random.js";

export type SelectionMode = { kind: "ALL" } | { kind: "COUNT"; n: number } | { kind: "PERCENT"; n: number };

const GRAMMAR = /^(?:(ALL)|(COUNT|PERCENT)\((\d+)\))$/;

/** The parsed mode, or why `text` is not one. */
export function parseSelectionMode(text: string): SelectionMode | { error: string } {
  const m = GRAMMAR.exec(text);
  if (!m) return { error: `expected ALL, COUNT(n) or PERCENT(n), found "${text}"` };
  if (m[1]) return { kind: "ALL" };
  const kind = m[2] as "COUNT" | "PERCENT";
  const n = Number(m[3]);
  if (kind === "COUNT" && n < 1) return { error: `COUNT(n) needs a positive whole number, found "${text}"` };
  if (kind === "PERCENT" && (n < 1 || n > 100)) return { error: `PERCENT(n) needs a whole number from 1 to 100, found "${text}"` };
  return { kind, n };
}

/** How many of `available` resources the mode selects. PERCENT rounds down. */
export function selectionCount(mode: SelectionMode, available: number): number {
  switch (mode.kind) {
    case "ALL":
      return available;
    case "COUNT":
      return Math.min(mode.n, available);
    case "PERCENT":
      // The FIS docs do not say how a fraction is rounded; down is the conservative reading
      // (never more than the stated share of the fleet).
      return Math.floor((available * mode.n) / 100);
  }
}

/** The selected resources, in the order of `items` (callers sort them for determinism). */
export function selectResources<T>(items: readonly T[], mode: SelectionMode, random: Random): T[] {
  const count = selectionCount(mode, items.length);
  if (count >= items.length) return items.slice();
  const chosen = new Set(random.sample(items.map((_, i) => i), count));
  return items.filter((_, i) => chosen.has(i));
}
