/**
 * The `${...}` syntax inside strings: `${name}` (configuration, then secrets), `${env:NAME}`
 * (the environment) and `$${...}` for a literal `${...}`.
 */

export type Piece =
  | { kind: "text"; text: string }
  | { kind: "name"; name: string; raw: string }
  | { kind: "env"; name: string; raw: string }
  | { kind: "invalid"; raw: string };

// `$${` first, so the escape wins over the placeholder it contains.
const PLACEHOLDER = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][\w.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const NAME_RULE = "a name of letters, digits, `_`, `.` and `-`, starting with a letter or `_`";

/** Splits a string into text and placeholders; undefined when it has neither a placeholder nor an escape. */
export function parseTemplate(text: string): Piece[] | undefined {
  if (!text.includes("${")) return undefined;
  const pieces: Piece[] = [];
  let last = 0;
  const pushText = (t: string) => {
    if (t === "") return;
    const prev = pieces[pieces.length - 1];
    if (prev?.kind === "text") prev.text += t;
    else pieces.push({ kind: "text", text: t });
  };
  for (const m of text.matchAll(PLACEHOLDER)) {
    const index = m.index ?? 0;
    pushText(text.slice(last, index));
    last = index + m[0].length;
    if (m[0] === "$${") {
      pushText("${");
      continue;
    }
    const inner = (m[1] ?? "").trim();
    if (inner.startsWith("env:")) {
      const name = inner.slice(4).trim();
      pieces.push(ENV_NAME.test(name) ? { kind: "env", name, raw: m[0] } : { kind: "invalid", raw: m[0] });
    } else {
      pieces.push(NAME.test(inner) ? { kind: "name", name: inner, raw: m[0] } : { kind: "invalid", raw: m[0] });
    }
  }
  pushText(text.slice(last));
  return pieces;
}

/** How a substituted value reads inside a longer string. */
export function interpolate(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
