/** Checks a probe's reading against the output it declares, so declarations cannot drift from what `run` returns. */
import { expect } from "vitest";
import type { OutputField, ProbeModule } from "../../src/engine/probe.js";
import { boundsOf, NUMERIC_UNITS } from "../../src/experiment/probe-output.js";

function fits(decl: OutputField, value: unknown): boolean {
  if (value === null) return decl.nullable === true;
  if (NUMERIC_UNITS.has(decl.unit)) {
    const { min, max } = boundsOf(decl);
    return typeof value === "number" && Number.isFinite(value) && value >= min && value <= max && (decl.unit !== "count" || Number.isInteger(value));
  }
  switch (decl.unit) {
    case "bool":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "list":
      return Array.isArray(value);
    default:
      return typeof value === "object" && !Array.isArray(value);
  }
}

/** The reading has exactly the declared fields, each of its unit and within its range. */
export function expectDeclared(probe: ProbeModule<any>, value: unknown): void {
  const output = probe.output;
  expect(output, `${probe.name} declares its output`).toBeDefined();
  if (!output || "value" in output) {
    expect(output && fits(output.value, value), `${probe.name}: ${JSON.stringify(value)}`).toBe(true);
    return;
  }
  const record = value as Record<string, unknown>;
  expect(Object.keys(record).sort()).toEqual(Object.keys(output.fields).sort());
  for (const [name, decl] of Object.entries(output.fields)) expect(fits(decl, record[name]), `${probe.name}.${name} = ${JSON.stringify(record[name])} is ${decl.unit}`).toBe(true);
}
