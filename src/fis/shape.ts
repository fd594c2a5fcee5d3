/**
 * Reads the JSON members of a FIS request with the checks its API model makes: types, required
 * members, lengths, patterns and map sizes. Each reader names the member by its path in the
 * request ("targets.spotHosts.resourceArns") and says what it expected and what it found.
 */
import { constraintError, validationError } from "./errors.js";

export type Json = Record<string, unknown>;

export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function typeError(path: string, expected: string, value: unknown): Error {
  const hint = typeof value === "number" || typeof value === "boolean" ? `; FIS takes it as a string: write "${String(value)}"` : "";
  return validationError(`Expected ${expected} at '${path}', found ${describeJson(value)}${hint}.`, path);
}

export interface StringRules {
  min?: number;
  max?: number;
  /** The model's pattern, and a short name for it in messages. */
  pattern?: { regex: RegExp; name: string };
}

/** `[\S]+` in the FIS model: at least one character and no whitespace. */
export const NO_WHITESPACE = { regex: /^\S+$/, name: "[\\S]+ (no whitespace)" };

export function checkString(value: unknown, path: string, rules: StringRules = {}): string {
  if (typeof value !== "string") throw typeError(path, "a string", value);
  if (rules.min !== undefined && value.length < rules.min) {
    throw constraintError(value, path, `Member must have length greater than or equal to ${rules.min}`);
  }
  if (rules.max !== undefined && value.length > rules.max) {
    throw constraintError(value, path, `Member must have length less than or equal to ${rules.max}`);
  }
  if (rules.pattern && !rules.pattern.regex.test(value)) {
    throw constraintError(value, path, `Member must satisfy regular expression pattern: ${rules.pattern.name}`);
  }
  return value;
}

export function requiredString(obj: Json, key: string, path: string, rules: StringRules = {}): string {
  const value = obj[key];
  if (value === undefined || value === null) throw constraintError(null, path, "Member must not be null");
  return checkString(value, path, rules);
}

export function optionalString(obj: Json, key: string, path: string, rules: StringRules = {}): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  return checkString(value, path, rules);
}

export function checkObject(value: unknown, path: string, what = "an object"): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw typeError(path, what, value);
  return value as Json;
}

export function optionalObject(obj: Json, key: string, path: string, what?: string): Json | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  return checkObject(value, path, what);
}

export function checkList(value: unknown, path: string, what = "a list"): unknown[] {
  if (!Array.isArray(value)) throw typeError(path, what, value);
  return value;
}

export function checkEnum<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  const s = checkString(value, path);
  if (!(allowed as readonly string[]).includes(s)) {
    throw constraintError(s, path, `Member must satisfy enum value set: [${allowed.join(", ")}]`);
  }
  return s as T;
}

export interface StringMapRules {
  maxEntries?: number;
  key?: StringRules;
  value?: StringRules;
}

/** A string-to-string map; a number or boolean value is an error (FIS parameters are strings). */
export function checkStringMap(value: unknown, path: string, rules: StringMapRules = {}): Record<string, string> {
  const obj = checkObject(value, path, "a map of strings");
  const entries = Object.entries(obj);
  if (rules.maxEntries !== undefined && entries.length > rules.maxEntries) {
    throw constraintError(obj, path, `Member must have at most ${rules.maxEntries} entries`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    checkString(k, `${path} key`, rules.key);
    out[k] = checkString(v, `${path}.${k}`, rules.value);
  }
  return out;
}

export function checkStringList(value: unknown, path: string, item: StringRules = {}, maxItems?: number): string[] {
  const list = checkList(value, path, "a list of strings");
  if (maxItems !== undefined && list.length > maxItems) {
    throw constraintError(list, path, `Member must have length less than or equal to ${maxItems}`);
  }
  return list.map((v, i) => checkString(v, `${path}[${i}]`, item));
}
