/**
 * The parameter reference of faults and probes, generated from the zod schemas the validator uses
 * (through zod's JSON Schema output), so `chaos list --verbose`, `chaos describe` and `chaos schema`
 * can never drift from what `chaos validate` accepts. Two metadata keys ride on those schemas:
 * `fis` (which FIS action parameter or target field a value becomes) and `gamedayType` (a type in
 * words where JSON Schema only says "string", such as durations).
 */
import { z } from "zod";
import { faultNames, loadFault } from "../faults/index.js";
import { listProbes, loadProbe } from "../engine/probe-loader.js";
import type { OutputField, ProbeOutput } from "../engine/probe.js";

/** Where one gameday parameter ends up in the compiled FIS template. */
export interface FisMapping {
  /** An action parameter (`parameter`), or, without one, the parameter chooses this action. */
  action?: string;
  parameter?: string;
  /** A target field (`resourceArns`, `resourceTags`, `selectionMode`, `parameters.cluster`...). */
  resourceType?: string;
  field?: string;
  /** When this mapping applies (`role form`, `effect timeouts`). */
  when?: string;
}

export interface ParamDoc {
  name: string;
  /** In words: `integer 1 to 100`, `one of errors, timeouts`, `list of strings matching ^i-...`. */
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  fis: FisMapping[];
}

/** One field of what a probe returns, as its `output` declares it. */
export interface ReturnDoc {
  /** Undefined when the value is a single field rather than a map. */
  name?: string;
  unit: string;
  /** `0 to 1`, `at least 1`; empty when only the unit bounds it. */
  range: string;
  nullable: boolean;
  description?: string;
}

export interface StepReference {
  kind: "fault" | "probe";
  name: string;
  description: string;
  params: ParamDoc[];
  /** Faults only: the `target:` keys. */
  target?: ParamDoc[];
  /** Probes only, when the probe declares its `output`: the fields of the value it returns. */
  returns?: ReturnDoc[];
  /** Faults only: the FIS actions the fault compiles to (any parameter's, or the whole `target:`'s). */
  fisActions?: string[];
  /** JSON Schemas (draft 2020-12, input side) of `with:` and, for faults, `target:`. */
  withSchema: JsonSchema;
  targetSchema?: JsonSchema;
}

export type JsonSchema = Record<string, unknown>;

/** The metadata keys above are gameday's, not JSON Schema's: editors and validators never see them. */
export const REFERENCE_META_KEYS = ["fis", "gamedayType"] as const;

export function inputJsonSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  delete json.$schema;
  return json;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function range(node: JsonSchema): string {
  const low = typeof node.minimum === "number" ? `${node.minimum}` : typeof node.exclusiveMinimum === "number" ? `above ${node.exclusiveMinimum}` : undefined;
  const high = typeof node.maximum === "number" && node.maximum !== MAX_SAFE ? `${node.maximum}` : typeof node.exclusiveMaximum === "number" ? `below ${node.exclusiveMaximum}` : undefined;
  if (low !== undefined && high !== undefined) return ` ${low.startsWith("above") ? `${low}, up to` : `${low} to`} ${high}`;
  if (low !== undefined) return low.startsWith("above") ? ` ${low}` : ` ${low} or more`;
  if (high !== undefined) return ` up to ${high}`;
  return "";
}

/** A JSON Schema node in words. */
export function typeInWords(node: JsonSchema): string {
  if (typeof node.gamedayType === "string") return node.gamedayType;
  if (Array.isArray(node.enum)) return `one of ${node.enum.map((v) => String(v)).join(", ")}`;
  if ("const" in node) return JSON.stringify(node.const);
  if (Array.isArray(node.anyOf)) return (node.anyOf as JsonSchema[]).map(typeInWords).join(" or ");
  switch (node.type) {
    case "string":
      return typeof node.pattern === "string" ? `string matching ${node.pattern}` : "string";
    case "integer":
    case "number":
      return `${node.type}${range(node)}`;
    case "boolean":
      return "boolean";
    case "array": {
      const item = (node.items ?? {}) as JsonSchema;
      const items = Array.isArray(item.enum) ? `(${item.enum.map((v) => String(v)).join(", ")})` : Object.keys(item).length > 0 ? typeInWords(item) : "anything";
      const min = typeof node.minItems === "number" ? node.minItems : undefined;
      const max = typeof node.maxItems === "number" ? node.maxItems : undefined;
      const count = min !== undefined && max !== undefined ? ` (${min} to ${max})` : min !== undefined && min > 0 ? ` (${min} or more)` : max !== undefined ? ` (up to ${max})` : "";
      return `list of ${items}${count}`;
    }
    case "object": {
      const values = node.additionalProperties;
      return values && typeof values === "object" && Object.keys(values).length > 0 ? `map of names to ${typeInWords(values as JsonSchema)}` : "map";
    }
    default:
      return "any value";
  }
}

function fisMappings(node: JsonSchema): FisMapping[] {
  const fis = node.fis;
  if (fis === undefined) return [];
  return (Array.isArray(fis) ? fis : [fis]).filter((m): m is FisMapping => typeof m === "object" && m !== null);
}

/** A mapping in words: `aws:ecs:drain-container-instances parameter drainagePercentage`. */
export function fisLine(m: FisMapping): string {
  const when = m.when ? ` (${m.when})` : "";
  if (m.action && m.parameter) return `${m.action} parameter ${m.parameter}${when}`;
  if (m.action) return `chooses the action ${m.action}${when}`;
  if (m.resourceType) return `target ${m.resourceType}${m.field ? ` ${m.field}` : ""}${when}`;
  return `${m.field ?? "?"}${when}`;
}

/** Removes gameday's metadata keys at every depth, leaving standard JSON Schema. */
function withoutMeta(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutMeta);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !(REFERENCE_META_KEYS as readonly string[]).includes(key))
      .map(([key, value]) => [key, withoutMeta(value)]),
  );
}

/**
 * The object schema as editors get it: each property's type in words and FIS mapping folded into
 * its description (so they show on hover), and gameday's metadata keys removed.
 */
export function editorSchema(json: JsonSchema): JsonSchema {
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const described = Object.fromEntries(
    Object.entries(properties).map(([name, node]) => {
      const notes = [node.description, typeof node.gamedayType === "string" ? `Type: ${node.gamedayType}.` : undefined, ...fisMappings(node).map((m) => `FIS: ${fisLine(m)}.`)];
      const description = notes.filter((n): n is string => typeof n === "string").join(" ");
      return [name, { ...node, ...(description ? { description } : {}) }];
    }),
  );
  return withoutMeta({ ...json, properties: described }) as JsonSchema;
}

/** One entry per property of an object schema, in declaration order. */
export function paramDocs(json: JsonSchema): ParamDoc[] {
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, node]) => ({
    name,
    type: typeInWords(node),
    required: required.has(name),
    ...(node.default !== undefined ? { default: node.default } : {}),
    ...(typeof node.description === "string" ? { description: node.description } : {}),
    fis: fisMappings(node),
  }));
}

export async function faultReference(name: string): Promise<StepReference | undefined> {
  const fault = await loadFault(name);
  if (!fault) return undefined;
  const withSchema = inputJsonSchema(fault.params);
  const targetSchema = inputJsonSchema(fault.target);
  const params = paramDocs(withSchema);
  const target = paramDocs(targetSchema);
  const mappings = [...fisMappings(withSchema), ...fisMappings(targetSchema), ...[...params, ...target].flatMap((p) => p.fis)];
  const fisActions = [...new Set(mappings.map((m) => m.action).filter((a): a is string => a !== undefined))];
  return { kind: "fault", name: fault.name, description: fault.description, params, target, fisActions, withSchema, targetSchema };
}

function returnDoc(name: string | undefined, field: OutputField): ReturnDoc {
  const { min, max } = field;
  const range = min !== undefined && max !== undefined ? `${min} to ${max}` : min !== undefined ? `at least ${min}` : max !== undefined ? `at most ${max}` : "";
  return { ...(name !== undefined ? { name } : {}), unit: field.unit, range, nullable: field.nullable === true, ...(field.description !== undefined ? { description: field.description } : {}) };
}

/** What the probe's `output` declares it returns: a map's fields, or a single value. */
export function returnDocs(output: ProbeOutput | undefined): ReturnDoc[] | undefined {
  if (output === undefined) return undefined;
  if ("fields" in output) return Object.entries(output.fields).map(([name, f]) => returnDoc(name, f));
  return [returnDoc(undefined, output.value)];
}

export async function probeReference(name: string, dirs: string[]): Promise<StepReference> {
  const probe = await loadProbe(name, dirs);
  const withSchema = inputJsonSchema(probe.params);
  const returns = returnDocs(probe.output);
  return { kind: "probe", name, description: probe.description, params: paramDocs(withSchema), ...(returns ? { returns } : {}), withSchema };
}

export function knownFaults(): string[] {
  return faultNames();
}

export function knownProbes(dirs: string[]): string[] {
  return listProbes(dirs);
}
