/**
 * CloudWatch metric math (using-metric-math.html, "Metric math syntax and functions"): a parser
 * and an evaluator over time series aligned by timestamp.
 *
 * Hand-written recursive descent: no small, well-kept library parses CloudWatch's grammar (ids
 * that must start lowercase, UPPERCASE functions, bare REPEAT/LINEAR arguments, [arrays]).
 *
 * Precedence, lowest first: OR (||), AND (&&), comparisons (== != < <= > >=), + -, * /,
 * unary minus, ^ (right-associative). Comparisons and AND/OR give 1 or 0.
 *
 * Semantics: an operation on two series keeps only the timestamps both have (a point missing in
 * any operand is missing in the result); FILL fills the gaps over the query's periods. A result
 * that is not a finite number (division by zero, 0/0, a negative to a fractional power) is no
 * point: the sandbox's reading, as CloudWatch returns no value for such a period.
 */

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** 0-based character offset in the expression. */
    readonly position: number,
  ) {
    super(message);
  }
}

export type Node =
  | { kind: "number"; value: number; at: number }
  | { kind: "id"; name: string; at: number }
  | { kind: "keyword"; name: "REPEAT" | "LINEAR"; at: number }
  | { kind: "unary"; op: "-"; operand: Node; at: number }
  | { kind: "binary"; op: BinaryOp; left: Node; right: Node; at: number }
  | { kind: "call"; name: string; args: Node[]; at: number }
  | { kind: "array"; items: Node[]; at: number };

type BinaryOp = "+" | "-" | "*" | "/" | "^" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "AND" | "OR";

/** A series: timestamp (ms) → value, in ascending timestamp order. */
export type Series = Map<number, number>;
export type Value = { kind: "scalar"; value: number } | { kind: "series"; series: Series } | { kind: "array"; items: Series[] };

const FUNCTIONS: Record<string, { min: number; max: number }> = {
  ABS: { min: 1, max: 1 },
  CEIL: { min: 1, max: 1 },
  FLOOR: { min: 1, max: 1 },
  FILL: { min: 2, max: 2 },
  IF: { min: 2, max: 3 },
  MIN: { min: 1, max: Infinity },
  MAX: { min: 1, max: Infinity },
  SUM: { min: 1, max: Infinity },
  AVG: { min: 1, max: Infinity },
  RATE: { min: 1, max: 1 },
  DIFF: { min: 1, max: 1 },
};

// ---------------------------------------------------------------------------------------------
// Parsing

interface Token {
  type: "num" | "word" | "op" | "str" | "end";
  text: string;
  at: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ type: "num", text: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (word) {
      out.push({ type: "word", text: word[0], at: i });
      i += word[0].length;
      continue;
    }
    // A quoted string is only ever an argument of a function the sandbox does not evaluate
    // (SEARCH, INSIGHT_RULE_METRIC...): read as one token, so that the function is refused by name.
    const quoted = /^'(?:[^'\\]|\\.)*'/.exec(src.slice(i));
    if (quoted) {
      out.push({ type: "str", text: quoted[0], at: i });
      i += quoted[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|&&|\|\||[-+*/^()<>,[\]])/.exec(src.slice(i));
    if (!op) throw new ExpressionError(`unexpected character '${c}'`, i);
    out.push({ type: "op", text: op[0], at: i });
    i += op[0].length;
  }
  out.push({ type: "end", text: "end of expression", at: src.length });
  return out;
}

/** Parses an expression; ExpressionError names what was expected and where. */
export function parseExpression(src: string): Node {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const isOp = (...ops: string[]) => peek().type === "op" && ops.includes(peek().text);
  const isWord = (...words: string[]) => peek().type === "word" && words.includes(peek().text);
  const expect = (text: string) => {
    const t = next();
    if (t.type !== "op" || t.text !== text) throw new ExpressionError(`expected '${text}' but found '${t.text}'`, t.at);
  };

  const binaryLevel = (sub: () => Node, ops: Record<string, BinaryOp>): (() => Node) => () => {
    let left = sub();
    for (;;) {
      const t = peek();
      const op = (t.type === "op" || t.type === "word") && Object.hasOwn(ops, t.text) ? ops[t.text]! : undefined;
      if (!op) return left;
      next();
      left = { kind: "binary", op, left, right: sub(), at: t.at };
    }
  };

  const power = (): Node => {
    const base = primary();
    if (!isOp("^")) return base;
    const at = next().at;
    return { kind: "binary", op: "^", left: base, right: unary(), at };
  };
  const unary = (): Node => {
    if (isOp("-")) {
      const at = next().at;
      return { kind: "unary", op: "-", operand: unary(), at };
    }
    if (isOp("+")) next();
    return power();
  };
  const term = binaryLevel(unary, { "*": "*", "/": "/" });
  const sum = binaryLevel(term, { "+": "+", "-": "-" });
  const comparison = binaryLevel(sum, { "==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=" });
  const and = binaryLevel(comparison, { AND: "AND", "&&": "AND" });
  const or = binaryLevel(and, { OR: "OR", "||": "OR" });

  function list(close: string): Node[] {
    const items: Node[] = [];
    if (isOp(close)) {
      next();
      return items;
    }
    for (;;) {
      items.push(or());
      if (isOp(",")) {
        next();
        continue;
      }
      expect(close);
      return items;
    }
  }

  function primary(): Node {
    const t = next();
    if (t.type === "num") return { kind: "number", value: Number(t.text), at: t.at };
    if (t.type === "op" && t.text === "(") {
      const inner = or();
      expect(")");
      return inner;
    }
    if (t.type === "op" && t.text === "[") return { kind: "array", items: list("]"), at: t.at };
    if (t.type === "word") {
      if (isOp("(")) {
        next();
        const spec = FUNCTIONS[t.text];
        if (!spec) throw new ExpressionError(`unknown function ${t.text} (the sandbox evaluates ${Object.keys(FUNCTIONS).join(", ")})`, t.at);
        const args = list(")");
        if (args.length < spec.min || args.length > spec.max) {
          throw new ExpressionError(`${t.text} takes ${spec.min === spec.max ? spec.min : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`} argument(s), found ${args.length}`, t.at);
        }
        return { kind: "call", name: t.text, args, at: t.at };
      }
      if (t.text === "REPEAT" || t.text === "LINEAR") return { kind: "keyword", name: t.text, at: t.at };
      if (!/^[a-z]/.test(t.text)) throw new ExpressionError(`'${t.text}' is neither a function call nor a query id (ids start with a lowercase letter)`, t.at);
      return { kind: "id", name: t.text, at: t.at };
    }
    throw new ExpressionError(`expected a number, a query id, a function or '(' but found '${t.text}'`, t.at);
  }

  const root = or();
  const end = peek();
  if (end.type !== "end") throw new ExpressionError(`unexpected '${end.text}'`, end.at);
  return root;
}

/** The query ids an expression reads, each with where it first appears. */
export function referencedIds(node: Node, into = new Map<string, number>()): Map<string, number> {
  switch (node.kind) {
    case "id":
      if (!into.has(node.name)) into.set(node.name, node.at);
      break;
    case "unary":
      referencedIds(node.operand, into);
      break;
    case "binary":
      referencedIds(node.left, into);
      referencedIds(node.right, into);
      break;
    case "call":
    case "array":
      for (const n of node.kind === "call" ? node.args : node.items) referencedIds(n, into);
      break;
  }
  return into;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export interface EvaluationContext {
  /** The value of a query id (a metric's series, or another expression's result). */
  resolve(id: string, at: number): Value;
  /** The period starts of the query, ascending: where FILL fills and a constant has points. */
  grid: readonly number[];
}

const ARITHMETIC: Record<BinaryOp, (a: number, b: number) => number> = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
  "^": (a, b) => a ** b,
  "==": (a, b) => Number(a === b),
  "!=": (a, b) => Number(a !== b),
  "<": (a, b) => Number(a < b),
  "<=": (a, b) => Number(a <= b),
  ">": (a, b) => Number(a > b),
  ">=": (a, b) => Number(a >= b),
  AND: (a, b) => Number(a !== 0 && b !== 0),
  OR: (a, b) => Number(a !== 0 || b !== 0),
};

export function evaluateNode(node: Node, ctx: EvaluationContext): Value {
  switch (node.kind) {
    case "number":
      return scalar(node.value);
    case "id":
      return ctx.resolve(node.name, node.at);
    case "keyword":
      throw new ExpressionError(`${node.name} is only valid as FILL's second argument`, node.at);
    case "unary":
      return map(evaluateNode(node.operand, ctx), (v) => -v);
    case "binary":
      return combine(evaluateNode(node.left, ctx), evaluateNode(node.right, ctx), ARITHMETIC[node.op], node.at);
    case "array":
      return { kind: "array", items: node.items.flatMap((n) => seriesList(evaluateNode(n, ctx), ctx, n.at)) };
    case "call":
      return call(node, ctx);
  }
}

/** The result as a series over the grid: a scalar becomes a constant at every period. */
export function asSeries(value: Value, ctx: EvaluationContext, at: number): Series {
  if (value.kind === "series") return value.series;
  if (value.kind === "scalar") return new Map(Number.isFinite(value.value) ? ctx.grid.map((t) => [t, value.value]) : []);
  throw new ExpressionError("the expression gives an array of time series where one time series is expected", at);
}

function scalar(value: number): Value {
  return { kind: "scalar", value };
}

function clean(s: Series): Series {
  for (const [t, v] of s) if (!Number.isFinite(v)) s.delete(t);
  return s;
}

function mapSeries(s: Series, f: (v: number) => number): Series {
  const out: Series = new Map();
  for (const [t, v] of s) out.set(t, f(v));
  return clean(out);
}

function map(v: Value, f: (x: number) => number): Value {
  if (v.kind === "scalar") return scalar(f(v.value));
  if (v.kind === "series") return { kind: "series", series: mapSeries(v.series, f) };
  return { kind: "array", items: v.items.map((s) => mapSeries(s, f)) };
}

function pair(a: Series, b: Series, f: (x: number, y: number) => number): Series {
  const out: Series = new Map();
  for (const [t, x] of a) {
    const y = b.get(t);
    if (y !== undefined) out.set(t, f(x, y));
  }
  return clean(out);
}

function combine(a: Value, b: Value, f: (x: number, y: number) => number, at: number): Value {
  if (a.kind === "scalar" && b.kind === "scalar") return scalar(f(a.value, b.value));
  if (a.kind === "scalar") return map(b, (y) => f(a.value, y));
  if (b.kind === "scalar") return map(a, (x) => f(x, b.value));
  if (a.kind === "series" && b.kind === "series") return { kind: "series", series: pair(a.series, b.series, f) };
  if (a.kind === "array" && b.kind === "array") {
    if (a.items.length !== b.items.length) throw new ExpressionError(`arrays of different sizes (${a.items.length} and ${b.items.length})`, at);
    return { kind: "array", items: a.items.map((s, i) => pair(s, b.items[i]!, f)) };
  }
  if (a.kind === "array") return { kind: "array", items: a.items.map((s) => pair(s, (b as { series: Series }).series, f)) };
  return { kind: "array", items: (b as { items: Series[] }).items.map((s) => pair((a as { series: Series }).series, s, f)) };
}

function seriesList(v: Value, ctx: EvaluationContext, at: number): Series[] {
  return v.kind === "array" ? v.items : [asSeries(v, ctx, at)];
}

const REDUCERS: Record<string, (xs: number[]) => number> = {
  MIN: (xs) => Math.min(...xs),
  MAX: (xs) => Math.max(...xs),
  SUM: (xs) => xs.reduce((a, b) => a + b, 0),
  AVG: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
};

function call(node: Extract<Node, { kind: "call" }>, ctx: EvaluationContext): Value {
  const { name, args } = node;
  const arg = (i: number) => evaluateNode(args[i]!, ctx);
  switch (name) {
    case "ABS":
      return map(arg(0), Math.abs);
    case "CEIL":
      return map(arg(0), Math.ceil);
    case "FLOOR":
      return map(arg(0), Math.floor);
    case "MIN":
    case "MAX":
    case "SUM":
    case "AVG": {
      const reduce = REDUCERS[name]!;
      const only = args.length === 1 ? arg(0) : undefined;
      // One series: a scalar over its points. Several, or an array: a series across them per
      // timestamp, over the series that have a point there.
      if (only?.kind === "series") return scalar(only.series.size === 0 ? NaN : reduce([...only.series.values()]));
      if (only?.kind === "scalar") return only;
      const all = only ? seriesList(only, ctx, node.at) : args.flatMap((n) => seriesList(evaluateNode(n, ctx), ctx, n.at));
      const times = [...new Set(all.flatMap((s) => [...s.keys()]))].sort((x, y) => x - y);
      const out: Series = new Map();
      for (const t of times) out.set(t, reduce(all.flatMap((s) => (s.has(t) ? [s.get(t)!] : []))));
      return { kind: "series", series: clean(out) };
    }
    case "FILL": {
      const how = args[1]!;
      const filler = how.kind === "keyword" ? how.name : arg(1);
      if (filler !== "REPEAT" && filler !== "LINEAR" && filler.kind === "array") throw new ExpressionError("FILL's second argument must be a number, a time series, REPEAT or LINEAR", how.at);
      const fill = (s: Series) => fillSeries(s, ctx.grid, filler === "REPEAT" || filler === "LINEAR" ? filler : asSeries(filler, ctx, how.at));
      const v = arg(0);
      if (v.kind === "scalar") return v;
      return v.kind === "series" ? { kind: "series", series: fill(v.series) } : { kind: "array", items: v.items.map(fill) };
    }
    case "IF": {
      const cond = asSeries(arg(0), ctx, args[0]!.at);
      const then = arg(1);
      const otherwise = args[2] ? arg(2) : undefined;
      const pick = (v: Value | undefined, t: number, at: number) => (v === undefined ? undefined : v.kind === "scalar" ? v.value : asSeries(v, ctx, at).get(t));
      const out: Series = new Map();
      for (const [t, c] of cond) {
        const v = c !== 0 ? pick(then, t, args[1]!.at) : pick(otherwise, t, args[2]?.at ?? node.at);
        if (v !== undefined) out.set(t, v);
      }
      return { kind: "series", series: clean(out) };
    }
    case "RATE":
    case "DIFF": {
      const perSecond = name === "RATE";
      const change = (s: Series): Series => {
        const out: Series = new Map();
        let prev: [number, number] | undefined;
        for (const [t, v] of s) {
          if (prev) out.set(t, perSecond ? (v - prev[1]) / ((t - prev[0]) / 1000) : v - prev[1]);
          prev = [t, v];
        }
        return clean(out);
      };
      const v = arg(0);
      if (v.kind === "scalar") throw new ExpressionError(`${name} needs a time series`, node.at);
      return v.kind === "series" ? { kind: "series", series: change(v.series) } : { kind: "array", items: v.items.map(change) };
    }
  }
  throw new ExpressionError(`unknown function ${name}`, node.at);
}

/** FILL over the grid: a constant or series value, the last real value before (REPEAT), or the straight line between the real values around (LINEAR). */
function fillSeries(s: Series, grid: readonly number[], how: Series | "REPEAT" | "LINEAR"): Series {
  const known = [...s.entries()];
  const out: Series = new Map();
  let k = 0;
  for (const t of grid) {
    const own = s.get(t);
    while (k < known.length && known[k]![0] < t) k++;
    if (own !== undefined) {
      out.set(t, own);
      continue;
    }
    const before = k > 0 ? known[k - 1] : undefined;
    const after = known[k];
    if (how === "REPEAT") {
      if (before) out.set(t, before[1]);
    } else if (how === "LINEAR") {
      if (before && after) out.set(t, before[1] + ((after[1] - before[1]) * (t - before[0])) / (after[0] - before[0]));
    } else {
      const v = how.get(t);
      if (v !== undefined) out.set(t, v);
    }
  }
  return clean(out);
}
