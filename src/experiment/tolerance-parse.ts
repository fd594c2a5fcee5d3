/**
 * Tolerances as authored, checked and turned into `Tolerance` values.
 *
 * Chaos Toolkit's forms (a bool, number or string to equal; a list; `{type: regex|jsonpath|range}`)
 * plus what people write in SLOs: comparison strings (`">= 0.999"`, `"<= 300ms"`, `"between 1 and 5"`)
 * and maps that judge named fields of a value (`{availability: ">= 99.9%", p95: "<= 300ms"}`).
 */
import { JSONPath } from "jsonpath-plus";
import { describeValue, listOf, quote } from "./describe.js";
import type { DocPath, Tolerance } from "./model.js";
import { finerUnit, parseQuantity, type Quantity } from "./quantity.js";

/** Receives one problem: where (relative to the tolerance), what was expected, what was found. */
export type ReportProblem = (path: DocPath, expected: string, found: string) => void;

type CompareOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

export const TOLERANCE_FORMS =
  "a tolerance: true/false, a number or string to equal, a comparison such as \">= 0.999\", \"<= 300ms\", " +
  "\">= 99.9%\" or \"between 1 and 5\", a list, a map with `type: regex`, `jsonpath` or `range`, " +
  "or a map of field names to tolerances";

const TYPED_KEYS: Readonly<Record<string, readonly string[]>> = {
  regex: ["type", "pattern", "target"],
  jsonpath: ["type", "path", "expect", "count", "target"],
  range: ["type", "range", "target"],
};

const UNIT_HINT = "ms, s, m, h, %, B, KiB, MiB, GiB, kB, MB, GB";

const COMPARISON = /^\s*(<=|>=|==|!=|<|>|=)\s*(.*?)\s*$/;
// Signs in front of a number that are not an operator gameday knows ("*= 300ms", "=> 5", "≥ 0.99").
const OPERATOR_LIKE = /^\s*([<>=!~*^≥≤≠≈]+)\s*(?:[-+]?\.?\d|P\d|PT)/i;
const KNOWN_OPERATORS: readonly string[] = ["<", "<=", ">", ">=", "==", "!=", "="];
const OPERATOR_MEANT: Readonly<Record<string, string>> = { "=>": ">=", "=<": "<=", "≥": ">=", "≤": "<=", "≠": "!=", "<>": "!=", "=!": "!=", "===": "==", "!==": "!=" };
// Read as text they would only ever fail to equal a reading; as numbers no reading can be judged by them.
const NOT_A_NUMBER = /^\s*[+-]?(?:nan|inf|infinity)\s*$/i;
const BETWEEN = /^\s*between\s+(.+?)\s+and\s+(.+?)\s*$/i;

/**
 * Compiles a regex tolerance's pattern. Chaos Toolkit patterns are Python's: named groups
 * `(?P<name>...)`, back-references `(?P=name)` and a leading `(?i)` are translated; the rest of
 * the syntax JavaScript shares.
 */
export function compilePattern(pattern: string): RegExp {
  let flags = "";
  let source = pattern;
  const inline = /^\(\?([aimsux]+)\)/.exec(source);
  if (inline) {
    flags = [...new Set(inline[1])].filter((f) => "ims".includes(f)).join("");
    source = source.slice(inline[0].length);
  }
  source = source.replace(/\(\?P</g, "(?<").replace(/\(\?P=(\w+)\)/g, "\\k<$1>");
  return new RegExp(source, flags);
}

function readBound(text: string, path: DocPath, whole: string, report: ReportProblem): Quantity | undefined {
  const q = parseQuantity(text);
  if ("problem" in q) {
    report(path, `a number with an optional unit (${UNIT_HINT}) in ${JSON.stringify(whole)}`, `${JSON.stringify(text)}: ${q.problem}`);
    return undefined;
  }
  return q;
}

function readString(text: string, path: DocPath, report: ReportProblem): Tolerance | undefined {
  const operator = OPERATOR_LIKE.exec(text)?.[1];
  if (operator !== undefined && !KNOWN_OPERATORS.includes(operator)) {
    const meant = Object.hasOwn(OPERATOR_MEANT, operator) ? ` (did you mean ${quote(OPERATOR_MEANT[operator]!)}?)` : "";
    report(
      path,
      `a comparison with ${listOf(KNOWN_OPERATORS.slice(0, -1))}, such as "<= 300ms"; for an exact string, use {type: regex}`,
      `${JSON.stringify(text)}: ${quote(operator)} is not a comparison${meant}`,
    );
    return undefined;
  }
  if (NOT_A_NUMBER.test(text)) {
    report(path, `${TOLERANCE_FORMS}; NaN and Infinity are no value a reading can be judged by (for that exact text, use {type: regex})`, describeValue(text));
    return undefined;
  }
  const between = BETWEEN.exec(text);
  if (between || /^\s*between\s/i.test(text)) {
    if (!between) {
      report(path, "\"between <low> and <high>\", such as \"between 1 and 5\" or \"between 100ms and 2s\"", describeValue(text));
      return undefined;
    }
    const low = readBound(between[1] ?? "", path, text, report);
    const high = readBound(between[2] ?? "", path, text, report);
    if (!low || !high) return undefined;
    if (low.dimension !== high.dimension) {
      report(path, "both bounds in the same kind of unit", `${JSON.stringify(text)} (${low.dimension} and ${high.dimension})`);
      return undefined;
    }
    if (low.value > high.value) {
      report(path, "a low bound that is not above the high bound", describeValue(text));
      return undefined;
    }
    const unit = finerUnit(low.unit, high.unit);
    return { kind: "between", min: low.value, max: high.value, ...(unit ? { unit } : {}), source: text };
  }
  const comparison = COMPARISON.exec(text);
  if (comparison) {
    const op = (comparison[1] === "=" ? "==" : comparison[1]) as CompareOp;
    const amount = comparison[2] ?? "";
    const q = parseQuantity(amount);
    if ("problem" in q) {
      report(
        path,
        `a number after ${op} with an optional unit (${UNIT_HINT}), such as "<= 300ms"; ` +
          "for an exact string that starts with a comparison sign, use {type: regex}",
        `${JSON.stringify(text)}: ${q.problem}`,
      );
      return undefined;
    }
    return { kind: "compare", op, value: q.value, ...(q.unit ? { unit: q.unit } : {}), source: text };
  }
  return { kind: "equals", value: text };
}

function readTarget(raw: Record<string, unknown>, path: DocPath, report: ReportProblem): { target?: string } {
  if (!("target" in raw)) return {};
  if (typeof raw.target === "string" && raw.target !== "") return { target: raw.target };
  report([...path, "target"], "the name of a key of the value to judge (a string)", describeValue(raw.target));
  return {};
}

function readTyped(type: string, raw: Record<string, unknown>, path: DocPath, report: ReportProblem): Tolerance | undefined {
  const allowed = TYPED_KEYS[type] ?? [];
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      report([...path, key], `one of ${listOf(allowed)} in a ${type} tolerance`, `the unknown key ${quote(key)}`);
      ok = false;
    }
  }
  const target = readTarget(raw, path, report);
  if ("target" in raw && target.target === undefined) ok = false;

  if (type === "regex") {
    if (typeof raw.pattern !== "string") {
      report([...path, "pattern"], "a regular expression (a string)", describeValue(raw.pattern));
      return undefined;
    }
    try {
      compilePattern(raw.pattern);
    } catch (err) {
      report([...path, "pattern"], "a valid regular expression", `${describeValue(raw.pattern)}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    return ok ? { kind: "regex", pattern: raw.pattern, ...target } : undefined;
  }

  if (type === "jsonpath") {
    if (typeof raw.path !== "string" || !raw.path.trim().startsWith("$")) {
      report([...path, "path"], "a JSONPath expression starting with `$`, such as \"$.items[*].status\"", describeValue(raw.path));
      return undefined;
    }
    try {
      JSONPath({ path: raw.path, json: {}, wrap: true });
    } catch (err) {
      report([...path, "path"], "a valid JSONPath expression", `${describeValue(raw.path)}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    let count: number | undefined;
    if ("count" in raw) {
      if (typeof raw.count !== "number" || !Number.isSafeInteger(raw.count) || raw.count < 0) {
        report([...path, "count"], `how many matches there must be (a whole number from 0 to ${Number.MAX_SAFE_INTEGER})`, describeValue(raw.count));
        return undefined;
      }
      count = raw.count;
    }
    if (!ok) return undefined;
    return {
      kind: "jsonpath",
      path: raw.path,
      ...("expect" in raw ? { expect: raw.expect } : {}),
      ...(count !== undefined ? { count } : {}),
      ...target,
    };
  }

  // range
  const range = raw.range;
  if (!Array.isArray(range) || range.length !== 2 || !range.every((n) => typeof n === "number" && Number.isFinite(n))) {
    report([...path, "range"], "a list of two numbers [low, high]", describeValue(range));
    return undefined;
  }
  const [min, max] = range as [number, number];
  if (min > max) {
    report([...path, "range"], "a low bound that is not above the high bound", describeValue(range));
    return undefined;
  }
  return ok ? { kind: "range", min, max, ...target } : undefined;
}

/**
 * Reads one tolerance, reporting every problem through `report` with its path. Returns undefined
 * when there was a problem.
 */
export function readTolerance(raw: unknown, path: DocPath, report: ReportProblem): Tolerance | undefined {
  if (typeof raw === "boolean") return { kind: "equals", value: raw };
  if (typeof raw === "number") {
    if (Number.isFinite(raw)) return { kind: "equals", value: raw };
    report(path, TOLERANCE_FORMS, describeValue(raw));
    return undefined;
  }
  if (typeof raw === "string") return readString(raw, path, report);
  if (Array.isArray(raw)) {
    if (raw.length === 0) {
      report(path, "a list with at least one value (a list tolerance passes when the value is one of them)", "an empty list");
      return undefined;
    }
    if (raw.some((v) => typeof v === "number" && !Number.isFinite(v))) {
      report(path, "a list of values a reading can equal (NaN and Infinity are none)", describeValue(raw));
      return undefined;
    }
    return { kind: "list", values: raw };
  }
  if (raw === null || typeof raw !== "object") {
    report(path, TOLERANCE_FORMS, describeValue(raw));
    return undefined;
  }
  const map = raw as Record<string, unknown>;
  if ("type" in map) {
    const type = map.type;
    if (type === "probe") {
      report(
        [...path, "type"],
        `${TOLERANCE_FORMS}; a probe as a tolerance runs Python, which gameday does not run`,
        "type: probe",
      );
      return undefined;
    }
    if (typeof type !== "string" || !Object.hasOwn(TYPED_KEYS, type)) {
      report(
        [...path, "type"],
        `one of ${listOf(Object.keys(TYPED_KEYS))} (a map without \`type\` judges each named field of the value)`,
        describeValue(type),
      );
      return undefined;
    }
    return readTyped(type, map, path, report);
  }
  const names = Object.keys(map);
  if (names.length === 0) {
    report(path, `${TOLERANCE_FORMS}; a map of fields needs at least one field`, "an empty map");
    return undefined;
  }
  const fields: Record<string, Tolerance> = {};
  let ok = true;
  for (const name of names) {
    const field = readTolerance(map[name], [...path, name], report);
    if (field) Object.defineProperty(fields, name, { value: field, enumerable: true, writable: true, configurable: true });
    else ok = false;
  }
  return ok ? { kind: "fields", fields } : undefined;
}
