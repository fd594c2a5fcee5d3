/**
 * Reads a stack file (YAML or JSON) and validates it, reporting each problem as
 * `file:line:col: path: what was expected, what was found`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
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

export function parseStack(text: string, file = "<stack>"): LoadedStack {
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
  const result = stackSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    throw new StackError(
      file,
      result.error.issues.map((issue) => {
        const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
        return `${where(doc, lines, file, path)}: ${path.length ? path.join(".") : "(top level)"}: ${describe(issue)}`;
      }),
    );
  }
  return Object.assign(result.data, { source: file });
}

function describe(issue: { code: string; message: string; keys?: string[] }): string {
  if (issue.code === "unrecognized_keys" && issue.keys) return `unexpected key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message.replace(/^Invalid input: /, "");
}

/** The position of the deepest node along `path` that exists in the document. */
function where(doc: Document, lines: LineCounter, file: string, path: (string | number)[]): string {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return `${file}:${pos.line}:${pos.col}`;
    }
  }
  return `${file}:1:1`;
}
