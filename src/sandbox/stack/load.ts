/**
 * Reads a stack file (YAML or JSON) and validates it, reporting each problem as
 * `file:line:col: path: what was expected, what was found`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LineCounter, parseDocument, isNode, type Document } from "yaml";
import { stackSchema, type Stack } from "./schema.js";

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

export class StackError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid stack file\n  ${problems.join("\n  ")}`);
    this.name = "StackError";
  }
}

/** A parsed stack with the file it came from (handler module paths resolve against its folder). */
export type LoadedStack = Stack & { readonly source: string };

/** Reads and validates a stack file; throws StackError with every problem found. */
export function loadStack(file: string = DEFAULT_STACK_FILE): LoadedStack {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new StackError(file, [code === "ENOENT" ? "expected a stack file, found no file at this path" : `cannot read the file: ${(err as Error).message}`]);
  }
  return parseStack(text, file);
}

interface Parsed {
  file: string;
  doc: Document;
  lines: LineCounter;
}

function parseFile(text: string, file: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new StackError(
      file,
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return `${file}:${pos.line}:${pos.col}: expected YAML or JSON, found a syntax error: ${e.message.split("\n")[0]}`;
      }),
    );
  }
  return { file, doc, lines };
}

/**
 * `extends: <file>` makes a stack a variant of another (a path relative to this file): maps are
 * merged key by key, lists and values replace the parent's. The variants in fixtures/stacks say
 * only what differs from the default.
 */
function resolveExtends(parsed: Parsed, chain: Parsed[], seen: string[]): unknown {
  const own = (parsed.doc.toJS() ?? {}) as Record<string, unknown>;
  chain.unshift(parsed);
  const parent = own.extends;
  if (parent === undefined) return own;
  if (typeof parent !== "string") throw new StackError(parsed.file, [`${where([parsed], ["extends"])}: extends: expected the path of the stack this one varies, found ${JSON.stringify(parent)}`]);
  const parentFile = resolve(dirname(parsed.file), parent);
  if (seen.includes(parentFile)) throw new StackError(parsed.file, [`${where([parsed], ["extends"])}: extends: expected a stack that does not extend itself, found a cycle through ${parentFile}`]);
  let text: string;
  try {
    text = readFileSync(parentFile, "utf8");
  } catch {
    throw new StackError(parsed.file, [`${where([parsed], ["extends"])}: extends: expected a stack file, found no file at ${parentFile}`]);
  }
  const base = resolveExtends(parseFile(text, parentFile), chain, [...seen, parentFile]);
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

export function parseStack(text: string, file = "<stack>"): LoadedStack {
  const chain: Parsed[] = [];
  const input = resolveExtends(parseFile(text, file), chain, [file]);
  // The chain is ordered from this file up to the root; errors point into the first file that has the path.
  chain.reverse();
  const result = stackSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new StackError(
      file,
      result.error.issues.map((issue) => {
        const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
        return `${where(chain, path)}: ${path.length ? path.join(".") : "(top level)"}: ${describe(issue)}`;
      }),
    );
  }
  return Object.assign(result.data, { source: file });
}

function describe(issue: { code: string; message: string; keys?: string[] }): string {
  if (issue.code === "unrecognized_keys" && issue.keys) return `unexpected key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message.replace(/^Invalid input: /, "");
}

/** The position of the deepest node along `path` in the first file (child first) that has it. */
function where(files: Parsed[], path: (string | number)[]): string {
  for (let n = path.length; n >= 0; n--) {
    for (const { doc, lines, file } of files) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range && (n > 0 || files.length === 1)) {
        const pos = lines.linePos(node.range[0]);
        return `${file}:${pos.line}:${pos.col}`;
      }
    }
  }
  return `${files[0]?.file ?? "<stack>"}:1:1`;
}
