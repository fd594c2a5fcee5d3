/**
 * Finds probe modules: a user's own ./probes/<name>.{js,mjs,ts} first (so a team can override a
 * built-in), then the built-in probes shipped in the package's probes/ directory. Both go through
 * the same contract check.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ProbeModule } from "./probe.js";
import { outputProblems } from "../experiment/probe-output.js";

/** probes/ next to src/ in the repository, and next to dist/src/ once compiled. */
export const BUILTIN_PROBES_DIR = fileURLToPath(new URL("../../probes/", import.meta.url));

const EXTENSIONS = [".js", ".mjs", ".ts"];

export class ProbeLoadError extends Error {
  constructor(
    message: string,
    /** The probe is TypeScript and this runtime cannot load TypeScript. */
    readonly typescript = false,
  ) {
    super(message);
    this.name = "ProbeLoadError";
  }
}

function candidates(dir: string, name: string): string[] {
  return EXTENSIONS.map((ext) => join(dir, `${name}${ext}`)).filter((p) => existsSync(p));
}

export function probeDirs(cwd: string): string[] {
  return [join(cwd, "probes"), BUILTIN_PROBES_DIR];
}

export function listProbes(dirs: string[]): string[] {
  const names = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      const m = /^([a-z][a-z0-9-]*)\.(js|mjs|ts)$/.exec(f);
      if (m && !f.endsWith(".d.ts")) names.add(m[1]!);
    }
  }
  return [...names].sort();
}

const cache = new Map<string, Promise<ProbeModule<any>>>();

export async function loadProbe(name: string, dirs: string[]): Promise<ProbeModule<any>> {
  let unloadable: ProbeLoadError | undefined;
  for (const dir of dirs) {
    for (const file of candidates(dir, name)) {
      let p = cache.get(file);
      if (!p) {
        p = importProbe(file, name);
        cache.set(file, p);
      }
      try {
        return await p;
      } catch (err) {
        // A .ts probe under plain Node (no TypeScript loader) cannot load: look further (the
        // package's own probes/ sources are shadowed by their compiled copies), and say why only
        // if nothing else has the probe.
        if (err instanceof ProbeLoadError && err.typescript) {
          unloadable ??= err;
          continue;
        }
        throw err;
      }
    }
  }
  if (unloadable) throw unloadable;
  const known = listProbes(dirs);
  throw new ProbeLoadError(`no probe named "${name}" in ${dirs.join(" or ")}; known probes: ${known.join(", ") || "none"}`);
}

async function importProbe(file: string, name: string): Promise<ProbeModule<any>> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_UNKNOWN_FILE_EXTENSION" && file.endsWith(".ts")) {
      throw new ProbeLoadError(`probe "${name}" (${file}) is TypeScript, which Node cannot load as it is: compile it to .js (or .mjs), or run chaos through tsx`, true);
    }
    const why = err instanceof Error ? err.message : String(err);
    throw new ProbeLoadError(`probe "${name}" (${file}) failed to load: ${why}`);
  }
  const probe = mod.default as Partial<ProbeModule<any>> | undefined;
  const problems: string[] = [];
  if (!probe || typeof probe !== "object") problems.push("its default export is not a probe (use `export default defineProbe({...})`)");
  else {
    if (typeof probe.name !== "string") problems.push("`name` is missing");
    if (typeof probe.run !== "function") problems.push("`run(ctx)` is missing");
    if (!probe.params || typeof (probe.params as { safeParse?: unknown }).safeParse !== "function") problems.push("`params` is not a zod schema");
    if (probe.output !== undefined) problems.push(...outputProblems(probe.output));
  }
  if (problems.length > 0) throw new ProbeLoadError(`probe "${name}" (${file}) does not follow the probe contract: ${problems.join("; ")}`);
  return probe as ProbeModule<any>;
}
