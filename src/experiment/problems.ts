/**
 * Collects every problem found in the input, each with its file, position and path, so that a
 * user fixes them all in one round instead of one per run.
 */
import { formatPath, InvalidInputError, type DocPath, type InputError, type LoadedExperiment } from "./model.js";
import { nearestPosition, type Located } from "./source.js";

/** Whether `path` is one of `prefixes` or lies below one of them. */
export function isUnder(path: DocPath, prefixes: readonly DocPath[]): boolean {
  return prefixes.some((q) => q.length <= path.length && q.every((part, i) => part === path[i]));
}

// Shorter values would blank out ordinary words and numbers without protecting anything.
const MIN_REDACTED = 3;

export class Problems {
  readonly errors: InputError[] = [];
  private secrets: string[] = [];

  /** Secret values never appear in messages: a secret in the wrong place is shown as ***. */
  redact(values: readonly string[]): void {
    this.secrets = [...new Set(values)].filter((v) => v.length >= MIN_REDACTED).sort((a, b) => b.length - a.length);
  }

  private hide(text: string): string {
    return this.secrets.reduce((t, secret) => t.split(secret).join("***"), text);
  }

  /** Records a problem at `path` in `source`; `key` points at the key itself (for unknown keys). */
  add(source: Located, path: DocPath, expected: string, found: string, key = false): void {
    const position = nearestPosition(source, path, key);
    // An unknown key is written in the file; only a map that came through ${...} has an origin for it.
    const origin = source.originOf?.(key ? path.slice(0, -1) : path);
    this.errors.push({ file: source.file, ...(position ? { position } : {}), path: formatPath(path), expected, found: origin ? `${found} (${origin})` : found });
  }

  addAll(errors: readonly InputError[]): void {
    this.errors.push(...errors);
  }

  get any(): boolean {
    return this.errors.length > 0;
  }

  /** Throws every problem found; for paths that cannot go on. `partial` is what could still be built. */
  raise(partial?: LoadedExperiment): never {
    this.throwIfAny(partial);
    throw new InvalidInputError([{ file: "(unknown)", path: "(document)", expected: "a problem to report", found: "none (a gameday bug)" }]);
  }

  /** Throws every problem at once, in file order; duplicates are reported once. */
  throwIfAny(partial?: LoadedExperiment): void {
    const error = this.toError(partial);
    if (error) throw error;
  }

  /** Every problem in one error, in file order, duplicates once; undefined when there is none. */
  toError(partial?: LoadedExperiment): InvalidInputError | undefined {
    if (!this.any) return undefined;
    const seen = new Set<string>();
    const redacted = this.errors.map((e) => ({ ...e, expected: this.hide(e.expected), found: this.hide(e.found) }));
    const unique = redacted.filter((e) => {
      const id = JSON.stringify([e.file, e.position, e.path, e.expected, e.found]);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    const order = (e: InputError) => [e.position?.line ?? Number.MAX_SAFE_INTEGER, e.position?.column ?? 0] as const;
    // Files keep the order they were first reported in; within a file, errors go top to bottom.
    const files = [...new Set(unique.map((e) => e.file))];
    unique.sort((a, b) => {
      const byFile = files.indexOf(a.file) - files.indexOf(b.file);
      if (byFile !== 0) return byFile;
      const [la, ca] = order(a);
      const [lb, cb] = order(b);
      return la - lb || ca - cb;
    });
    return new InvalidInputError(unique, partial);
  }
}
