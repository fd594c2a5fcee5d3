/**
 * gameday/testing for `require` (package.json's exports: the `require` condition): what index.ts
 * exports, with the peers loaded by require(), synchronously, since a module with a top-level
 * await cannot be require()d. A CommonJS project gets the copies its own require() gets.
 */
import { createRequire } from "node:module";
import { bindPeers, loadPeers } from "./peers.js";

const require = createRequire(import.meta.url);
bindPeers(loadPeers((name) => require(name)));

export * from "./failures.js";
export * from "./arbitraries.js";
export * from "./injector.js";
