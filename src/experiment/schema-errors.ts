/**
 * Turns zod issues into located InputErrors: the path in the document, what was expected (from
 * the schema's notes or the issue itself) and what was found (the offending value, shortened,
 * or "nothing"). For a union, the option the author meant is chosen and only its issues are
 * shown, so a misspelt key in a fault step does not also list every reason it is not a pause.
 */
import type { z } from "zod";
import { describeValue, listOf, quote, suggestion } from "./describe.js";
import type { DocPath } from "./model.js";
import { isUnder, type Problems } from "./problems.js";
import { noteOf, type Problem } from "./schema-kit.js";
import type { Located } from "./source.js";

type Issue = z.core.$ZodIssue;

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a map",
  array: "a list",
  record: "a map",
  tuple: "a list",
  null: "null",
  undefined: "nothing",
};

function valueAt(root: unknown, path: DocPath): unknown {
  let node = root;
  for (const part of path) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

function bound(issue: Extract<Issue, { code: "too_small" | "too_big" }>): string {
  const n = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
  const small = issue.code === "too_small";
  switch (issue.origin) {
    case "string":
      return small && n === 1 ? "a non-empty string" : `a string of ${small ? "at least" : "at most"} ${n} characters`;
    case "array":
    case "set":
      return small && n === 1 ? "a list with at least one item" : `a list of ${small ? "at least" : "at most"} ${n} items`;
    default: {
      const op = small ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
      return `a number ${op} ${n}`;
    }
  }
}

/**
 * The keys a zod object accepts at `path` inside `schema`. Probe and fault modules write plain
 * `z.object().strict()`, which leaves no note behind; without this their unknown-key errors
 * could not say which keys are allowed.
 */
function keysAt(schema: unknown, path: DocPath): string[] | undefined {
  let node = schema as { _zod?: { def?: Record<string, unknown> } } | undefined;
  let i = 0;
  // Bounded: a recursive (lazy) schema must not loop.
  for (let step = 0; step < 64 && node; step++) {
    const def = node._zod?.def;
    if (!def) return undefined;
    switch (def.type) {
      case "optional":
      case "nullable":
      case "default":
      case "prefault":
      case "readonly":
      case "catch":
        node = def.innerType as typeof node;
        continue;
      case "pipe":
        node = def.in as typeof node;
        continue;
      case "object": {
        const shape = def.shape as Record<string, typeof node>;
        if (i === path.length) return Object.keys(shape);
        const key = path[i++];
        node = typeof key === "string" && Object.hasOwn(shape, key) ? shape[key] : undefined;
        continue;
      }
      case "array":
      case "record":
        if (i === path.length) return undefined;
        i++;
        node = (def.type === "array" ? def.element : def.valueType) as typeof node;
        continue;
      default:
        return undefined;
    }
  }
  return undefined;
}

export class IssueReporter {
  private root: DocPath | undefined;

  constructor(
    private readonly source: Located,
    private readonly problems: Problems,
    /** Paths already reported (by substitution); issues at or below them are not repeated. */
    private readonly quiet: readonly DocPath[] = [],
    /** The zod schema that produced the issues, to list the keys of objects that carry no note. */
    private readonly schema?: unknown,
  ) {}

  private add(path: DocPath, expected: string, found: string, key = false): void {
    if (!isUnder(path, this.quiet)) this.problems.add(this.source, path, expected, found, key);
  }

  /** Reports issues from parsing `input` (which sits at `base` in the document). */
  report(issues: readonly Issue[], input: unknown, base: DocPath = []): void {
    this.root = base;
    this.nested(issues, input, base);
  }

  /** Issues of a union's chosen option, relative to where the union sits. */
  private nested(issues: readonly Issue[], input: unknown, base: DocPath): void {
    for (const issue of issues) this.one(issue, input, base);
  }

  private problem(p: Problem, at: DocPath, input: unknown, base: DocPath): void {
    const path = [...at, ...(p.path ?? [])];
    this.add([...base, ...path], p.expected, p.found ?? describeValue(valueAt(input, path)));
  }

  private one(issue: Issue, input: unknown, base: DocPath): void {
    const rel = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)) as (string | number)[];
    const path = [...base, ...rel];
    const found = valueAt(input, rel);
    const note = noteOf(issue.message);

    switch (issue.code) {
      case "unrecognized_keys": {
        const known = note?.kind === "keys" ? note.keys : (keysAt(this.schema, path.slice((this.root ?? []).length)) ?? []);
        for (const key of issue.keys) {
          const unsupported = note?.kind === "keys" ? note.unsupported : undefined;
          // hasOwn: a key such as `constructor` must not find Object.prototype's.
          const reason = unsupported && Object.hasOwn(unsupported, key) ? unsupported[key] : undefined;
          const choices = known.length > 0 ? `one of ${listOf(known)}${suggestion(key, known)}` : "no keys here";
          const expected = reason ?? choices;
          this.add([...path, key], expected, reason ? quote(key) : `the unknown key ${quote(key)}`, true);
        }
        return;
      }
      case "invalid_union": {
        if (note?.kind !== "union") {
          this.add(path, issue.message, describeValue(found));
          return;
        }
        const choice = note.choose?.(found);
        if (typeof choice === "number") {
          const chosen = issue.errors[choice];
          if (chosen) {
            this.nested(chosen, found, path);
            return;
          }
        } else if (choice !== undefined) {
          for (const p of Array.isArray(choice) ? choice : [choice]) this.problem(p, rel, input, base);
          return;
        }
        // No chooser: the option the value's shape fits (no complaint about the value as a whole),
        // then the one with the fewest complaints; the first option wins a tie.
        const score = (errs: readonly Issue[]) => errs.filter((e) => e.path.length === 0).length * 1000 + errs.length;
        const best = issue.errors.reduce<readonly Issue[] | undefined>((a, b) => (a === undefined || score(b) < score(a) ? b : a), undefined);
        const rootOnlyTypeMismatch = best?.every((e) => e.path.length === 0 && e.code === "invalid_type");
        if (best && !rootOnlyTypeMismatch) this.nested(best, found, path);
        else this.add(path, note.expected, describeValue(found));
        return;
      }
      case "invalid_type": {
        const expected = note?.kind === "expected" ? note.text : (TYPE_WORDS[issue.expected] ?? issue.expected);
        this.add(path, expected, describeValue(found));
        return;
      }
      case "invalid_value": {
        const expected = note?.kind === "expected" ? note.text : listOf(issue.values.map((v) => String(v)));
        this.add(path, issue.values.length > 1 && note?.kind !== "expected" ? `one of ${expected}` : expected, describeValue(found));
        return;
      }
      case "too_small":
      case "too_big":
        this.add(path, note?.kind === "expected" ? note.text : bound(issue), describeValue(found));
        return;
      case "custom": {
        const params = (issue.params ?? {}) as { expected?: unknown; found?: unknown };
        const expected = typeof params.expected === "string" ? params.expected : note?.kind === "expected" ? note.text : issue.message;
        this.add(path, expected, typeof params.found === "string" ? params.found : describeValue(found));
        return;
      }
      default:
        this.add(path, note?.kind === "expected" ? note.text : issue.message, describeValue(found));
    }
  }
}
