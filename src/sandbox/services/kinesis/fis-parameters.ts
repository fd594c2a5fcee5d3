/**
 * FIS action parameters are strings; their specs (ranges, lists) are described in
 * src/fis/catalog.ts, where template validation reads them. An action re-reads a value at start.
 */
import type { FisParameterSpec } from "../../../fis/descriptions.js";

/** Parses a value its spec already accepted; throws if it was not checked first. */
export function checked(spec: FisParameterSpec, name: string, value: string | undefined): string {
  if (value === undefined) throw new Error(`FIS parameter ${name} is required`);
  const problem = spec.check?.(value);
  if (problem) throw new Error(`FIS parameter ${name}: ${problem}`);
  return value;
}
