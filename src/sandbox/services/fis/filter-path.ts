/**
 * Evaluates a target filter's `path` ("State.Name", "Placement.AvailabilityZone") against a
 * resource's Describe document. Keys are PascalCase as the Describe API returns them; a list on
 * the way is searched element by element, so "Attachments.Status" looks at every attachment.
 * Hand-written rather than jsonpath-plus: FIS paths are not JSONPath (no "$", implicit list
 * traversal), and translating them would mean escaping every key for ten lines of walking.
 */

/** Every scalar value found at `path`, as strings (numbers and booleans as their JSON text). */
export function valuesAtPath(doc: unknown, path: string): string[] {
  let current: unknown[] = [doc];
  for (const key of path.split(".")) {
    const next: unknown[] = [];
    for (const node of current.flatMap((n) => (Array.isArray(n) ? n : [n]))) {
      if (node !== null && typeof node === "object" && Object.hasOwn(node, key)) next.push((node as Record<string, unknown>)[key]);
    }
    current = next;
  }
  const out: string[] = [];
  for (const v of current.flatMap((n) => (Array.isArray(n) ? n : [n]))) {
    if (typeof v === "string") out.push(v);
    else if (typeof v === "number" || typeof v === "boolean") out.push(String(v));
  }
  return out;
}

/** A filter matches when any value at its path equals any of its values (values OR). */
export function filterMatches(doc: unknown, filter: { path: string; values: readonly string[] }): boolean {
  const found = valuesAtPath(doc, filter.path);
  return found.some((v) => filter.values.includes(v));
}
