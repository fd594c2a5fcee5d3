/**
 * EventBridge event pattern matching: every field of the pattern must match; a list matches when
 * any of its entries does; the content filters prefix, suffix, anything-but, numeric, exists,
 * equals-ignore-case and wildcard; and `$or`.
 *
 * Hand-written: the npm registry has no maintained implementation of EventBridge's matcher for
 * Node (AWS's own, event-ruler, is Java), and the rules are short.
 */

type Json = unknown;

/** Throws with the pattern path when a pattern is malformed, as PutRule would. */
export function validatePattern(pattern: Json, path = "pattern"): void {
  if (!isObject(pattern)) throw new Error(`${path}: expected an object, found ${JSON.stringify(pattern)}`);
  for (const [k, v] of Object.entries(pattern)) {
    if (k === "$or") {
      if (!Array.isArray(v) || v.length === 0) throw new Error(`${path}.$or: expected a non-empty list of patterns`);
      v.forEach((p, i) => validatePattern(p, `${path}.$or[${i}]`));
    } else if (Array.isArray(v)) {
      if (v.length === 0) throw new Error(`${path}.${k}: expected a non-empty list of values`);
    } else if (isObject(v)) validatePattern(v, `${path}.${k}`);
    else throw new Error(`${path}.${k}: expected a list of values or a nested pattern, found ${JSON.stringify(v)}`);
  }
}

export function matches(pattern: Record<string, Json>, event: Json): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!(expected as Record<string, Json>[]).some((p) => matches(p, event))) return false;
      continue;
    }
    const present = isObject(event) && key in event;
    const actual = present ? (event as Record<string, Json>)[key] : undefined;
    if (Array.isArray(expected)) {
      if (!matchList(expected, actual, present)) return false;
    } else if (isObject(expected)) {
      if (!present || !isObject(actual) || !matches(expected, actual)) return false;
    } else return false;
  }
  return true;
}

function matchList(list: Json[], actual: Json, present: boolean): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  return list.some((rule) => {
    if (isObject(rule) && "exists" in rule) return rule.exists === present;
    if (!present) return false;
    return values.some((v) => matchValue(rule, v));
  });
}

function matchValue(rule: Json, v: Json): boolean {
  if (!isObject(rule)) return rule === v;
  if ("prefix" in rule) {
    const p = rule.prefix;
    if (isObject(p) && "equals-ignore-case" in p) return typeof v === "string" && v.toLowerCase().startsWith(String(p["equals-ignore-case"]).toLowerCase());
    return typeof v === "string" && v.startsWith(String(p));
  }
  if ("suffix" in rule) {
    const s = rule.suffix;
    if (isObject(s) && "equals-ignore-case" in s) return typeof v === "string" && v.toLowerCase().endsWith(String(s["equals-ignore-case"]).toLowerCase());
    return typeof v === "string" && v.endsWith(String(s));
  }
  if ("equals-ignore-case" in rule) return typeof v === "string" && v.toLowerCase() === String(rule["equals-ignore-case"]).toLowerCase();
  if ("wildcard" in rule) return typeof v === "string" && wildcard(String(rule.wildcard)).test(v);
  if ("anything-but" in rule) {
    const not = rule["anything-but"];
    if (Array.isArray(not)) return !not.includes(v);
    if (isObject(not)) {
      if ("prefix" in not) return !(typeof v === "string" && v.startsWith(String(not.prefix)));
      if ("suffix" in not) return !(typeof v === "string" && v.endsWith(String(not.suffix)));
      if ("wildcard" in not) {
        const ws = Array.isArray(not.wildcard) ? not.wildcard : [not.wildcard];
        return !(typeof v === "string" && ws.some((w) => wildcard(String(w)).test(v)));
      }
      return true;
    }
    return v !== not;
  }
  if ("numeric" in rule) {
    if (typeof v !== "number") return false;
    const ops = rule.numeric as Json[];
    for (let i = 0; i + 1 < ops.length; i += 2) {
      const op = ops[i];
      const n = ops[i + 1] as number;
      const ok = op === "=" ? v === n : op === "<" ? v < n : op === "<=" ? v <= n : op === ">" ? v > n : op === ">=" ? v >= n : false;
      if (!ok) return false;
    }
    return true;
  }
  return false;
}

function wildcard(p: string): RegExp {
  return new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
