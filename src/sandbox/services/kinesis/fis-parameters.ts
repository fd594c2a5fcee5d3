/**
 * FIS action parameters are strings: ISO 8601 durations, percentages, comma lists. These specs are
 * what the sandbox's FIS service calls (FisParameterSpec.check) when it validates a template, so
 * a bad value is refused at CreateExperimentTemplate as FIS refuses it.
 */
import { durationParameter } from "../fis/duration.js";
import type { FisParameterSpec } from "../fis/registry.js";

/** FIS's own range for these actions' durations: one minute to 12 hours. */
export function durationSpec(description: string): FisParameterSpec {
  return durationParameter({ min: "PT1M", max: "PT12H", required: true, description });
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
