/**
 * Reading CloudWatch request members (JSON 1.0 bodies, model member names) with AWS's validation
 * messages, and writing its timestamps (epoch seconds on the JSON protocol).
 */
import { invalidNextToken, invalidValue, missing } from "./errors.js";

export type Input = Record<string, unknown>;

export function optionalString(input: Input, name: string, path = name): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidValue(`The parameter ${path} must be a string.`);
  return v;
}

export function requiredString(input: Input, name: string, path = name): string {
  const v = optionalString(input, name, path);
  if (v === undefined || v === "") throw missing(path);
  return v;
}

export function optionalNumber(input: Input, name: string, path = name): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  // The JSON protocols send NaN and the infinities as strings; CloudWatch refuses them.
  if (typeof v !== "number" || !Number.isFinite(v)) throw invalidValue(`The value ${String(v)} for parameter ${path} is invalid: expected a finite number.`);
  return v;
}

export function optionalInteger(input: Input, name: string, path = name): number | undefined {
  const v = optionalNumber(input, name, path);
  if (v !== undefined && !Number.isInteger(v)) throw invalidValue(`The value ${v} for parameter ${path} is invalid: expected an integer.`);
  return v;
}

export function requiredInteger(input: Input, name: string, path = name): number {
  const v = optionalInteger(input, name, path);
  if (v === undefined) throw missing(path);
  return v;
}

export function optionalBoolean(input: Input, name: string, path = name): boolean | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalidValue(`The parameter ${path} must be a boolean.`);
  return v;
}

export function optionalList(input: Input, name: string, path = name): unknown[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidValue(`The parameter ${path} must be a list.`);
  return v;
}

export function optionalStringList(input: Input, name: string, path = name): string[] | undefined {
  const list = optionalList(input, name, path);
  list?.forEach((v, i) => {
    if (typeof v !== "string") throw invalidValue(`The parameter ${path}.member.${i + 1} must be a string.`);
  });
  return list as string[] | undefined;
}

export function asObject(v: unknown, path: string): Input {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw invalidValue(`The parameter ${path} must be a structure.`);
  return v as Input;
}

/** A timestamp member: epoch seconds (JSON protocol) or an ISO 8601 string; milliseconds out. */
export function optionalTimestamp(input: Input, name: string, path = name): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === "number" ? v * 1000 : typeof v === "string" ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw invalidValue(`The parameter ${path} must be a timestamp (epoch seconds or ISO 8601); found ${JSON.stringify(v)}.`);
  return ms;
}

export function requiredTimestamp(input: Input, name: string, path = name): number {
  const v = optionalTimestamp(input, name, path);
  if (v === undefined) throw missing(path);
  return v;
}

/** Milliseconds to the JSON protocol's epoch seconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** Dimensions [{Name, Value}] to a record; duplicate names and empty values refused as CloudWatch does. */
export function dimensions(input: Input, name: string, path: string, max = 30): Record<string, string> {
  const list = optionalList(input, name, path) ?? [];
  if (list.length > max) throw invalidValue(`The collection ${path} must not have a size greater than ${max}.`);
  const out: Record<string, string> = {};
  list.forEach((d, i) => {
    const at = `${path}.member.${i + 1}`;
    const o = asObject(d, at);
    const n = requiredString(o, "Name", `${at}.Name`);
    const v = requiredString(o, "Value", `${at}.Value`);
    if (n in out) throw invalidValue(`No Metric may specify the same dimension twice: ${at}.Name ${n} is repeated.`);
    out[n] = v;
  });
  return out;
}

export function dimensionList(d: Readonly<Record<string, string>>): { Name: string; Value: string }[] {
  return Object.keys(d).map((Name) => ({ Name, Value: d[Name]! }));
}

/** CloudWatch's unit names; anything else is InvalidParameterValue. */
export const UNITS = new Set([
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
  "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
  "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
  "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
]);

export function optionalUnit(input: Input, name: string, path = name): string | undefined {
  const u = optionalString(input, name, path);
  if (u !== undefined && !UNITS.has(u)) throw invalidValue(`The value ${u} for parameter ${path} is not a valid unit; expected one of ${[...UNITS].join(", ")}.`);
  return u;
}

/** A period in seconds: a multiple of 60, or 1, 5, 10, 20, 30 (high resolution). */
export function validPeriod(period: number, path: string, allowed: readonly number[] = [1, 5, 10, 20, 30]): number {
  if (period <= 0 || !(period % 60 === 0 || allowed.includes(period))) {
    throw invalidValue(`The parameter ${path} must be a multiple of 60, or one of ${allowed.join(", ")} for high-resolution metrics; found ${period}.`);
  }
  return period;
}

/** Opaque paging tokens: the offset of the next item, base64. */
export function readToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const n = Number(Buffer.from(token, "base64").toString("utf8"));
  if (!Number.isInteger(n) || n < 0) throw invalidNextToken();
  return n;
}

export function writeToken(offset: number): string {
  return Buffer.from(String(offset), "utf8").toString("base64");
}
