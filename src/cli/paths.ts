/**
 * Where the package's own files live (experiments/, fixtures/), whether running from src/ under a
 * test runner or from dist/ after the build: walk up to the package.json named "gameday".
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "gameday") return (root = dir);
      } catch {
        // Not ours: keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find gameday's package.json above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function builtinExperimentsDir(): string {
  return join(packageRoot(), "experiments");
}

export function defaultStackFile(): string {
  return join(packageRoot(), "fixtures", "stacks", "default.yaml");
}
