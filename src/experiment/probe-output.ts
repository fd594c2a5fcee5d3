/**
 * What a probe returns, declared next to its parameters, so that a tolerance can be checked
 * before the run: a misspelt field or a value the field can never take is an input error at its
 * line, not a "deviated" verdict about the user's system at the end of a game day.
 */

/** The unit of a field, which says which tolerances make sense for it. */
export type OutputUnit =
  /** A fraction from 0 to 1; tolerances may write it as a percentage (99.9%). */
  | "ratio"
  /** Milliseconds; tolerances write a duration (300ms, 2s, PT1M). */
  | "ms"
  /** Seconds; tolerances write a plain number. */
  | "seconds"
  /** A whole number of things, 0 or more. */
  | "count"
  /** A size in bytes; tolerances write 64MiB or a plain number. */
  | "bytes"
  /** Any other number. */
  | "number"
  | "bool"
  | "string"
  /** A map or a list whose inside is not declared: judged with jsonpath, or not at all. */
  | "map"
  | "list";

export interface OutputField {
  unit: OutputUnit;
  description?: string;
  /** Bounds of the values the field can take; the unit's own bounds apply when absent (a ratio is 0 to 1). */
  min?: number;
  max?: number;
  /** The field may be null (nothing measured yet). */
  nullable?: boolean;
}

/**
 * A probe's value: a map of named fields (judged by a map tolerance such as
 * `{ availability: ">= 0.999" }`), or a single value.
 */
export type ProbeOutput = { fields: Readonly<Record<string, OutputField>> } | { value: OutputField };

export const NUMERIC_UNITS: ReadonlySet<OutputUnit> = new Set(["ratio", "ms", "seconds", "count", "bytes", "number"]);

const UNITS: readonly OutputUnit[] = ["ratio", "ms", "seconds", "count", "bytes", "number", "bool", "string", "map", "list"];

function fieldProblems(name: string, field: unknown): string[] {
  if (typeof field !== "object" || field === null) return [`${name} is not a field declaration ({ unit, ... })`];
  const { unit, min, max } = field as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof unit !== "string" || !(UNITS as readonly string[]).includes(unit)) problems.push(`${name}.unit is ${JSON.stringify(unit)}, not one of ${UNITS.join(", ")}`);
  for (const [key, bound] of [["min", min], ["max", max]] as const) {
    if (bound !== undefined && (typeof bound !== "number" || Number.isNaN(bound))) problems.push(`${name}.${key} is not a number`);
  }
  return problems;
}

/** What is wrong with a probe's `output` declaration (a team's own probe is plain JavaScript). */
export function outputProblems(output: unknown): string[] {
  if (typeof output !== "object" || output === null) return ["`output` is not { fields: {...} } or { value: {...} }"];
  const { fields, value } = output as Record<string, unknown>;
  if (value !== undefined) return fieldProblems("`output.value`", value);
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) return ["`output` is not { fields: {...} } or { value: {...} }"];
  return Object.entries(fields).flatMap(([name, field]) => fieldProblems(`\`output.fields.${name}\``, field));
}

/** Bounds a unit implies on its own. */
export function boundsOf(field: OutputField): { min: number; max: number } {
  const own: Partial<Record<OutputUnit, { min: number; max: number }>> = {
    ratio: { min: 0, max: 1 },
    count: { min: 0, max: Number.MAX_SAFE_INTEGER },
    ms: { min: 0, max: Number.MAX_SAFE_INTEGER },
    bytes: { min: 0, max: Number.MAX_SAFE_INTEGER },
  };
  const unit = own[field.unit] ?? { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY };
  return { min: field.min ?? unit.min, max: field.max ?? unit.max };
}

/** How a tolerance for a field of this unit is written, for "expected ..." in messages. */
export const UNIT_TOLERANCES: Readonly<Record<OutputUnit, string>> = {
  ratio: 'a ratio from 0 to 1 or a percentage, such as ">= 0.999" or ">= 99.9%"',
  ms: 'a duration with its unit, such as "<= 300ms" or "<= 2s"',
  seconds: 'a number of seconds, such as "<= 120"',
  count: 'a whole number of 0 or more, such as 0 or "<= 5"',
  bytes: 'a size, such as "<= 64MiB"',
  number: 'a number, such as "<= 5"',
  bool: "true or false",
  string: "a string to equal, a list of strings, or {type: regex}",
  map: "a map of its fields, or {type: jsonpath}",
  list: "{type: jsonpath}, or a list of values it may equal",
};

/** "in milliseconds", for "`p95` is in milliseconds". */
export const UNIT_WORDS: Readonly<Record<OutputUnit, string>> = {
  ratio: "a ratio from 0 to 1",
  ms: "in milliseconds",
  seconds: "in seconds",
  count: "a count",
  bytes: "in bytes",
  number: "a number",
  bool: "true or false",
  string: "a string",
  map: "a map",
  list: "a list",
};
