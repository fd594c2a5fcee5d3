/**
 * Values from outside the experiment file: `--var name[:type]=value` and `--var-file FILE`.
 *
 * A var file is YAML or JSON, either Chaos Toolkit's shape (top-level `configuration:` and
 * `secrets:`) or a flat map that means configuration; or a `.env` file whose KEY=VALUE lines
 * feed `${env:KEY}` (and `type: env` entries) without touching process.env.
 */
import { basename } from "node:path";
import { parseEnv } from "node:util";
import { convertText, isValueType, VALUE_TYPES } from "./convert.js";
import { describeValue, listOf, quote } from "./describe.js";
import type { DocPath } from "./model.js";
import type { Problems } from "./problems.js";
import { readSource, unlocated, type Located } from "./source.js";
import { NAME_RULE } from "./template.js";

/** A named value and where it was written, so errors in it point at its own file and line. */
export interface Entry {
  name: string;
  value: unknown;
  source: Located;
  path: DocPath;
}

export interface SecretScope {
  scope: string;
  entries: Entry[];
}

export interface VarFile {
  configuration: Entry[];
  secrets: SecretScope[];
  env: Record<string, string>;
  /** Where each of `env`'s variables is set (a .env file's line), for messages. */
  envAt?: ReadonlyMap<string, string>;
}

const VAR_NAME = /^[A-Za-z_][\w.-]*$/;

/** Splits a command-line `--var` argument at its first `=`: "cluster:str=web" -> ["cluster:str", "web"]. */
export function splitVarOption(spec: string): [string, string] | undefined {
  const at = spec.indexOf("=");
  return at <= 0 ? undefined : [spec.slice(0, at), spec.slice(at + 1)];
}

/**
 * Where `--var`-style values were written when they come from a file rather than the command line
 * (a runbook step's or a suite entry's `vars:` map): each problem is then reported at its key there.
 */
export interface VarsAt {
  source: Located;
  /** The path of the `vars:` map in `source`. */
  path: DocPath;
}

/** `--var` values: keys are `name` or `name:type` (str, int, float, bool, json, bytes). */
export function readVarOptions(vars: Readonly<Record<string, string>>, problems: Problems, at?: VarsAt): Entry[] {
  const source = at?.source ?? unlocated("--var");
  const entries: Entry[] = [];
  for (const [key, text] of Object.entries(vars)) {
    const colon = key.indexOf(":");
    const name = colon < 0 ? key : key.slice(0, colon);
    const type = colon < 0 ? "str" : key.slice(colon + 1);
    // In a file, at the key as written there; on the command line, by its name.
    const path = at ? [...at.path, key] : [name];
    if (!VAR_NAME.test(name)) {
      if (at) problems.add(source, path, `a key NAME or NAME:TYPE with ${NAME_RULE}`, describeValue(key));
      else problems.add(source, [key], `--var NAME[:TYPE]=VALUE with ${NAME_RULE}`, describeValue(`${key}=${text}`));
      continue;
    }
    if (!isValueType(type)) {
      problems.add(source, path, `a type among ${listOf(VALUE_TYPES)} after ${quote(`${name}:`)}`, describeValue(type));
      continue;
    }
    const converted = convertText(text, type);
    if ("expected" in converted) {
      problems.add(source, path, converted.expected, describeValue(text));
      continue;
    }
    entries.push({ name, value: converted.value, source, path });
  }
  return entries;
}

export function isDotEnv(file: string): boolean {
  const name = basename(file).toLowerCase();
  return name === ".env" || name.endsWith(".env") || name.startsWith(".env.");
}

const ENV_LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$/;

function readDotEnv(file: string, text: string, problems: Problems): VarFile {
  const env: Record<string, string> = {};
  const envAt = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((line, index) => {
    if (/^\s*(#.*)?$/.test(line)) return;
    const position = { line: index + 1, column: 1 };
    const at: Located = { file, positionOf: () => position, keyPositionOf: () => position };
    const m = ENV_LINE.exec(line);
    const value = m?.[2]?.trim() ?? "";
    const quoteChar = value[0];
    // A quoted value must close on its own line: multi-line values are not supported here.
    const unclosed = (quoteChar === '"' || quoteChar === "'" || quoteChar === "`") && !new RegExp(`^${quoteChar}.*${quoteChar}\\s*(#.*)?$`).test(value);
    if (!m || unclosed) {
      problems.add(at, [], "KEY=VALUE (a quoted value must close on the same line)", describeValue(line.trim()));
      return;
    }
    const name = m[1] as string;
    // node's own .env reader decodes quotes, escapes and trailing comments the way dotenv does.
    // defineProperty: a line `__proto__=x` is a variable like any other, not a prototype.
    Object.defineProperty(env, name, { value: parseEnv(`${name}=${value}`)[name] ?? "", enumerable: true, writable: true, configurable: true });
    envAt.set(name, `${file}:${index + 1}`);
  });
  return { configuration: [], secrets: [], env, envAt };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readDataFile(file: string, text: string, problems: Problems): VarFile {
  const source = readSource(text, file);
  const out: VarFile = { configuration: [], secrets: [], env: {} };
  if (source.errors.length > 0) {
    problems.addAll(source.errors);
    return out;
  }
  const data = source.value;
  if (data === null || data === undefined) return out;
  if (!isMap(data)) {
    problems.add(source, [], "a map of configuration values, or `configuration:` and `secrets:`", describeValue(data));
    return out;
  }
  const keys = Object.keys(data);
  const chaosToolkitShape = keys.includes("configuration") || keys.includes("secrets");
  if (!chaosToolkitShape) {
    out.configuration = keys.map((name) => ({ name, value: data[name], source, path: [name] }));
    return out;
  }
  for (const key of keys) {
    if (key !== "configuration" && key !== "secrets") {
      problems.add(source, [key], "only `configuration` and `secrets` at the top of a var file that has either", `the key ${quote(key)}`, true);
    }
  }
  const configuration = data.configuration;
  if (isMap(configuration)) {
    out.configuration = Object.keys(configuration).map((name) => ({ name, value: configuration[name], source, path: ["configuration", name] }));
  } else if (configuration !== undefined && configuration !== null) {
    problems.add(source, ["configuration"], "a map of configuration values", describeValue(configuration));
  }
  const secrets = data.secrets;
  if (isMap(secrets)) {
    for (const scope of Object.keys(secrets)) {
      const entries = secrets[scope];
      if (!isMap(entries)) {
        problems.add(source, ["secrets", scope], "a map of secret names to values (secrets are grouped in scopes)", describeValue(entries));
        continue;
      }
      out.secrets.push({
        scope,
        entries: Object.keys(entries).map((name) => ({ name, value: entries[name], source, path: ["secrets", scope, name] })),
      });
    }
  } else if (secrets !== undefined && secrets !== null) {
    problems.add(source, ["secrets"], "a map of secret scopes", describeValue(secrets));
  }
  return out;
}

/** Reads one var file's text; problems name the var file and line. */
export function readVarFile(file: string, text: string, problems: Problems): VarFile {
  return isDotEnv(file) ? readDotEnv(file, text, problems) : readDataFile(file, text, problems);
}
