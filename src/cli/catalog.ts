/**
 * Experiments by name: ./experiments first (a team's own), then the built-in catalog. A name with
 * a path separator or an extension is taken as a file path.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { parse } from "yaml";
import { builtinExperimentsDir } from "./paths.js";
import { usage } from "./errors.js";
import { suggestion } from "../experiment/describe.js";
import { probeDirs } from "../engine/probe-loader.js";
import { isExperimentPath, type ExperimentCatalog } from "../schedule/experiment-references.js";
import type { PreCheckContext } from "../schedule/chaos-precheck-args.js";

const EXTENSIONS = [".yaml", ".yml", ".json"];

export function catalogDirs(cwd: string): string[] {
  return [join(cwd, "experiments"), builtinExperimentsDir()];
}

export function resolveExperiment(nameOrPath: string, cwd: string): string {
  if (isExperimentPath(nameOrPath)) {
    const file = resolve(cwd, nameOrPath);
    if (!existsSync(file)) throw usage(`${nameOrPath}: no such file`);
    return file;
  }
  const file = findInCatalog(nameOrPath, cwd);
  if (file !== undefined) return file;
  const known = listExperiments(cwd).map((e) => e.name);
  throw usage(`no experiment named "${nameOrPath}" in ./experiments or the built-in catalog${suggestion(nameOrPath, known)}; known: ${known.join(", ") || "none"}`);
}

/** The file of the experiment named `name` in ./experiments, else the built-in catalog; undefined when neither has it. */
export function findInCatalog(name: string, cwd: string): string | undefined {
  for (const dir of catalogDirs(cwd)) {
    for (const ext of EXTENSIONS) {
      const file = join(dir, `${name}${ext}`);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/** The catalog as seen from `cwd`, for the checks of runbooks and suites (src/schedule/experiment-references.ts). */
export function experimentCatalog(cwd: string): ExperimentCatalog {
  return { find: (name) => findInCatalog(name, cwd), names: () => listExperiments(cwd).map((e) => e.name), probeDirs: probeDirs(cwd) };
}

/** How a runbook's `chaos:` pre-checks find experiments when chaos gameday runs them in `cwd` (src/schedule/chaos-precheck-args.ts). */
export function preCheckContext(cwd: string): PreCheckContext {
  return {
    cwd,
    catalogAt: experimentCatalog,
    // As chaos explore finds a space by name (explore-command.ts).
    spaceAt: (dir, name) => catalogDirs(dir).map((d) => join(d, "spaces", `${name}.yaml`)).find((f) => existsSync(f)),
  };
}

export interface CatalogEntry {
  name: string;
  title: string;
  file: string;
  source: "local" | "built-in";
  tags: string[];
}

export function listExperiments(cwd: string): CatalogEntry[] {
  const seen = new Map<string, CatalogEntry>();
  catalogDirs(cwd).forEach((dir, i) => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).sort()) {
      const ext = extname(f);
      if (!EXTENSIONS.includes(ext)) continue;
      const name = basename(f, ext);
      if (seen.has(name)) continue;
      const file = join(dir, f);
      let title = "(unreadable)";
      let tags: string[] = [];
      try {
        const doc = parse(readFileSync(file, "utf8")) as { title?: unknown; tags?: unknown };
        if (typeof doc?.title === "string") title = doc.title;
        if (Array.isArray(doc?.tags)) tags = doc.tags.map(String);
      } catch {
        // Listed anyway: `chaos validate` gives the details.
      }
      seen.set(name, { name, title, file, source: i === 0 ? "local" : "built-in", tags });
    }
  });
  return [...seen.values()];
}
