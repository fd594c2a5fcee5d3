/**
 * Reading request fields. A field of the wrong type or out of range is an error in the words AWS
 * uses for model constraints ("1 validation error detected: Value 'x' at 'field' failed to satisfy
 * constraint: ..."), which names both what was found and what was expected.
 */
import { invalidArgument } from "./errors.js";

type Input = Record<string, unknown>;

/** AWS names fields in these messages in camelCase, segment by segment: records.1.member.partitionKey. */
function memberPath(field: string): string {
  return field
    .split(".")
    .map((part) => part.charAt(0).toLowerCase() + part.slice(1))
    .join(".");
}

function shown(value: unknown): string {
  if (value === undefined || value === null) return "null";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `'${text.length > 64 ? `${text.slice(0, 61)}...` : text}'`;
}

export function constraintError(field: string, value: unknown, constraint: string): Error {
  return invalidArgument(`1 validation error detected: Value ${shown(value)} at '${memberPath(field)}' failed to satisfy constraint: ${constraint}`);
}

export function optionalString(input: Input, field: string): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw constraintError(field, v, "Member must be a string");
  return v;
}

export function requiredString(input: Input, field: string): string {
  const v = optionalString(input, field);
  if (v === undefined) throw constraintError(field, v, "Member must not be null");
  return v;
}

export function optionalInteger(input: Input, field: string, min: number, max: number): number | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw constraintError(field, v, "Member must be an integer");
  if (v < min) throw constraintError(field, v, `Member must have value greater than or equal to ${min}`);
  if (v > max) throw constraintError(field, v, `Member must have value less than or equal to ${max}`);
  return v;
}

export function requiredInteger(input: Input, field: string, min: number, max: number): number {
  const v = optionalInteger(input, field, min, max);
  if (v === undefined) throw constraintError(field, v, "Member must not be null");
  return v;
}

export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw constraintError(field, v, "Member must be a boolean");
  return v;
}

/** awsJson1_1 sends timestamps as epoch seconds (fractional); returns milliseconds. */
export function optionalTimestamp(input: Input, field: string): number | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isFinite(v)) return Math.round(v * 1000);
  if (typeof v === "string") {
    const parsed = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (Number.isFinite(parsed)) return Math.round(parsed);
  }
  throw constraintError(field, v, "Member must be a timestamp (epoch seconds or ISO 8601)");
}

export function optionalObject(input: Input, field: string): Input | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw constraintError(field, v, "Member must be a structure");
  return v as Input;
}

export function optionalStringMap(input: Input, field: string): Record<string, string> | undefined {
  const obj = optionalObject(input, field);
  if (!obj) return undefined;
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== "string") throw constraintError(`${field}.${k}`, v, "Member must be a string");
  }
  return obj as Record<string, string>;
}

export function requiredArray(input: Input, field: string): unknown[] {
  const v = input[field];
  if (v === undefined || v === null) throw constraintError(field, v, "Member must not be null");
  if (!Array.isArray(v)) throw constraintError(field, v, "Member must be a list");
  return v;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The bytes of a base64 string; undefined unless it is base64 (a length that is a multiple of 4,
 * only `[A-Za-z0-9+/]`, then up to two `=`). Every record that arrives as JSON text passes here,
 * and decoding checks a record in under half the time of the regex: Node's decoder skips
 * characters outside its alphabet and stops at the first `=`, so any such character leaves it
 * short of the length the text promises. What it does not catch is looked for apart: the URL-safe
 * `-` and `_` (which it decodes) and characters above U+007F (of which it reads only the low byte:
 * "Ł" would pass for "A"). A text it turns down gets the regex, which decides.
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = (text.length / 4) * 3 - padding;
  const out = Buffer.allocUnsafe(bytes);
  if (out.write(text, 0, "base64") === bytes && !text.includes("-") && !text.includes("_") && Buffer.byteLength(text, "utf8") === text.length) {
    return out;
  }
  return BASE64.test(text) ? Buffer.from(text, "base64") : undefined;
}

/**
 * A record's Data: base64 text from the wire, or bytes from the in-process object lane
 * (src/aws/in-process-codecs.ts), which skips the base64 both ways. `where` prefixes the field in errors.
 */
export function requiredBytes(input: Input, field: string, where: string): Uint8Array {
  const v = input[field];
  if (v instanceof Uint8Array) return v;
  const data = decodeBase64(requiredString(input, field));
  if (data === undefined) throw invalidArgument(`${where}${field} must be base64-encoded bytes; found a string that is not base64.`);
  return data;
}
