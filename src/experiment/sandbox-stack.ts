/**
 * The sandbox stack an experiment is written for. Chaos Toolkit keeps vendor data in
 * `extensions`, so gameday reads its own entry there and the file stays a valid Chaos Toolkit
 * experiment:
 *
 *   extensions:
 *     - name: gameday
 *       stack: ../fixtures/stacks/fargate-spot.yaml   # relative to the experiment file
 *
 * Only the embedded sandbox uses it, and only when `--stack` is not given: a served sandbox or an
 * AWS account runs whatever stack is deployed there. Without it, `chaos run` of an experiment
 * whose services exist only on its own stack would resolve nothing and stop with exit 4.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InvalidInputError, type LoadedExperiment } from "./model.js";

export interface ExperimentStack {
  /** As written in the file, for the journal and the timeline. */
  named: string;
  /** Absolute path. */
  file: string;
}

export function experimentStack(loaded: Pick<LoadedExperiment, "file" | "raw" | "positionOf">): ExperimentStack | undefined {
  const extensions = (loaded.raw as { extensions?: unknown } | null)?.extensions;
  if (!Array.isArray(extensions)) return undefined;
  const index = extensions.findIndex((e) => (e as { name?: unknown } | null)?.name === "gameday");
  if (index < 0) return undefined;
  const entry = extensions[index] as Record<string, unknown>;
  if (entry.stack === undefined) return undefined;
  const where = ["extensions", index, "stack"] as const;
  const fail = (expected: string, found: string): never => {
    const position = loaded.positionOf(where);
    throw new InvalidInputError([{ file: loaded.file, ...(position ? { position } : {}), path: `extensions[${index}].stack`, expected, found }]);
  };
  if (typeof entry.stack !== "string" || entry.stack.trim() === "") return fail("a stack file, relative to the experiment file", JSON.stringify(entry.stack));
  const file = resolve(dirname(loaded.file), entry.stack);
  if (!existsSync(file)) return fail("a stack file, relative to the experiment file", `${entry.stack} (no such file: ${file})`);
  return { named: entry.stack, file };
}

/** The experiment as authored, less gameday's `stack` (for files written away from the original). */
export function withoutExperimentStack<T extends Record<string, unknown>>(raw: T): T {
  const extensions = raw.extensions;
  if (!Array.isArray(extensions)) return raw;
  const kept = extensions
    .map((e) => ((e as { name?: unknown } | null)?.name === "gameday" ? (({ stack: _stack, ...rest }) => rest)(e as Record<string, unknown>) : e))
    .filter((e) => !((e as { name?: unknown }).name === "gameday" && Object.keys(e as object).length === 1));
  const { extensions: _all, ...rest } = raw;
  return (kept.length > 0 ? { ...rest, extensions: kept } : rest) as T;
}
