/**
 * Helpers that let the zod schema carry what error messages need: the known keys of each map (for
 * "expected one of ...; did you mean ...?"), how to tell which form of a union the author meant,
 * and hand-written expectations. zod's per-schema `error` option can only return a message, so
 * the message is a key into a registry that `schema-errors.ts` reads back.
 */
import { z } from "zod";
import type { DocPath } from "./model.js";

export interface Problem {
  /** Relative to the union's own position. */
  path?: DocPath;
  expected: string;
  found?: string;
}

/** Which option of a union the input was meant to be, or why it fits none. */
export type Chooser = (input: unknown) => number | Problem | Problem[];

export type Note =
  | { kind: "keys"; keys: readonly string[]; unsupported?: Readonly<Record<string, string>> }
  | { kind: "union"; expected: string; choose?: Chooser }
  | { kind: "expected"; text: string };

/**
 * Parse options for a document parsed once per process (an experiment, a stack file). On its first
 * parse zod compiles a fast path for every object schema with `new Function`, which pays for
 * itself only over many parses of the same schema; for one parse it is most of the cost (parsing
 * the default stack and spot-interrupt.yaml: about 0.02 s of CPU less without it). The result and
 * the issues are the same either way (test/experiment/parse-once.test.ts).
 */
export const PARSED_ONCE = { jitless: true } as const;

const MARK = "\u0000gameday-note:";
const notes = new Map<string, Note>();

function register(note: Note): string {
  const id = `${MARK}${notes.size}`;
  notes.set(id, note);
  return id;
}

/** The note behind an issue message, if the schema left one. */
export function noteOf(message: string | undefined): Note | undefined {
  return message?.startsWith(MARK) ? notes.get(message) : undefined;
}

/** An `error` option whose message is the expectation shown to the user. */
export function expecting(text: string): { error: string } {
  return { error: register({ kind: "expected", text }) };
}

/**
 * A map with exactly these keys. `unsupported` names keys that Chaos Toolkit knows but gameday
 * deliberately does not, with the reason shown instead of "unknown key".
 */
export function strict<S extends z.core.$ZodLooseShape>(shape: S, unsupported?: Readonly<Record<string, string>>) {
  const id = register({ kind: "keys", keys: Object.keys(shape), ...(unsupported ? { unsupported } : {}) });
  return z.strictObject(shape, { error: (issue) => (issue.code === "unrecognized_keys" ? id : undefined) });
}

/** A union that reports the option the author meant (by `choose`), or `expected` when none fits. */
export function oneOf<const T extends readonly [z.core.SomeType, ...z.core.SomeType[]]>(options: T, expected: string, choose?: Chooser) {
  return z.union(options, { error: register({ kind: "union", expected, ...(choose ? { choose } : {}) }) });
}
