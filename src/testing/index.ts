/**
 * gameday/testing: property-test your own AWS code against the failures AWS really produces.
 * fast-check arbitraries of failure sequences, and an msw handler that applies them to any AWS SDK
 * v3 client's requests. Needs fast-check and msw in your dev dependencies. See docs/testing.md.
 *
 * The entry for `import`: the peers are imported here, under a top-level await, so that a missing
 * one is named (peers.ts) and they come from the loader that runs the tests. require.ts is the
 * entry for `require`, which cannot load a module with a top-level await.
 */
import { bindPeers, importPeers } from "./peers.js";

bindPeers(await importPeers((name) => import(name)));

export * from "./failures.js";
export * from "./arbitraries.js";
export * from "./injector.js";
