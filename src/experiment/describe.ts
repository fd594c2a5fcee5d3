/**
 * Words for error messages: how to show a value that was found, how to list what was expected,
 * and which known name a misspelt one probably meant.
 */

const MAX_FOUND = 60;

/** A name as it appears in messages: `stop-conditions`. */
export function quote(name: string): string {
  return `\`${name}\``;
}

/** "`a`, `b` or `c`". */
export function listOf(names: readonly string[], conjunction = "or"): string {
  const quoted = names.map(quote);
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} ${conjunction} ${quoted[quoted.length - 1]}`;
}

function shorten(text: string): string {
  return text.length > MAX_FOUND ? `${text.slice(0, MAX_FOUND - 1)}…` : text;
}

/** JSON where possible; never throws (cycles and BigInts do not occur in parsed data, but be safe). */
function compact(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The offending value, shortened: `"PT2X"`, `5`, `a list [1,2]`, `nothing` for a missing key. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value (null)";
  if (typeof value === "string") return shorten(JSON.stringify(value));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `a list ${shorten(compact(value))}`;
  if (typeof value === "object") return `a map ${shorten(compact(value))}`;
  return shorten(String(value));
}

/** What kind of value this is, in words: "a string", "a list". */
export function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "object":
      return "a map";
    default:
      return typeof value;
  }
}

/** Case, dashes and underscores do not make a different word: stop_conditions is stop-conditions. */
function squash(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, "");
}

/**
 * Optimal-string-alignment edit distance (Levenshtein plus adjacent swaps, the commonest typo).
 * Written here because it is twenty lines and only ever compares short key names.
 */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/** The known name a misspelt one most likely meant, if any is close enough. */
export function closest(word: string, known: readonly string[]): string | undefined {
  const target = squash(word);
  if (target === "") return undefined;
  const same = known.find((k) => squash(k) === target);
  if (same !== undefined) return same;
  const allowed = target.length <= 4 ? 1 : target.length <= 10 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of known) {
    const distance = editDistance(target, squash(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** " (did you mean `x`?)" or "". */
export function suggestion(word: string, known: readonly string[]): string {
  const guess = closest(word, known);
  return guess === undefined ? "" : ` (did you mean ${quote(guess)}?)`;
}
