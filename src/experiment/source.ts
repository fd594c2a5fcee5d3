/**
 * A parsed input file that still knows where every value came from. Experiment files and var
 * files both go through here: the `yaml` package parses YAML and JSON alike and keeps the source
 * range of each node, which a LineCounter turns into 1-based line:column. JSON's syntax is checked
 * first by json-syntax.ts, whose errors speak JSON.
 */
import { extname } from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLError } from "yaml";
import { formatPath, type DocPath, type InputError, type SourcePosition } from "./model.js";
import { quote } from "./describe.js";
import { jsonSyntaxError } from "./json-syntax.js";

export type SourceFormat = "yaml" | "json";

/** Where a value sits, for reporting. Implemented by parsed files and by command-line inputs. */
export interface Located {
  readonly file: string;
  positionOf(path: DocPath): SourcePosition | undefined;
  /** The position of a map key (for unknown keys), else of the value. */
  keyPositionOf(path: DocPath): SourcePosition | undefined;
  /**
   * Where the value at `path` came from when it was substituted (`${notice}`, set by --var notice):
   * a problem with it is then not blamed on the placeholder's line alone. Absent: written as is.
   */
  originOf?(path: DocPath): string | undefined;
}

export interface SourceDocument extends Located {
  readonly format: SourceFormat;
  /** The document as plain data; undefined when it could not be parsed. */
  readonly value: unknown;
  /** Syntax problems. When there are any, `value` is not to be trusted. */
  readonly errors: InputError[];
}

// Far below the yaml default; an experiment has no business expanding aliases thousands of times.
const MAX_ALIAS_COUNT = 50;

/** YAML or JSON: by extension, else by whether the text is a JSON document. */
export function formatOf(file: string, text: string): SourceFormat {
  const ext = extname(file).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  try {
    JSON.parse(text);
    return "json";
  } catch {
    return "yaml";
  }
}

/** A source with no positions, for values that come from the command line. */
export function unlocated(file: string): Located {
  return { file, positionOf: () => undefined, keyPositionOf: () => undefined };
}

function positionAt(lines: LineCounter, offset: number): SourcePosition {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function describeSyntaxError(error: YAMLError, text: string, format: SourceFormat): { expected: string; found: string } {
  const language = format === "json" ? "valid JSON" : "valid YAML";
  const snippet = text.slice(error.pos[0], Math.min(error.pos[1], error.pos[0] + 40)).trim();
  // The parser marks only the first character of a repeated key; read the whole key from there.
  const key = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:\s,{}[\]]+)/.exec(text.slice(error.pos[0]))?.[1]?.replace(/^["']|["']$/g, "") ?? snippet;
  const message = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
  switch (error.code) {
    case "DUPLICATE_KEY":
      return { expected: "each key at most once in a map", found: `the key ${quote(key)} a second time` };
    case "MULTIPLE_DOCS":
      return { expected: "a single document", found: "a second document after `---`" };
    case "TAG_RESOLVE_FAILED":
      return format === "json"
        ? { expected: language, found: `the unquoted value ${quote(snippet)}` }
        : { expected: "plain YAML without custom tags", found: message.replace(/^Unresolved tag: /, "the tag ") };
    default:
      return { expected: language, found: message.charAt(0).toLowerCase() + message.slice(1) + flowHint(text, error.pos[0]) };
  }
}

/**
 * `{ cluster: ${cluster} }` is the commonest YAML mistake in experiment files: inside { } or [ ],
 * an unquoted `${` starts a nested map. Say so instead of leaving the reader with "unexpected token".
 */
function flowHint(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", offset);
  const line = text.slice(start, end < 0 ? undefined : end);
  return /[{[][^"']*?(^|[\s,:[{])\$\{/.test(line) ? "; inside { } or [ ], put quotes around \"${...}\"" : "";
}

/**
 * The offset of the `[` or `{` still open at `offset`, when it is an `open`; undefined when none is
 * (or another kind is innermost). A forward scan that skips quoted strings and comments: enough for
 * pointing at a bracket, not a YAML parser.
 */
function unclosedBracket(text: string, offset: number, open: "[" | "{"): number | undefined {
  const stack: number[] = [];
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i]!;
    if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      const eol = text.indexOf("\n", i);
      if (eol < 0) break;
      i = eol;
    } else if ((c === '"' || c === "'") && stack.length > 0) {
      // Quotes only in flow context: in a block scalar an apostrophe is just text.
      const end = c === '"' ? /"(?:[^"\\]|\\.)*"/y : /'(?:[^']|'')*'/y;
      end.lastIndex = i;
      const m = end.exec(text);
      if (m) i += m[0].length - 1;
    } else if (c === "[" || c === "{") stack.push(i);
    else if ((c === "]" || c === "}") && stack.length > 0) stack.pop();
  }
  const top = stack.at(-1);
  return top !== undefined && text[top] === open ? top : undefined;
}

/** Follows map keys and list indexes through the syntax tree. */
function nodeAt(doc: Document, path: DocPath): { node: Node | null; key?: Node } | undefined {
  let current: unknown = doc.contents;
  let key: Node | undefined;
  for (const part of path) {
    if (isAlias(current)) current = current.resolve(doc);
    if (isMap(current)) {
      const pair = current.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) return undefined;
      key = pair.key as Node;
      current = pair.value;
    } else if (isSeq(current) && typeof part === "number") {
      if (part < 0 || part >= current.items.length) return undefined;
      key = undefined;
      current = current.items[part];
    } else {
      return undefined;
    }
  }
  if (isAlias(current)) current = current.resolve(doc) ?? current;
  return key ? { node: (current as Node | null) ?? null, key } : { node: (current as Node | null) ?? null };
}

/** Keys that are lists or maps, and `__proto__`, have no faithful plain-object form. */
function keyProblems(doc: Document, lines: LineCounter, file: string): InputError[] {
  const problems: InputError[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown, path: (string | number)[]): void => {
    // Aliases are not followed: their anchors are walked where they are defined.
    if (seen.has(node)) return;
    seen.add(node);
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key)) {
        // Named as a plain object would name it: by the key's YAML text ("[ a ]").
        problems.push({
          file,
          position: positionAt(lines, (key as Node | null)?.range?.[0] ?? 0),
          path: formatPath([...path, String(key)]),
          expected: "a plain key (a name)",
          found: "a list or map used as a key",
        });
        continue;
      }
      const name = String(key.value);
      if (name === "__proto__") {
        problems.push({
          file,
          position: positionAt(lines, key.range?.[0] ?? 0),
          path: formatPath([...path, name]),
          expected: "a key other than `__proto__`",
          found: "`__proto__`",
        });
        continue;
      }
      walk(pair.value, [...path, name]);
    }
  };
  walk(doc.contents, []);
  return problems;
}

/**
 * Aliases (`*name`) with no anchor (`&name`) before them. YAML only looks backwards for an anchor,
 * and the parser leaves this to the conversion to plain data, which fails with no position.
 */
function aliasProblems(doc: Document, lines: LineCounter, file: string): InputError[] {
  const problems: InputError[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isAlias(node)) {
      if (node.resolve(doc) !== undefined) return;
      problems.push({
        file,
        position: positionAt(lines, node.range?.[0] ?? 0),
        path: formatPath(path),
        expected: `an alias to an anchor set earlier in the file (write \`&${node.source}\` on a value above this line)`,
        found: `the alias \`*${node.source}\`, whose anchor \`&${node.source}\` is not set before it`,
      });
      return;
    }
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
    // Keys that are not plain scalars are reported by keyProblems.
    if (isMap(node)) for (const pair of node.items) if (isScalar(pair.key)) walk(pair.value, [...path, String(pair.key.value)]);
  };
  walk(doc.contents, []);
  return problems;
}

/** The path of the first place where a value contains itself (a recursive YAML alias), if any. */
function cycleIn(root: unknown): DocPath | undefined {
  const open = new Set<unknown>();
  const walk = (value: unknown, path: (string | number)[]): DocPath | undefined => {
    if (typeof value !== "object" || value === null) return undefined;
    if (open.has(value)) return path;
    open.add(value);
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) {
      const found = walk(child, [...path, key]);
      if (found) return found;
    }
    open.delete(value);
    return undefined;
  };
  return walk(root, []);
}

function positionIn(doc: Document, lines: LineCounter, path: DocPath): { position: SourcePosition } | undefined {
  // The alias itself is where the loop closes; nodeAt would follow it back to its anchor.
  const parent = nodeAt(doc, path.slice(0, -1))?.node;
  const last = path[path.length - 1];
  let offset: number | undefined;
  if (isMap(parent)) offset = (parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last))?.key as Node | undefined)?.range?.[0];
  else if (isSeq(parent) && typeof last === "number") offset = (parent.items[last] as Node | undefined)?.range?.[0];
  return offset === undefined ? undefined : { position: positionAt(lines, offset) };
}

/** Parses YAML or JSON text; never throws. */
export function readSource(text: string, file: string, format: SourceFormat = formatOf(file, text)): SourceDocument {
  // A byte-order mark is not a column an editor would count.
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = new LineCounter();
  const doc = parseDocument(body, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    ...(format === "json" ? { schema: "json" as const } : {}),
  });
  const errors: InputError[] = [];
  // JSON's own syntax, in its own words: the YAML parser's would speak YAML, and it accepts more.
  // An empty file is left to the checks of what it lacks.
  const broken = format === "json" && body.trim() !== "" ? jsonSyntaxError(body) : undefined;
  if (broken) errors.push({ file, position: positionAt(lines, broken.offset), path: "(document)", expected: broken.expected, found: broken.found });
  // After the first syntax error on a line, the parser's further complaints there are echoes.
  const seenLines = new Set<number>();
  for (const e of broken ? [] : [...doc.errors, ...doc.warnings]) {
    const position = positionAt(lines, e.pos[0]);
    if (seenLines.has(position.line)) continue;
    seenLines.add(position.line);
    const described = describeSyntaxError(e, body, format);
    // A `[` or `{` left open is noticed lines later, where the block resumes: point at the bracket.
    const closer = /end with an? ([\]}])/.exec(e.message)?.[1];
    const opener = closer === undefined ? undefined : unclosedBracket(body, e.pos[0], closer === "]" ? "[" : "{");
    if (opener !== undefined) {
      const at = positionAt(lines, opener);
      errors.push({ file, position: at, path: "(document)", expected: described.expected, found: `a \`${body[opener]}\` that is never closed with \`${closer}\` (noticed at line ${position.line}: ${described.found})` });
    } else {
      errors.push({ file, position, path: "(document)", ...described });
    }
  }
  if (errors.length === 0) errors.push(...keyProblems(doc, lines, file), ...aliasProblems(doc, lines, file));

  let value: unknown;
  if (errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      const loop = cycleIn(value);
      if (loop) {
        errors.push({
          file,
          ...(positionIn(doc, lines, loop) ?? {}),
          path: formatPath(loop),
          expected: "a value that does not contain itself",
          found: "an alias (*name) inside the value its anchor (&name) marks",
        });
        value = undefined;
      }
    } catch (err) {
      errors.push({
        file,
        path: "(document)",
        expected: `a document whose aliases expand at most ${MAX_ALIAS_COUNT} times`,
        found: err instanceof Error ? err.message : String(err),
      });
    }
  }

  const positionOf = (path: DocPath): SourcePosition | undefined => {
    // An empty document still has a first line to point at.
    if (path.length === 0 && !doc.contents) return { line: 1, column: 1 };
    const found = nodeAt(doc, path);
    if (!found) return undefined;
    // A block map or list starts on the line after its key; the key line is where a reader looks.
    const blockCollection = (isMap(found.node) || isSeq(found.node)) && !found.node.flow;
    const offset = (blockCollection ? found.key?.range?.[0] : undefined) ?? found.node?.range?.[0] ?? found.key?.range?.[0];
    return offset === undefined ? undefined : positionAt(lines, offset);
  };
  const keyPositionOf = (path: DocPath): SourcePosition | undefined => {
    const found = nodeAt(doc, path);
    const offset = found?.key?.range?.[0];
    return offset === undefined ? positionOf(path) : positionAt(lines, offset);
  };
  return { file, format, value, errors, positionOf, keyPositionOf };
}

/** The position of a path, or of its closest ancestor that exists in the source. */
export function nearestPosition(source: Located, path: DocPath, key = false): SourcePosition | undefined {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n);
    const position = key && n === path.length ? source.keyPositionOf(prefix) : source.positionOf(prefix);
    if (position) return position;
  }
  return undefined;
}
