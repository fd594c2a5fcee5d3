/**
 * Judges a probe's value against a tolerance and says why, in words a reader of the journal
 * understands: "p95 was 412 ms, expected <= 300 ms".
 *
 * Chaos Toolkit semantics are kept where they exist: a number (or a list) judged against an
 * object with a `status` (the output of http and process providers) compares the status.
 */
import { isDeepStrictEqual } from "node:util";
import { JSONPath } from "jsonpath-plus";
import type { Tolerance } from "./model.js";
import { formatQuantity } from "./quantity.js";
import { compilePattern } from "./tolerance-parse.js";

export interface Verdict {
  ok: boolean;
  reason: string;
}

const ROOT = "the value";
const MAX_SHOWN = 80;

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `status` of an http or process provider's output, if the value is one. */
function statusOf(value: unknown): unknown {
  return isRecord(value) && Object.hasOwn(value, "status") ? value.status : undefined;
}

/** What a tolerance asks for, as the second half of "…, expected <= 300 ms". */
export function describeTolerance(t: Tolerance): string {
  switch (t.kind) {
    case "equals":
      return show(t.value);
    case "list":
      return `one of ${show(t.values)}`;
    case "range":
      return `${t.target ? `${t.target} ` : ""}between ${t.min} and ${t.max}`;
    case "regex":
      return `${t.target ? `${t.target} ` : ""}matching /${t.pattern}/`;
    case "jsonpath": {
      const what = t.count !== undefined ? `${t.count} match(es)` : "expect" in t ? `matches equal to ${show(t.expect)}` : "at least one match";
      return `${what} for ${t.path}${t.target ? ` in ${t.target}` : ""}`;
    }
    case "compare":
      return `${t.op} ${formatQuantity(t.value, t.unit)}`;
    case "between":
      return `between ${formatQuantity(t.min, t.unit)} and ${formatQuantity(t.max, t.unit)}`;
    case "fields":
      return Object.entries(t.fields)
        .map(([name, field]) => `${name} ${describeTolerance(field)}`)
        .join(", ");
  }
}

function verdict(ok: boolean, label: string, shown: string, expected: string): Verdict {
  return { ok, reason: ok ? `${label} was ${shown} (expected ${expected})` : `${label} was ${shown}, expected ${expected}` };
}

/** Picks `target` out of an object value; a missing target is a miss with a reason. */
function targeted(value: unknown, target: string | undefined, label: string): { value: unknown; label: string } | Verdict {
  if (target === undefined) return { value, label };
  if (!isRecord(value) || !Object.hasOwn(value, target)) {
    return { ok: false, reason: `${label} had no ${target} to judge (it was ${show(value)})` };
  }
  return { value: value[target], label: label === ROOT ? target : `${label}.${target}` };
}

/** A number to compare: the value itself, or the status of a provider's output. */
function numberOf(value: unknown, label: string): { n: number; label: string } | undefined {
  if (typeof value === "number" && !Number.isNaN(value)) return { n: value, label };
  const status = statusOf(value);
  if (typeof status === "number") return { n: status, label: label === ROOT ? "status" : `${label}.status` };
  return undefined;
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
      return a === b;
    default:
      return a !== b;
  }
}

function judge(t: Tolerance, value: unknown, label: string): Verdict {
  switch (t.kind) {
    case "equals": {
      const status = statusOf(value);
      if (typeof t.value === "number" && status !== undefined) {
        return verdict(status === t.value, label === ROOT ? "status" : `${label}.status`, show(status), show(t.value));
      }
      return verdict(value === t.value, label, show(value), show(t.value));
    }
    case "list": {
      const status = statusOf(value);
      if (status !== undefined) {
        const ok = t.values.some((v) => isDeepStrictEqual(v, status));
        return verdict(ok, label === ROOT ? "status" : `${label}.status`, show(status), `one of ${show(t.values)}`);
      }
      const [lo, hi] = t.values;
      if (t.values.length === 2 && typeof lo === "number" && typeof hi === "number") {
        const expected = `between ${lo} and ${hi}`;
        if (typeof value !== "number") return { ok: false, reason: `${label} was ${show(value)}, expected a number ${expected}` };
        return verdict(value >= lo && value <= hi, label, show(value), expected);
      }
      return verdict(
        t.values.some((v) => isDeepStrictEqual(v, value)),
        label,
        show(value),
        `one of ${show(t.values)}`,
      );
    }
    case "range": {
      const picked = targeted(value, t.target, label);
      if ("ok" in picked) return picked;
      const expected = `between ${t.min} and ${t.max}`;
      if (typeof picked.value !== "number") return { ok: false, reason: `${picked.label} was ${show(picked.value)}, expected a number ${expected}` };
      return verdict(picked.value >= t.min && picked.value <= t.max, picked.label, show(picked.value), expected);
    }
    case "regex": {
      const picked = targeted(value, t.target, label);
      if ("ok" in picked) return picked;
      const expected = `a string matching /${t.pattern}/`;
      if (typeof picked.value !== "string") return { ok: false, reason: `${picked.label} was ${show(picked.value)}, expected ${expected}` };
      let re: RegExp;
      try {
        re = compilePattern(t.pattern);
      } catch (err) {
        return { ok: false, reason: `the pattern /${t.pattern}/ does not compile: ${err instanceof Error ? err.message : String(err)}` };
      }
      return verdict(re.test(picked.value), picked.label, show(picked.value), expected);
    }
    case "jsonpath":
      return judgeJsonPath(t, value, label);
    case "compare": {
      const num = numberOf(value, label);
      const expected = `${t.op} ${formatQuantity(t.value, t.unit)}`;
      if (!num) return { ok: false, reason: `${label} was ${show(value)}, expected a number ${expected}` };
      return verdict(compare(t.op, num.n, t.value), num.label, formatQuantity(num.n, t.unit), expected);
    }
    case "between": {
      const num = numberOf(value, label);
      const expected = `between ${formatQuantity(t.min, t.unit)} and ${formatQuantity(t.max, t.unit)}`;
      if (!num) return { ok: false, reason: `${label} was ${show(value)}, expected a number ${expected}` };
      return verdict(num.n >= t.min && num.n <= t.max, num.label, formatQuantity(num.n, t.unit), expected);
    }
    case "fields": {
      if (!isRecord(value)) {
        return { ok: false, reason: `${label} was ${show(value)}, expected a map with ${Object.keys(t.fields).join(", ")}` };
      }
      const results = Object.entries(t.fields).map(([name, field]) => {
        const fieldLabel = label === ROOT ? name : `${label}.${name}`;
        if (!Object.hasOwn(value, name)) return { ok: false, reason: `${fieldLabel} was missing, expected ${describeTolerance(field)}` };
        return judge(field, value[name], fieldLabel);
      });
      const ok = results.every((r) => r.ok);
      return { ok, reason: results.filter((r) => r.ok === ok).map((r) => r.reason).join("; ") };
    }
  }
}

function judgeJsonPath(t: Extract<Tolerance, { kind: "jsonpath" }>, value: unknown, label: string): Verdict {
  const picked = targeted(value, t.target, label);
  if ("ok" in picked) return picked;
  let json = picked.value;
  if (typeof json === "string") {
    try {
      json = JSON.parse(json);
    } catch {
      return { ok: false, reason: `${picked.label} was ${show(json)}, expected JSON to query with ${t.path}` };
    }
  }
  let matches: unknown[];
  try {
    matches = (JSONPath({ path: t.path, json: json as object, wrap: true }) as unknown[] | undefined) ?? [];
  } catch (err) {
    return { ok: false, reason: `${t.path} could not be evaluated on ${picked.label}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const shown = `${matches.length} match(es) ${show(matches)}`;
  const { target: _target, ...untargeted } = t;
  const expected = describeTolerance(untargeted);
  let ok = matches.length > 0;
  if (t.count !== undefined) ok = matches.length === t.count;
  // Chaos Toolkit compares the matches with [expect]; a list `expect` may also list every match.
  if ("expect" in t) {
    const equal = isDeepStrictEqual(matches, [t.expect]) || (Array.isArray(t.expect) && isDeepStrictEqual(matches, t.expect));
    ok = (t.count === undefined || ok) && equal;
  }
  return verdict(ok, `${t.path} on ${picked.label}`, shown, expected);
}

/** Whether `value` meets the tolerance, and why (or why not) in words. */
export function evaluateTolerance(t: Tolerance, value: unknown): Verdict {
  return judge(t, value, ROOT);
}
