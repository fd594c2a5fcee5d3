import { createRequire } from "node:module";
import { processCodeCache } from "./code-cache.js";

/**
 * Loads an AWS SDK package with require rather than import. The SDK ships CommonJS; on Node 20
 * an `import` of it sends every one of its files (about 190 for a run) through the ES module
 * loader, which first compiles each to detect its syntax and then scans it for export names:
 * measured, that doubled the CPU time of loading the clients a run uses (about 0.8 s -> 0.36 s on
 * this project's machine). require loads the same objects without either step, and the files it
 * compiles go through the V8 code cache (code-cache.ts).
 */
const require = createRequire(import.meta.url);

export function loadSdk<T>(name: string): T {
  const cache = processCodeCache();
  return (cache ? cache.around(() => require(name)) : require(name)) as T;
}
