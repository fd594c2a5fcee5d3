/**
 * Where JSON text first breaks, said in JSON's terms. The `yaml` package reads .json files for
 * their positions, but its syntax errors speak YAML ("flow sequence items", "block collection") and
 * it lets through what JSON does not allow (trailing commas, single quotes); JSON.parse says what
 * broke but, on Node 20, not always where, in words that change between Node versions. Written
 * here rather than taken from jsonc-parser (VS Code's, which gives offsets): its errors are bare
 * codes (CommaExpected, InvalidSymbol) that name neither the property nor the token found.
 */

export interface JsonSyntaxError {
  /** Offset into the text of where it breaks. */
  offset: number;
  expected: string;
  found: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$.-]*/y;

class Broken {
  constructor(readonly error: JsonSyntaxError) {}
}

/** The first syntax error in `text`, or undefined when JSON.parse would accept it. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let at = 0;
  const fail = (expected: string, found = token(text, at), offset = at): never => {
    throw new Broken({ offset, expected: `valid JSON: ${expected}`, found });
  };
  const space = (): void => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const string = (what: string): string => {
    const start = at;
    if (text[at] === "'") fail(`${what} in double quotes`, `${what} in single quotes`);
    if (text[at] !== '"') fail(`${what} in double quotes`);
    at++;
    for (;;) {
      const c = text[at];
      if (c === undefined) fail('a closing `"`', "the end of the file");
      if (c === '"') break;
      if (c === "\n" || c === "\r") fail('a closing `"` before the end of the line (a string cannot span lines: write `\\n`)', "the end of the line");
      if (c! < " ") fail("no control character inside a string (write `\\t` for a tab)", `the control character U+${c!.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`);
      if (c === "\\") {
        const e = text[at + 1];
        if (e === "u" ? !/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6)) : e === undefined || !'"\\/bfnrt'.includes(e)) {
          fail("an escape such as `\\n`, `\\\"`, `\\\\` or `\\u00e9`", `\`${text.slice(at, at + (e === "u" ? 6 : 2)).trimEnd()}\``);
        }
        at += e === "u" ? 6 : 2;
        continue;
      }
      at++;
    }
    at++;
    return text.slice(start + 1, at - 1);
  };
  const value = (after?: string): void => {
    space();
    const c = text[at];
    if (c === "{") return object();
    if (c === "[") return array();
    if (c === '"' || c === "'") return void string("a string");
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      NUMBER.lastIndex = at;
      const m = NUMBER.exec(text);
      if (!m || /^[\d.eE+-]/.test(text.slice(at + m[0].length, at + m[0].length + 1))) fail("a number such as -1, 0.5 or 2e3", `\`${/^[-+\w.]*/.exec(text.slice(at))![0]}\``);
      at += m![0].length;
      return;
    }
    WORD.lastIndex = at;
    const word = WORD.exec(text)?.[0];
    if (word === "true" || word === "false" || word === "null") {
      at += word.length;
      return;
    }
    if (word !== undefined) fail("strings in double quotes", `the unquoted value \`${word}\``);
    fail(after ? `a value ${after}` : "a value");
  };
  const array = (): void => {
    at++;
    space();
    if (text[at] === "]") return void at++;
    for (;;) {
      value("in the array");
      space();
      if (text[at] === "]") return void at++;
      if (text[at] !== ",") fail("`,` or `]` after an array element");
      at++;
      space();
      if (text[at] === "]") fail("a value after `,` (JSON allows no trailing comma)");
    }
  };
  const object = (): void => {
    at++;
    space();
    if (text[at] === "}") return void at++;
    for (;;) {
      space();
      if (text[at] === "}") fail("a property name after `,` (JSON allows no trailing comma)");
      WORD.lastIndex = at;
      const word = WORD.exec(text)?.[0];
      if (word !== undefined) fail("a property name in double quotes", `the unquoted name \`${word}\``);
      const name = string("a property name");
      space();
      if (text[at] !== ":") fail(`\`:\` after the property name \`${name}\``);
      at++;
      value(`for \`${name}\``);
      space();
      if (text[at] === "}") return void at++;
      if (text[at] !== ",") fail(`\`,\` or \`}\` after the value of \`${name}\``);
      at++;
    }
  };
  try {
    value();
    space();
    if (at < text.length) fail("nothing after the document's one value");
    return undefined;
  } catch (err) {
    if (err instanceof Broken) return err.error;
    throw err;
  }
}

/** What stands at `at`, as the reader sees it. */
function token(text: string, at: number): string {
  if (at >= text.length) return "the end of the file";
  if (text.startsWith("//", at) || text.startsWith("/*", at)) return "a comment (JSON has none)";
  if (text[at] === '"') {
    const s = /^"(?:[^"\\\n]|\\.)*"?/.exec(text.slice(at, at + 200))![0];
    return `the string \`${s.length > 30 ? `${s.slice(0, 29)}…` : s}\``;
  }
  WORD.lastIndex = at;
  const word = WORD.exec(text)?.[0];
  return `\`${word ?? text[at]}\``;
}
