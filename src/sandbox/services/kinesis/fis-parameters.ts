/**
 * FIS action parameters are strings: ISO 8601 durations, percentages, comma lists. These specs are
 * what the sandbox's FIS service calls (FisParameterSpec.check) when it validates a template, so
 * a bad value is refused at CreateExperimentTemplate as FIS refuses it.
 */
import type { FisParameterSpec } from "../fis/registry.js";

const HOUR = 3_600_000;

/**
 * Parses the durations FIS takes (PnDTnHnMnS, at least one part, seconds may be fractional).
 * Hand-written rather than a general ISO 8601 library because FIS accepts only fixed-length units:
 * years, months and weeks, which such libraries accept, have no length in milliseconds here.
 */
export function parseFisDuration(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return undefined;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 24 * HOUR + Number(h ?? 0) * HOUR + Number(min ?? 0) * 60_000 + Math.round(Number(s ?? 0) * 1000);
}

export function durationSpec(description: string, minMs = 60_000, maxMs = 12 * HOUR): FisParameterSpec {
  return {
    required: true,
    description,
    check(value) {
      const ms = parseFisDuration(value);
      if (ms === undefined) return `expected an ISO 8601 duration such as PT5M, found '${value}'`;
      if (ms < minMs || ms > maxMs) return `expected a duration from PT1M to PT12H, found '${value}'`;
      return undefined;
    },
  };
}

export function percentageSpec(description: string): FisParameterSpec {
  return {
    required: true,
    description,
    check(value) {
      return /^\d{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= 100 ? undefined : `expected an integer percentage from 1 to 100, found '${value}'`;
    },
  };
}

/** The API namespaces inject-api-* actions accept, per the FIS actions reference. */
export const API_ERROR_SERVICES = ["ec2", "kinesis"] as const;

export const serviceSpec: FisParameterSpec = {
  required: true,
  description: "The target AWS API namespace. The supported values are ec2 and kinesis.",
  check(value) {
    return (API_ERROR_SERVICES as readonly string[]).includes(value)
      ? undefined
      : `Invalid value '${value}' for parameter service. The supported values are ec2 and kinesis.`;
  },
};

export const operationsSpec: FisParameterSpec = {
  required: true,
  description: "The operations to inject the fault into, separated by commas (no spaces), e.g. PutRecord,PutRecords.",
  check(value) {
    return /^[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*$/.test(value)
      ? undefined
      : `expected API operation names separated by commas without spaces (e.g. PutRecord,PutRecords), found '${value}'`;
  },
};

/** Parses a value its spec already accepted; throws if it was not checked first. */
export function checked(spec: FisParameterSpec, name: string, value: string | undefined): string {
  if (value === undefined) throw new Error(`FIS parameter ${name} is required`);
  const problem = spec.check?.(value);
  if (problem) throw new Error(`FIS parameter ${name}: ${problem}`);
  return value;
}
