/**
 * Gathers configuration and secrets from the experiment, var files and `--var`, resolves them
 * (Chaos Toolkit `{type: env}` entries included) and substitutes `${...}` across the document.
 *
 * Precedence, lowest first: the experiment's own values, var files in the order given, `--var`.
 * Environment: the process environment (or `env`), overridden by `.env` var files.
 */
import { listOf, quote, suggestion } from "./describe.js";
import type { DocPath } from "./model.js";
import type { Problems } from "./problems.js";
import type { Located } from "./source.js";
import { originReader } from "./origin.js";
import { parseTemplate } from "./template.js";
import { Variables, type Binding } from "./variables.js";
import type { Entry, VarFile } from "./var-files.js";

export interface Inputs {
  varFiles: VarFile[];
  overrides: Entry[];
  env: Readonly<Record<string, string | undefined>>;
}

export interface Substituted {
  /** The document with configuration and secrets resolved and every other string substituted. */
  document: unknown;
  configuration: Record<string, unknown>;
  secrets: Record<string, Record<string, unknown>>;
  secretValues: string[];
  /** Paths in the experiment file whose substitution failed (already reported). */
  failedPaths: DocPath[];
  /** Where the value substituted at a path in the experiment file came from, for messages. */
  originOf(path: DocPath): string | undefined;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function entriesOf(map: unknown, source: Located, path: DocPath): Entry[] {
  if (!isMap(map)) return [];
  return Object.keys(map).map((name) => ({ name, value: map[name], source, path: [...path, name] }));
}

/** Every string (and number) inside a secret, for redaction; booleans and nulls give nothing away. */
function leaves(value: unknown, out: Set<string>): void {
  if (typeof value === "string" && value !== "") out.add(value);
  else if (typeof value === "number") out.add(String(value));
  else if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (isMap(value)) Object.values(value).forEach((v) => leaves(v, out));
}

/** Every `${name}` used inside `value` (not `${env:NAME}`, not a `$${...}` escape). */
function namesUsed(value: unknown, out: Set<string>): void {
  if (typeof value === "string") {
    for (const piece of parseTemplate(value) ?? []) if (piece.kind === "name") out.add(piece.name);
  } else if (Array.isArray(value)) value.forEach((v) => namesUsed(v, out));
  else if (isMap(value)) Object.values(value).forEach((v) => namesUsed(v, out));
}

/**
 * A `--var` that the experiment neither declares in `configuration` nor uses as `${name}` changes
 * nothing, and is almost always a typo (`clustr=staging` would leave the default cluster as the
 * target), so it is an error. Var files are not held to this: a team's shared var file carries
 * values for many experiments, so keys one experiment does not use are expected there. A name
 * used inside a var file's values counts as used, since such an entry can be built from a --var.
 */
/** Configuration keys gameday itself reads (see faults/fis-runner.ts): always valid for --var. */
export const TOOLKIT_CONFIGURATION_KEYS = ["fisRoleArn", "fisStopAlarms"] as const;

function checkOverrides(document: Record<string, unknown>, source: Located, inputs: Inputs, problems: Problems): void {
  if (inputs.overrides.length === 0) return;
  const declared = isMap(document.configuration) ? Object.keys(document.configuration) : [];
  const used = new Set<string>();
  namesUsed(document, used);
  for (const file of inputs.varFiles) {
    for (const e of file.configuration) namesUsed(e.value, used);
    for (const scope of file.secrets) for (const e of scope.entries) namesUsed(e.value, used);
  }
  const known = [...new Set([...declared, ...used])];
  const choices = known.length > 0 ? `: ${listOf(known)}` : " (it declares and uses none)";
  for (const e of inputs.overrides) {
    if (declared.includes(e.name) || used.has(e.name) || (TOOLKIT_CONFIGURATION_KEYS as readonly string[]).includes(e.name)) continue;
    problems.add(
      e.source,
      e.path,
      `a key that ${source.file} declares in \`configuration\` or uses as \${name}${choices}${suggestion(e.name, known)}`,
      `${quote(e.name)}, which it neither declares nor uses`,
    );
  }
}

export function substituteDocument(document: Record<string, unknown>, source: Located, inputs: Inputs, problems: Problems): Substituted {
  checkOverrides(document, source, inputs, problems);
  const configuration = new Map<string, Binding>();
  const setConfig = (e: Entry, literal: boolean) => configuration.set(e.name, { ...e, kind: "configuration", literal });
  for (const e of entriesOf(document.configuration, source, ["configuration"])) setConfig(e, false);
  for (const file of inputs.varFiles) for (const e of file.configuration) setConfig(e, false);
  for (const e of inputs.overrides) setConfig(e, true);

  const scopes = new Map<string, Map<string, Binding>>();
  const addScope = (scope: string, entries: Entry[]) => {
    const into = scopes.get(scope) ?? new Map<string, Binding>();
    scopes.set(scope, into);
    for (const e of entries) into.set(e.name, { ...e, kind: "secret", literal: false });
  };
  if (isMap(document.secrets)) {
    for (const scope of Object.keys(document.secrets)) {
      const entries = document.secrets[scope];
      // A scope that is not a map is left to the schema to report.
      if (isMap(entries)) addScope(scope, entriesOf(entries, source, ["secrets", scope]));
    }
  }
  for (const file of inputs.varFiles) for (const { scope, entries } of file.secrets) addScope(scope, entries);

  const flatSecrets = new Map<string, Binding>();
  for (const into of scopes.values()) for (const [name, b] of into) if (!flatSecrets.has(name)) flatSecrets.set(name, b);

  // fromEntries, not Object.assign: a variable named __proto__ must stay a plain entry.
  const env = Object.fromEntries([inputs.env, ...inputs.varFiles.map((f) => f.env)].flatMap((e) => Object.entries(e)));
  const variables = new Variables(configuration, flatSecrets, env, problems);

  const secretValues = new Set<string>();
  const suppliedFromOutside = new Set([...inputs.overrides, ...inputs.varFiles.flatMap((f) => f.configuration)].map((e) => e.name));
  const resolvedConfig: Record<string, unknown> = {};
  for (const [name, b] of configuration) {
    const outcome = variables.valueOf(b);
    Object.defineProperty(resolvedConfig, name, { value: outcome.ok ? outcome.value : b.value, enumerable: true, writable: true, configurable: true });
    // A value given from outside (--var, a var file) named like a secret takes the secret's place in
    // ${name}: it is one. (The experiment's own configuration shadowing a secret is authored, not secret.)
    if (outcome.ok && flatSecrets.has(name) && suppliedFromOutside.has(name)) leaves(outcome.value, secretValues);
  }
  const resolvedSecrets: Record<string, Record<string, unknown>> = {};
  for (const [scope, into] of scopes) {
    const values: Record<string, unknown> = {};
    for (const [name, b] of into) {
      const outcome = variables.valueOf(b);
      const value = outcome.ok ? outcome.value : b.value;
      Object.defineProperty(values, name, { value, enumerable: true, writable: true, configurable: true });
      // An unresolved entry such as {type: env, key: X} holds no secret, and "env" must not be redacted.
      if (outcome.ok) leaves(value, secretValues);
    }
    Object.defineProperty(resolvedSecrets, scope, { value: values, enumerable: true, writable: true, configurable: true });
  }

  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    let replaced: unknown;
    if (key === "configuration" && isMap(value)) replaced = resolvedConfig;
    else if (key === "secrets" && isMap(value) && Object.values(value).every(isMap)) replaced = resolvedSecrets;
    else if (key === "configuration" || key === "secrets") replaced = value;
    else replaced = variables.substitute(value, source, [key]).value;
    Object.defineProperty(out, key, { value: replaced, enumerable: true, writable: true, configurable: true });
  }

  const failedPaths = variables.failures.filter((f) => f.source === source).map((f) => f.path);
  return { document: out, configuration: resolvedConfig, secrets: resolvedSecrets, secretValues: [...secretValues], failedPaths, originOf: originReader(variables.origins, source, configuration, new Map(inputs.varFiles.flatMap((f) => [...(f.envAt ?? [])]))) };
}
