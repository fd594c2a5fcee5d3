/**
 * fast-check and msw, gameday/testing's peer dependencies: loaded by the entry module (index.ts
 * for `import`, require.ts for `require`) so that a project without one of them is told which to
 * install, rather than given Node's bare ERR_MODULE_NOT_FOUND with a path inside node_modules (a
 * static `import fc from "fast-check"` fails before any code here can run). arbitraries.ts and
 * injector.ts use the bindings below, which the entry sets before anything is exported.
 *
 * Two entries, because no one way of loading suits every loader: `import()` under a top-level
 * await goes through whichever loader runs the tests (Node's, vitest's, jest's ES module registry),
 * so gameday gets the very fast-check and msw the test file imports; but a module graph with a
 * top-level await cannot be require()d (ERR_REQUIRE_ASYNC_MODULE), so the `require` entry loads
 * them with require(), the copies a CommonJS test's own require() gets.
 */
import type * as FastCheck from "fast-check";
import type * as Msw from "msw";

/** The supported ranges: package.json's peerDependencies (a test holds the two equal). */
export const PEER_RANGES = { "fast-check": "^4.0.0", msw: "^2.0.0" } as const;

export type PeerName = keyof typeof PEER_RANGES;

const NAMES = Object.keys(PEER_RANGES) as PeerName[];

/** The message for the peers a project lacks: which to install, and how. */
export function missingPeersMessage(missing: readonly PeerName[]): string {
  const what = missing.length === 1 ? "a peer dependency" : "peer dependencies";
  return `gameday/testing needs ${missing.join(" and ")} (${what}): npm install --save-dev ${missing.map((n) => `${n}@${PEER_RANGES[n]}`).join(" ")}`;
}

/**
 * Whether an error says the package itself is not installed (not a file, or a dependency of its
 * own, missing inside it): import's "Cannot find package 'name' imported from ..."
 * (ERR_MODULE_NOT_FOUND), require's or jest's "Cannot find module 'name' ..." (MODULE_NOT_FOUND).
 */
function notInstalled(err: unknown, name: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e !== "object" || e === null || typeof e.message !== "string") return false;
  if (e.code === "ERR_MODULE_NOT_FOUND") return e.message.startsWith(`Cannot find package '${name}' `);
  if (e.code === "MODULE_NOT_FOUND") return e.message.startsWith(`Cannot find module '${name}'`);
  return false;
}

type Loaded = Partial<Record<PeerName, unknown>>;

/** The peers, or one Error naming every missing one; other errors (a peer installed but broken) are thrown as they are. */
function settle(outcomes: readonly { name: PeerName; module?: unknown; error?: unknown }[]): Loaded {
  const missing: PeerName[] = [];
  const loaded: Loaded = {};
  for (const o of outcomes) {
    if (!("error" in o)) loaded[o.name] = o.module;
    else if (notInstalled(o.error, o.name)) missing.push(o.name);
    else throw o.error;
  }
  // Node's own errors are not its cause: an uncaught error prints its cause's stack too, a screenful that says the message again.
  if (missing.length > 0) throw new Error(missingPeersMessage(missing));
  return loaded;
}

/** Loads the peers with `load` (require), synchronously. */
export function loadPeers(load: (name: PeerName) => unknown): Loaded {
  return settle(
    NAMES.map((name) => {
      try {
        return { name, module: load(name) };
      } catch (error) {
        return { name, error };
      }
    }),
  );
}

/** Loads the peers with `load` (import()). */
export async function importPeers(load: (name: PeerName) => Promise<unknown>): Promise<Loaded> {
  return settle(await Promise.all(NAMES.map((name) => load(name).then((module) => ({ name, module }), (error: unknown) => ({ name, error })))));
}

/** fast-check's default export, as `import fc from "fast-check"` gives it. Set by bindPeers. */
export let fc = undefined as unknown as typeof FastCheck.default;
export let http = undefined as unknown as typeof Msw.http;
export let HttpResponse = undefined as unknown as typeof Msw.HttpResponse;

/** Sets the bindings from the loaded modules: an ES module namespace, or fast-check's CommonJS exports (both have `default`). */
export function bindPeers(loaded: Loaded): void {
  const fastCheck = loaded["fast-check"] as typeof FastCheck;
  const msw = loaded.msw as typeof Msw;
  fc = fastCheck.default;
  http = msw.http;
  HttpResponse = msw.HttpResponse;
}
