/**
 * Reads a stack file (YAML or JSON) and validates it, reporting each problem as experiment files'
 * problems are reported (the same source positions, zod issue wording and did-you-mean from
 * src/experiment): `file:line:col: path: expected ..., found ...`, in the file of an `extends:`
 * chain that holds the offending key or value.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeValue } from "../../experiment/describe.js";
import { formatInputError, formatPath, InvalidInputError, type DocPath, type InputError } from "../../experiment/model.js";
import { Problems } from "../../experiment/problems.js";
import { IssueReporter } from "../../experiment/schema-errors.js";
import { PARSED_ONCE } from "../../experiment/schema-kit.js";
import { nearestPosition, readSource, type Located, type SourceDocument } from "../../experiment/source.js";
import { sections, stackSchema, type Stack } from "./schema.js";

/** The embedded default, the seed's architecture: fixtures/stacks/default.yaml above src/ or dist/src/. */
export const DEFAULT_STACK_FILE = findUp(join("fixtures", "stacks", "default.yaml"));

function findUp(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return relative;
    dir = parent;
  }
}

/**
 * Every problem in a stack file, in the experiment errors' form: `file:line:col: path: expected
 * ..., found ...`, each in the file that holds the offending key or value. An InvalidInputError, so
 * the CLI reports it as it reports a bad experiment (exit 2).
 */
export class StackError extends InvalidInputError {
  constructor(errors: InputError[]) {
    super(errors);
    this.name = "StackError";
  }

  /** The problems as printed, one line each. */
  get problems(): string[] {
    return this.errors.map(formatInputError);
  }
}

/** A parsed stack with the file it came from (handler module paths resolve against its folder). */
export type LoadedStack = Stack & { readonly source: string };

/** Reads and validates a stack file; throws StackError with every problem found. */
export function loadStack(file: string = DEFAULT_STACK_FILE): LoadedStack {
  return parseStack(readStackFile(file, "a stack file"), file);
}

function readStackFile(file: string, what: string, from?: { source: SourceDocument; path: DocPath }): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    const found = code === "ENOENT" ? (from ? `no file at ${file}` : "no file at this path") : `a file that cannot be read (${code ?? (err as Error).message})`;
    const position = from && nearestPosition(from.source, from.path);
    throw new StackError([{ file: from?.source.file ?? file, ...(position ? { position } : {}), path: from ? formatPath(from.path) : "(document)", expected: what, found }]);
  }
}

function parseFile(text: string, file: string): SourceDocument {
  const source = readSource(text, file);
  if (source.errors.length > 0) throw new StackError(source.errors);
  return source;
}

/**
 * `extends: <file>` makes a stack a variant of another (a path relative to this file): maps are
 * merged key by key, lists and values replace the parent's. The variants in fixtures/stacks say
 * only what differs from the default. `chain` receives the files from this one up to the root.
 */
function resolveExtends(source: SourceDocument, chain: SourceDocument[], seen: string[]): unknown {
  const own = isMap(source.value) ? source.value : {};
  chain.push(source);
  const parent = own.extends;
  if (parent === undefined) return own;
  const at = { source, path: ["extends"] };
  const problem = (expected: string, found: string) => {
    const position = nearestPosition(source, at.path);
    return new StackError([{ file: source.file, ...(position ? { position } : {}), path: "extends", expected, found }]);
  };
  if (typeof parent !== "string") throw problem("the path of the stack this one varies", describeValue(parent));
  const parentFile = resolve(dirname(source.file), parent);
  if (seen.includes(parentFile)) throw problem("a stack that does not extend itself", `a cycle through ${parentFile}`);
  const base = resolveExtends(parseFile(readStackFile(parentFile, "the path of a stack file", at), parentFile), chain, [...seen, parentFile]);
  const { extends: _, ...rest } = own;
  return merge(base, rest);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v) : v;
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function lookup(root: unknown, path: DocPath): { value: unknown } | undefined {
  let node = root;
  for (const part of path) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return { value: node };
}

/**
 * The files whose text makes up the merged value at `path`, most derived first, following
 * `merge`: where a file has a list or a value, it alone supplies what is below; maps merge. When
 * no file has the whole path, those that supply its longest present prefix.
 */
function suppliers(chain: readonly SourceDocument[], path: DocPath): readonly SourceDocument[] {
  let candidates = chain;
  for (let i = 1; i <= path.length; i++) {
    const next: SourceDocument[] = [];
    for (const file of candidates) {
      const found = lookup(file.value, path.slice(0, i));
      if (!found) continue;
      // A map over a value replaces it (and a value over anything): the more basic files drop out.
      if (next.length > 0 && !isMap(found.value)) break;
      next.push(file);
      if (!isMap(found.value)) break;
    }
    if (next.length === 0) return candidates;
    candidates = next;
  }
  return candidates;
}

/**
 * The experiment loader's problem list, pointed at the file of a stack's `extends:` chain that
 * holds each path. The stack's schemas word their messages "expected X[, found Y]"; that is split
 * into the report's own expected and found.
 */
class StackProblems extends Problems {
  constructor(private readonly chain: readonly SourceDocument[]) {
    super();
  }

  override add(_source: Located, path: DocPath, expected: string, found: string, key = false): void {
    const owner = suppliers(this.chain, path)[0] ?? this.chain[0]!;
    const worded = /^expected (.*?)(?:, found (.*))?$/s.exec(expected);
    super.add(owner, path, worded ? worded[1]! : expected, worded?.[2] ?? found, key);
  }
}

/**
 * What another of gameday's files given as a stack file is, in words (with what to do instead);
 * undefined for a document with any stack key (a stack with mistakes, reported key by key) or one
 * of no kind gameday knows. Checked against a stack's fields, each would get an "unknown key"
 * error per top-level key, none saying what the file is.
 */
export function otherFileKind(doc: unknown): string | undefined {
  if (!isMap(doc)) return undefined;
  const keys = Object.keys(doc);
  if (keys.length === 0 || keys.some((k) => k in sections || k === "extends")) return undefined;
  const has = (k: string) => keys.includes(k);
  if (has("gameday") && has("experiment") && has("status")) return "a run journal (written by chaos run): read it with chaos report FILE";
  if (has("method")) return "an experiment (title and method): give it as the experiment, and a stack with --stack";
  if (has("actions") && has("targets")) return "an AWS FIS experiment template (targets and actions): run it with chaos run --fis-template FILE";
  if (has("experiments")) return "a suite (experiments:): run it with chaos gate FILE";
  if (has("steps")) return "a game-day runbook (steps:): run it with chaos gameday FILE";
  if (has("explore")) return "a space file (explore:): search it with chaos explore FILE";
  if (has("title")) return "an experiment (title and method): give it as the experiment, and a stack with --stack";
  return undefined;
}

const STACK_EXPECTED = "a sandbox stack file (availabilityZones, clusters, services, ...)";

export function parseStack(text: string, file = "<stack>"): LoadedStack {
  const chain: SourceDocument[] = [];
  const root = parseFile(text, file);
  const other = otherFileKind(root.value);
  if (other !== undefined) {
    const position = nearestPosition(root, []);
    throw new StackError([{ file, ...(position ? { position } : {}), path: "(document)", expected: STACK_EXPECTED, found: other }]);
  }
  const input = resolveExtends(root, chain, [file]);
  const result = stackSchema.safeParse(input ?? {}, PARSED_ONCE);
  if (!result.success) {
    const problems = new StackProblems(chain);
    new IssueReporter(chain[0]!, problems, [], stackSchema).report(result.error.issues, input ?? {});
    // In file order, each problem once.
    throw new StackError(problems.toError()?.errors ?? []);
  }
  return Object.assign(result.data, { source: file });
}
