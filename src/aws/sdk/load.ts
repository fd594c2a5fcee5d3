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

/**
 * The same package, loaded on first use instead of when the wrapper module is imported. Importing
 * a fault, a probe or the engine then costs nothing of the SDK: `chaos validate` and `chaos
 * describe` load no client at all, and `chaos run` only the packages whose commands it sends
 * (evaluating a client package is the costly part: the EC2 client alone is about 0.1 s of CPU).
 *
 * Each export read from the result (the wrappers destructure the ones they use) is a stand-in that
 * loads the package when it is first constructed, called or read from: `new XCommand(input)` and
 * `new XClient(config)` return the SDK's own instances (so `instanceof`, the SDK's per-class
 * middleware cache and a subclass's `super()` behave as with the real class), a paginator call
 * runs the real paginator, and `X.prototype` or any static member is the real class's. Loading is
 * synchronous (require), so it never lets virtual time pass.
 */
export function lazySdk<T extends object>(name: string, load: (name: string) => unknown = loadSdk): T {
  let pkg: Record<string, unknown> | undefined;
  const real = (member: string): Function => {
    pkg ??= load(name) as Record<string, unknown>;
    const value = pkg[member];
    if (typeof value !== "function") throw new TypeError(`${name} has no class or function named ${member}`);
    return value;
  };
  const standIns = new Map<string, Function>();
  const standIn = (member: string): Function => {
    const made = standIns.get(member);
    if (made) return made;
    // A function target, so that the stand-in can be constructed and called like the real export.
    const proxy: Function = new Proxy(function () {}, {
      construct: (_target, args, newTarget) => Reflect.construct(real(member), args, newTarget === proxy ? real(member) : newTarget),
      apply: (_target, thisArg, args) => Reflect.apply(real(member), thisArg, args),
      get: (_target, key) => (key === "name" && pkg === undefined ? member : Reflect.get(real(member), key)),
      has: (_target, key) => Reflect.has(real(member), key),
    });
    standIns.set(member, proxy);
    return proxy;
  };
  return new Proxy({} as T, { get: (_target, member) => (typeof member === "string" ? standIn(member) : undefined) });
}
