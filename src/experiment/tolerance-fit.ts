/**
 * Whether a parsed tolerance can judge what a probe declares it returns: every field it names
 * exists (else a did-you-mean), and every value is of the field's unit and within its range. A
 * tolerance that fails here could only ever report "deviated" (or always pass), whatever the
 * system under test does.
 */
import { describeValue, listOf, quote, suggestion } from "./describe.js";
import type { DocPath, Tolerance } from "./model.js";
import { boundsOf, NUMERIC_UNITS, UNIT_TOLERANCES, UNIT_WORDS, type OutputField, type OutputUnit, type ProbeOutput } from "./probe-output.js";
import { dimensionOf, formatQuantity, type Dimension } from "./quantity.js";

/** Receives one misfit: where (relative to the tolerance), what was expected, what was found; `key` for a map key. */
export type ReportMisfit = (path: DocPath, expected: string, found: string, key?: boolean) => void;

/** The quantities a field of each numeric unit can be compared with. */
const DIMENSIONS: Partial<Record<OutputUnit, readonly Dimension[]>> = {
  ratio: ["number", "fraction"],
  ms: ["duration"],
  seconds: ["number"],
  count: ["number"],
  bytes: ["bytes", "number"],
  number: ["number"],
};

/** A tolerance as the author wrote it, for "found ...". */
function shown(t: Tolerance): string {
  switch (t.kind) {
    case "compare":
    case "between":
      return JSON.stringify(t.source);
    case "equals":
      return describeValue(t.value);
    case "list":
      return describeValue(t.values);
    case "fields":
      return `a map of ${listOf(Object.keys(t.fields), "and")}`;
    default:
      return `a {type: ${t.kind}} tolerance`;
  }
}

/** A bound in the author's unit; whole numbers in full (formatQuantity rounds to six digits). */
function formatBound(value: number, unit: string | undefined): string {
  return unit === undefined && Number.isSafeInteger(value) ? String(value) : formatQuantity(value, unit);
}

interface Field {
  decl: OutputField;
  /** "`p95` of http-slo", for messages. */
  label: string;
  path: DocPath;
}

class FitChecker {
  /** How many misfits were reported so far (a list stops at its first). */
  misfits = 0;

  constructor(private readonly report: ReportMisfit) {}

  private expectedFor(f: Field): string {
    return `${UNIT_TOLERANCES[f.decl.unit]} (${f.label} is ${UNIT_WORDS[f.decl.unit]})`;
  }

  private wrongKind(f: Field, t: Tolerance): void {
    this.report(f.path, this.expectedFor(f), shown(t));
  }

  /** A number (in the field's base unit) the field can take; `unit` is how the author wrote it. */
  private inRange(f: Field, value: number, unit: string | undefined, found: string): boolean {
    const { min, max } = boundsOf(f.decl);
    if (value >= min && value <= max) return true;
    const span = `${formatBound(min, unit)} to ${formatBound(max, unit)}`;
    this.report(f.path, `a value from ${span} (${f.label} is ${UNIT_WORDS[f.decl.unit]}, so no reading is ${formatBound(value, unit)})`, found);
    return false;
  }

  private dimensionFits(f: Field, unit: string | undefined): boolean {
    return DIMENSIONS[f.decl.unit]?.includes(dimensionOf(unit)) ?? false;
  }

  /** One value to equal (alone or in a list): of the field's kind, and within its range. */
  private equalsFits(f: Field, value: unknown, t: Tolerance): void {
    const unit = f.decl.unit;
    if (unit === "map" || unit === "list") return;
    if (typeof value === "number" && NUMERIC_UNITS.has(unit)) {
      if (!this.dimensionFits(f, undefined)) return this.wrongKind(f, t);
      if (!this.inRange(f, value, undefined, shown(t))) return;
      if (unit === "count" && !Number.isInteger(value)) this.report(f.path, `a whole number (${f.label} is a count)`, shown(t));
      return;
    }
    if (typeof value === "boolean" && unit === "bool") return;
    if (typeof value === "string" && unit === "string") return;
    this.wrongKind(f, t);
  }

  /** Checks a tolerance against one field (or the probe's single value). */
  field(t: Tolerance, f: Field): void {
    const unit = f.decl.unit;
    switch (t.kind) {
      case "fields":
        // Fields inside a map are not declared; anything else has no fields to judge.
        if (unit !== "map") this.wrongKind(f, t);
        return;
      case "jsonpath":
        return;
      case "regex":
        if (unit !== "string" && !(unit === "map" && t.target !== undefined)) this.wrongKind(f, t);
        return;
      case "range":
        if (unit === "map" && t.target !== undefined) return;
        if (!NUMERIC_UNITS.has(unit) || !this.dimensionFits(f, undefined)) return this.wrongKind(f, t);
        if (this.inRange(f, t.min, undefined, `the range [${t.min}, ${t.max}]`)) this.inRange(f, t.max, undefined, `the range [${t.min}, ${t.max}]`);
        return;
      case "equals":
        return this.equalsFits(f, t.value, t);
      case "list":
        for (const value of t.values) {
          const before = this.misfits;
          this.equalsFits(f, value, t);
          // One report for the list is enough.
          if (this.misfits > before) return;
        }
        return;
      case "compare":
      case "between": {
        if (!NUMERIC_UNITS.has(unit) || !this.dimensionFits(f, t.unit)) return this.wrongKind(f, t);
        const bounds = t.kind === "compare" ? [t.value] : [t.min, t.max];
        for (const bound of bounds) if (!this.inRange(f, bound, t.unit, shown(t))) return;
        return;
      }
    }
  }
}

/**
 * Reports every way `t` cannot judge what `output` declares. `probe` names the probe in messages;
 * paths are relative to the tolerance.
 */
export function checkToleranceFits(t: Tolerance, output: ProbeOutput, probe: string, report: ReportMisfit): void {
  const checker: FitChecker = new FitChecker((path, expected, found, key) => {
    checker.misfits++;
    report(path, expected, found, key);
  });
  if ("value" in output) {
    checker.field(t, { decl: output.value, label: `the value of ${probe}`, path: [] });
    return;
  }
  const fields = output.fields;
  const names = Object.keys(fields);
  const declared = (name: string): OutputField | undefined => (Object.hasOwn(fields, name) ? fields[name] : undefined);
  const unknown = (path: DocPath, name: string, key: boolean) =>
    report(path, `a field ${probe} returns: one of ${listOf(names)}${suggestion(name, names)}`, `the unknown field ${quote(name)}`, key);

  switch (t.kind) {
    case "fields":
      for (const [name, tolerance] of Object.entries(t.fields)) {
        const decl = declared(name);
        if (decl) checker.field(tolerance, { decl, label: `${quote(name)} of ${probe}`, path: [name] });
        else unknown([name], name, true);
      }
      return;
    case "jsonpath":
    case "regex":
    case "range": {
      if (t.target === undefined) {
        if (t.kind !== "jsonpath") report([], whole(probe, names), shown(t));
        return;
      }
      const decl = declared(t.target);
      if (!decl) return unknown(["target"], t.target, false);
      const { target: _target, ...untargeted } = t;
      checker.field(untargeted, { decl, label: `${quote(t.target)} of ${probe}`, path: [] });
      return;
    }
    default:
      report([], whole(probe, names), shown(t));
  }
}

function whole(probe: string, names: readonly string[]): string {
  return `a map of the fields to judge, such as { ${names[0] ?? "field"}: ... } (${probe} returns a map of ${listOf(names, "and")})`;
}
