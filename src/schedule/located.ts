/**
 * Reads a YAML/JSON file and checks it against a zod schema, reporting every problem with its
 * file:line:column, path, what was expected and what was found: the experiment loader's machinery,
 * shared by runbooks and the schedules in gameday.yaml.
 */
import { readFileSync } from "node:fs";
import type { z } from "zod";
import { InvalidInputError, type DocPath } from "../experiment/model.js";
import { Problems } from "../experiment/problems.js";
import { IssueReporter } from "../experiment/schema-errors.js";
import { readSource, type SourceDocument } from "../experiment/source.js";
import { unreadableFile } from "../report/fs-problem.js";

export interface LocatedValue<T> {
  value: T;
  source: SourceDocument;
}

/** Reads `file`; throws InvalidInputError naming the file when it cannot be read at all. */
export function readLocated(file: string, shown = file): SourceDocument {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InvalidInputError([{ file: shown, path: "(document)", expected: "a readable YAML or JSON file", found: unreadableFile(err, file) }]);
  }
  const source = readSource(text, shown);
  if (source.errors.length > 0) throw new InvalidInputError(source.errors);
  return source;
}

/** Checks the value at `base` in `source` against `schema`; every problem is thrown at once. */
export function checkLocated<S extends z.ZodType>(source: SourceDocument, schema: S, value: unknown, base: DocPath = []): z.output<S> {
  const problems = new Problems();
  const parsed = collectLocated(source, schema, value, problems, base);
  return parsed.ok ? parsed.value : problems.raise();
}

/**
 * Checks as checkLocated does, but adds the problems to `problems` instead of throwing them, so
 * that later checks (what the file refers to) are reported in the same round.
 */
export function collectLocated<S extends z.ZodType>(source: SourceDocument, schema: S, value: unknown, problems: Problems, base: DocPath = []): { ok: true; value: z.output<S> } | { ok: false } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  new IssueReporter(source, problems, [], schema).report(parsed.error.issues, value, base);
  return { ok: false };
}
