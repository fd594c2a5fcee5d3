/**
 * fast-check and msw, gameday/testing's peer dependencies, loaded so that a project without one of
 * them is told which to install, rather than given Node's bare ERR_MODULE_NOT_FOUND with a path
 * inside node_modules (a static `import fc from "fast-check"` fails before any code here can run).
 *
 * They are loaded synchronously, not with a top-level await of import(): a module graph with a
 * top-level await cannot be require()d (ERR_REQUIRE_ASYNC_MODULE), and `require("gameday/testing")`
 * works on Node 20.19+. import.meta.resolve finds each package as `import` would (the user's own
 * copy, its ES module build), and require() of that ES module file gives the very instance an
 * `import` gives: arbitraries and handlers the user's fast-check and msw accept.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as FastCheck from "fast-check";
import type * as Msw from "msw";

/** The supported ranges: package.json's peerDependencies (a test holds the two equal). */
export const PEER_RANGES = { "fast-check": "^4.0.0", msw: "^2.0.0" } as const;

export type PeerName = keyof typeof PEER_RANGES;

/** The message for the peers a project lacks: which to install, and how. */
export function missingPeersMessage(missing: readonly PeerName[]): string {
  const names = missing.join(" and ");
  const what = missing.length === 1 ? "a peer dependency" : "peer dependencies";
  return `gameday/testing needs ${names} (${what}): npm install --save-dev ${missing.map((n) => `${n}@${PEER_RANGES[n]}`).join(" ")}`;
}

/** Whether an error is Node's "Cannot find package 'name'": that package itself is not installed (not a file missing inside it). */
function notInstalled(err: unknown, name: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return typeof e === "object" && e !== null && e.code === "ERR_MODULE_NOT_FOUND" && typeof e.message === "string" && e.message.includes(`'${name}'`);
}

/**
 * Loads each peer with `load(resolve(name))`; a peer that is not installed is named, with every
 * other missing one, in one Error. Node's own errors are not its cause: an uncaught error prints its
 * cause's stack too, a screenful that says again what the message says. Other errors (a peer that
 * is installed but broken) are thrown as they are. `resolve` and `load` are parameters for the tests.
 */
export function loadPeers(resolve: (name: string) => string, load: (url: string) => unknown): { fc: typeof FastCheck; msw: typeof Msw } {
  const loaded: Partial<Record<PeerName, unknown>> = {};
  const missing: PeerName[] = [];
  for (const name of Object.keys(PEER_RANGES) as PeerName[]) {
    try {
      loaded[name] = load(resolve(name));
    } catch (err) {
      if (!notInstalled(err, name)) throw err;
      missing.push(name);
    }
  }
  if (missing.length > 0) throw new Error(missingPeersMessage(missing));
  return { fc: loaded["fast-check"] as typeof FastCheck, msw: loaded.msw as typeof Msw };
}

const require = createRequire(import.meta.url);
const peers = loadPeers(
  (name) => import.meta.resolve(name),
  (url) => require(url.startsWith("file:") ? fileURLToPath(url) : url),
);

/** fast-check's default export, as `import fc from "fast-check"` gives it. */
export const fc: typeof FastCheck.default = peers.fc.default;
export const http: typeof Msw.http = peers.msw.http;
export const HttpResponse: typeof Msw.HttpResponse = peers.msw.HttpResponse;
