/**
 * Typed values from text, as Chaos Toolkit types them: `--var name:int=3` and configuration
 * entries `{type: env, key: PORT, env_var_type: int}`.
 */

export const VALUE_TYPES = ["str", "int", "float", "bool", "json", "bytes"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

const TRUE = new Set(["true", "yes", "on", "1"]);
const FALSE = new Set(["false", "no", "off", "0"]);

export function isValueType(t: string): t is ValueType {
  return (VALUE_TYPES as readonly string[]).includes(t);
}

/** The typed value, or what was expected when the text does not fit the type. */
export function convertText(text: string, type: ValueType): { value: unknown } | { expected: string } {
  switch (type) {
    case "str":
    // JavaScript has no separate bytes type; a string carries the same text.
    case "bytes":
      return { value: text };
    case "int": {
      const n = Number(text.trim());
      return /^[+-]?\d+$/.test(text.trim()) && Number.isSafeInteger(n) ? { value: n } : { expected: "a whole number (int)" };
    }
    case "float": {
      const n = Number(text.trim());
      return text.trim() !== "" && Number.isFinite(n) ? { value: n } : { expected: "a number (float)" };
    }
    case "bool": {
      const t = text.trim().toLowerCase();
      if (TRUE.has(t)) return { value: true };
      if (FALSE.has(t)) return { value: false };
      return { expected: "true or false (also yes/no, on/off, 1/0)" };
    }
    case "json":
      try {
        return { value: JSON.parse(text) };
      } catch (err) {
        return { expected: `JSON (${err instanceof Error ? err.message : String(err)})` };
      }
  }
}
