/**
 * Where a substituted value came from, for error messages: a problem with
 * `durationBeforeInterruption: "${notice}"` is the value's, and the value was set elsewhere
 * (`--var notice=PT1M`, a var file, the configuration block), so the message names that place too.
 */
import type { DocPath } from "./model.js";
import { isUnder } from "./problems.js";
import { nearestPosition, type Located } from "./source.js";
import type { Binding, Origin } from "./variables.js";

/**
 * For `source`: the origin of the value at a path, from the innermost substitution at or above it;
 * under `configuration.NAME`, the entry given from outside the file (--var, a var file) that won.
 */
export function originReader(
  origins: readonly Origin[],
  source: Located,
  configuration: ReadonlyMap<string, Binding>,
  /** Environment variables a .env var file set (it wins over the process's), and where. */
  envAt: ReadonlyMap<string, string>,
): (path: DocPath) => string | undefined {
  const own = origins.filter((o) => o.source === source);
  return (path) => {
    const entry = path[0] === "configuration" && typeof path[1] === "string" ? configuration.get(path[1]) : undefined;
    if (entry && entry.source !== source) return setWhere(entry, source);
    let best: Origin | undefined;
    for (const o of own) if (isUnder(path, [o.path]) && (!best || o.path.length > best.path.length)) best = o;
    if (!best) return undefined;
    return `from ${best.uses.map((use) => `${use.raw}, ${use.env !== undefined ? envWhere(use.env, envAt) : setWhere(use.binding, source)}`).join(", and ")}`;
  };
}

function envWhere(name: string, envAt: ReadonlyMap<string, string>): string {
  const at = envAt.get(name);
  return at ? `set at ${at}` : "set in the environment";
}

function setWhere(binding: Origin["uses"][number]["binding"], reportedIn: Located): string {
  if (!binding) return "set in the environment";
  if (binding.source.file === "--var") return `set by --var ${binding.name}`;
  const at = nearestPosition(binding.source, binding.path);
  if (binding.source.file === reportedIn.file) return at ? `set at line ${at.line}` : `set in ${binding.source.file}`;
  return at ? `set at ${binding.source.file}:${at.line}:${at.column}` : `set in ${binding.source.file}`;
}
