/**
 * gameday.yaml in the working directory: the one reader of the file. Its sections belong to the
 * commands that use them (`aws:` the allow-list, aws-guard.ts; `guardrails:` config.ts;
 * `schedules:` src/schedule/schedules-config.ts), and each is checked only by its own reader, so a
 * mistake in one section does not stop a command that never reads it. Syntax errors and section
 * errors are located: `gameday.yaml:line:col: path: expected ..., found ...` (exit 2).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import type { SourceDocument } from "../experiment/source.js";
import { checkLocated, readLocated } from "../schedule/located.js";

export const CONFIG_FILE = "gameday.yaml";

export interface GamedayFile {
  /** Its absolute path. */
  path: string;
  /** The parsed document with positions; messages name it `gameday.yaml`. */
  source: SourceDocument;
}

/** The file in `cwd`, parsed; undefined when there is none. */
export function readGamedayFile(cwd: string): GamedayFile | undefined {
  const path = join(cwd, CONFIG_FILE);
  if (!existsSync(path)) return undefined;
  return { path, source: readLocated(path, CONFIG_FILE) };
}

/** The section `key` checked against `schema` (every problem located, at once); undefined when absent. */
export function gamedaySection<S extends z.ZodType>(file: GamedayFile | undefined, key: string, schema: S): z.output<S> | undefined {
  const doc = file?.source.value;
  const value = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>)[key] : undefined;
  if (file === undefined || value === undefined) return undefined;
  return checkLocated(file.source, schema, value, [key]);
}
