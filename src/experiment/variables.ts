/**
 * `${name}` substitution: configuration first, then secrets, then `${env:NAME}` from the
 * environment. A string that is exactly one `${x}` takes x's value with its type (a number stays
 * a number, a list a list); anywhere else the value is written into the string.
 *
 * Unlike Chaos Toolkit, an unknown name is an error at its position rather than left verbatim:
 * a typo in `${clster}` should stop the run before it reaches AWS, not after.
 */
import { convertText, isValueType, VALUE_TYPES } from "./convert.js";
import { describeValue, listOf, quote, suggestion } from "./describe.js";
import type { DocPath } from "./model.js";
import type { Problems } from "./problems.js";
import type { Located } from "./source.js";
import { interpolate, NAME_RULE, parseTemplate, type Piece } from "./template.js";
import type { Entry } from "./var-files.js";

export interface Binding extends Entry {
  kind: "configuration" | "secret";
  /** Values given on the command line are final: they are neither typed entries nor templates. */
  literal: boolean;
}

type Outcome = { ok: true; value: unknown } | { ok: false };

/** A string substituted at `path` in `source`: the placeholders it used, each with what it named (none for ${env:NAME}). */
export interface Origin {
  source: Located;
  path: DocPath;
  /** Each placeholder, with what it named: a binding for ${name}, the variable for ${env:NAME}. */
  uses: { raw: string; binding?: Binding | undefined; env?: string }[];
}

const CONFIG_ENV_KEYS = ["type", "key", "default", "env_var_type"];
const SECRET_ENV_KEYS = ["type", "key"];

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class Variables {
  private readonly outcomes = new Map<Binding, Outcome>();
  private readonly resolving: Binding[] = [];
  /** Every place whose substitution failed (already reported), so later checks can stay quiet there. */
  readonly failures: { source: Located; path: DocPath }[] = [];
  /** Every place substituted successfully, so a later problem with the value can say where it came from. */
  readonly origins: Origin[] = [];

  constructor(
    private readonly configuration: ReadonlyMap<string, Binding>,
    /** Flattened secrets, first scope first, as Chaos Toolkit's lookup chain does. */
    private readonly secrets: ReadonlyMap<string, Binding>,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly problems: Problems,
  ) {}

  /** Own properties only: `${env:constructor}` must not find Object.prototype's. */
  private envValue(name: string): string | undefined {
    return Object.hasOwn(this.env, name) ? this.env[name] : undefined;
  }

  private lookup(name: string): Binding | undefined {
    return this.configuration.get(name) ?? this.secrets.get(name);
  }

  /** The value of a configuration entry or secret, resolved once and remembered. */
  valueOf(binding: Binding): Outcome {
    const known = this.outcomes.get(binding);
    if (known) return known;
    this.resolving.push(binding);
    const outcome = this.compute(binding);
    this.resolving.pop();
    this.outcomes.set(binding, outcome);
    return outcome;
  }

  private compute(b: Binding): Outcome {
    if (b.literal) return { ok: true, value: b.value };
    if (isMap(b.value) && typeof b.value.type === "string") {
      const type = b.value.type;
      if (type === "env") return this.fromEnvEntry(b, b.value);
      if (type === "vault") {
        this.problems.add(
          b.source,
          [...b.path, "type"],
          "a value or {type: env, key: NAME}: gameday does not read HashiCorp Vault; export the secret to an environment variable (or a .env var file) and use {type: env, key: NAME}",
          "type: vault",
        );
        return { ok: false };
      }
      if (type === "probe" && b.kind === "configuration") {
        this.problems.add(
          b.source,
          [...b.path, "type"],
          "a value or {type: env, key: NAME}: configuration computed by a probe needs Python, which gameday does not run",
          "type: probe",
        );
        return { ok: false };
      }
    }
    return this.substitute(b.value, b.source, b.path);
  }

  private fromEnvEntry(b: Binding, entry: Record<string, unknown>): Outcome {
    const allowed = b.kind === "configuration" ? CONFIG_ENV_KEYS : SECRET_ENV_KEYS;
    let ok = true;
    for (const key of Object.keys(entry)) {
      if (!allowed.includes(key)) {
        this.problems.add(b.source, [...b.path, key], `one of ${listOf(allowed)} in a {type: env} ${b.kind} entry${suggestion(key, allowed)}`, `the key ${quote(key)}`, true);
        ok = false;
      }
    }
    const key = entry.key;
    if (typeof key !== "string" || key === "") {
      this.problems.add(b.source, [...b.path, "key"], "the name of an environment variable", describeValue(key));
      return { ok: false };
    }
    const type = entry.env_var_type ?? "str";
    if (typeof type !== "string" || !isValueType(type)) {
      this.problems.add(b.source, [...b.path, "env_var_type"], `one of ${listOf(VALUE_TYPES)}`, describeValue(type));
      return { ok: false };
    }
    if (!ok) return { ok: false };
    const text = this.envValue(key);
    if (text !== undefined) {
      const converted = convertText(text, type);
      if ("expected" in converted) {
        this.problems.add(b.source, [...b.path, "key"], `${converted.expected} in the environment variable ${key} (env_var_type: ${type})`, describeValue(text));
        return { ok: false };
      }
      return { ok: true, value: converted.value };
    }
    if ("default" in entry) return this.substitute(entry.default, b.source, [...b.path, "default"]);
    this.problems.add(
      b.source,
      [...b.path, "key"],
      `the environment variable ${key} to be set (${b.kind} ${quote(b.name)} reads it and has no default)`,
      "nothing",
    );
    return { ok: false };
  }

  private resolvePiece(piece: Piece, source: Located, path: DocPath): Outcome {
    switch (piece.kind) {
      case "text":
        return { ok: true, value: piece.text };
      case "invalid":
        this.problems.add(source, path, `\${name} or \${env:NAME} with ${NAME_RULE} (write $\${ for a literal \${)`, describeValue(piece.raw));
        return { ok: false };
      case "env": {
        const value = this.envValue(piece.name);
        if (value !== undefined) return { ok: true, value };
        this.problems.add(source, path, `the environment variable ${piece.name} to be set`, `${piece.raw}, which is not set`);
        return { ok: false };
      }
      case "name": {
        const binding = this.lookup(piece.name);
        if (!binding) {
          const known = [...this.configuration.keys(), ...this.secrets.keys()];
          this.problems.add(source, path, `a configuration key, secret or \${env:NAME}${suggestion(piece.name, known).replace(/`([^`]*)`/, "`${$1}`")}`, piece.raw);
          return { ok: false };
        }
        if (this.resolving.includes(binding)) {
          const chain = [...this.resolving.slice(this.resolving.indexOf(binding)), binding].map((b) => b.name).join(" -> ");
          this.problems.add(source, path, "a value that does not refer back to itself", `${piece.raw} in the cycle ${chain}`);
          return { ok: false };
        }
        const outcome = this.valueOf(binding);
        // Deep copies, so that two places using one list can never change each other.
        return outcome.ok ? { ok: true, value: structuredClone(outcome.value) } : outcome;
      }
    }
  }

  private substituteString(text: string, source: Located, path: DocPath): Outcome {
    const pieces = parseTemplate(text);
    if (!pieces) return { ok: true, value: text };
    const uses = pieces.flatMap((p): Origin["uses"] => (p.kind === "name" ? [{ raw: p.raw, binding: this.lookup(p.name) }] : p.kind === "env" ? [{ raw: p.raw, env: p.name }] : []));
    const only = pieces.length === 1 ? pieces[0] : undefined;
    let outcome: Outcome;
    if (only && only.kind !== "text") outcome = this.resolvePiece(only, source, path);
    else {
      let out = "";
      let ok = true;
      for (const piece of pieces) {
        const part = this.resolvePiece(piece, source, path);
        if (part.ok) out += interpolate(part.value);
        else ok = false;
      }
      outcome = ok ? { ok: true, value: out } : { ok: false };
    }
    if (outcome.ok && uses.length > 0) this.origins.push({ source, path, uses });
    return outcome;
  }

  /**
   * Substitutes every string inside `value` (map keys are left alone). Failed strings are kept
   * as written, reported once, and remembered in `failures`.
   */
  substitute(value: unknown, source: Located, path: DocPath): Outcome & { value?: unknown } {
    let ok = true;
    const walk = (v: unknown, at: DocPath): unknown => {
      if (typeof v === "string") {
        const outcome = this.substituteString(v, source, at);
        if (outcome.ok) return outcome.value;
        ok = false;
        this.failures.push({ source, path: at });
        return v;
      }
      if (Array.isArray(v)) return v.map((item, i) => walk(item, [...at, i]));
      // fromEntries defines own properties, so a key such as __proto__ stays a plain key.
      if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...at, k])]));
      return v;
    };
    const result = walk(value, path);
    return ok ? { ok: true, value: result } : { ok: false, value: result };
  }
}
