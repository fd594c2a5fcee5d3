#!/usr/bin/env node
// Builds the CLI's V8 startup snapshot into dist/snapshot/ (after tsc has built dist/):
//
//   chaos.cjs    the CLI bundled into one CommonJS script (Node 20's --build-snapshot loads one
//                script and no user-land modules: everything it runs must be inside it)
//   chaos.blob   the snapshot: that script evaluated, with the modules and AWS SDK clients a run uses
//   stamp        which node built it and for which dist directory; bin/chaos starts the blob only
//                when both still match, and otherwise runs dist/src/cli/main.js as before
//
//   node scripts/snapshot/build.mjs            (npm run build and prepare run it)
//
// Node's own snapshot support does the work; esbuild (already used by tsx) makes the one script.
// What this file adds is what the bundle needs to behave as dist/ does (see the plugin below).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const builtin = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIST = join(ROOT, "dist");
const OUT = join(DIST, "snapshot");

/**
 * AWS SDK packages the CLI requires by name (src/aws/sdk/*.ts, and the few other createRequire
 * sites): all are bundled so that none is ever loaded twice, but only the WARM ones are evaluated
 * into the snapshot. A spot-interrupt, task-kill or kinesis-outage run loads exactly these (the
 * others, Lambda, EFS, EventBridge, ELBv2 and STS, serve other experiments and real AWS); each
 * warm client costs the snapshot's memory whether or not a run uses it.
 */
const WARM_SDK = [
  "@aws-sdk/client-auto-scaling",
  "@aws-sdk/client-cloudwatch",
  "@aws-sdk/client-ec2",
  "@aws-sdk/client-ecs",
  "@aws-sdk/client-fis",
  "@aws-sdk/client-iam",
  "@aws-sdk/client-kinesis",
  "@aws-sdk/client-sns",
  "@smithy/node-http-handler",
];
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const SDK = Object.keys(PKG.dependencies).filter((n) => /^@aws-sdk\/client-|^@smithy\/node-http-handler$/.test(n));
// The @smithy/core parts src/aws/in-process-serde.ts requires (the copy the clients use, found from
// client-kinesis, which is the hoisted one the bundled clients share).
const SDK_FILES = ["@aws-sdk/client-fis/package.json", "@smithy/core/transport", "@smithy/core/endpoints", "@smithy/core/schema"];

/**
 * dist modules evaluated while the snapshot is built, besides main.js: what `chaos run` imports on
 * its way to a sandbox run (the rest is bundled and evaluated on first import, as before).
 */
const WARM_MODULES = [
  "src/cli/run-command.js",
  "src/cli/target.js",
  "src/cli/sandbox-compose.js",
  "src/sandbox/stack/load.js",
  "src/engine/run.js",
  "src/cli/render.js",
  "src/aws/clients.js",
  "src/faults/index.js",
];

/** What the builder runs before it takes the snapshot (src/cli/snapshot-warmup.ts): the README's main job. */
const WARM_UP_EXPERIMENT = "spot-interrupt";

/** The builder's exit code when the warm-up run failed (nothing written). */
const WARM_UP_FAILED = 3;

/** Built-in probes, which the probe loader imports by file URL: served from the bundle. */
const PROBES = readdirSync(join(DIST, "probes")).filter((f) => f.endsWith(".js"));

const entry = `
import { setSnapshotMain } from ${JSON.stringify(join(DIST, "src/cli/snapshot-main.js"))};
import "gameday-snapshot:warm";
${WARM_MODULES.map((m) => `import ${JSON.stringify(join(DIST, m))};`).join("\n")}
import { warmUp } from ${JSON.stringify(join(DIST, "src/cli/snapshot-warmup.js"))};
import { startupSnapshot } from "node:v8";
setSnapshotMain();
// One run before the snapshot is taken, so that it holds the bytecode a run executes (see
// src/cli/snapshot-warmup.ts). A failed warm-up ends the builder before it writes anything (exit
// ${WARM_UP_FAILED}); buildSnapshot() then builds the snapshot without it.
if (process.env.GAMEDAY_SNAPSHOT_WARMUP) {
  let warmed = false;
  warmUp(process.env.GAMEDAY_SNAPSHOT_WARMUP).then(
    () => void (warmed = true),
    (err) => {
      process.stderr.write(\`\${err instanceof Error ? err.message : String(err)}\\n\`);
      process.exit(${WARM_UP_FAILED});
    },
  );
  startupSnapshot.addSerializeCallback(() => {
    if (warmed) return;
    process.stderr.write("the run had not finished when the snapshot was taken\\n");
    process.exit(${WARM_UP_FAILED});
  });
}
`;

/**
 * Node modules the bundle gets as stand-ins that load the real module when first used, at run time.
 * Node 20's builder cannot load http, https and http2 (node-http-handler loads them as it loads,
 * for real AWS only). worker_threads, perf_hooks, readline and vm load, but keep process state that a
 * snapshot does not carry over: a worker started from a snapshot process whose worker_threads was
 * loaded in the builder fails at its first process.cwd() (its shared cwd counter is gone).
 */
const LAZY_BUILTINS = ["http", "https", "http2", "worker_threads", "perf_hooks", "readline", "vm"];

/** Code every bundled module can reach: where dist is, and dynamic import by URL. */
const banner = `
var __gamedayBuildDist = ${JSON.stringify(DIST + sep)};
function __gamedayModuleUrl(rel) {
  const root = globalThis[Symbol.for("gameday.snapshot.distRoot")] ?? require("url").pathToFileURL(__gamedayBuildDist).href;
  return new URL(rel, root).href;
}
`;

/**
 * What the bundle needs to behave as dist/ does:
 * - import.meta.url: each module's own URL under the dist directory the blob is started from,
 *   computed when read (src/cli/snapshot-main.ts sets the directory), not the build's path.
 * - import(url) of a computed URL (the probe loader): the built-in probes come from the bundle,
 *   anything else (a user's probe) from Node's ES module loader, which a snapshot's script has no
 *   callback for: vm's USE_MAIN_CONTEXT_DEFAULT_LOADER gives it one.
 * - createRequire(...)(name) of the AWS SDK: the bundled package; any other name through Node's
 *   require at run time (the builder can load no user-land CommonJS).
 * - LAZY_BUILTINS: stand-ins that load the real module on first use (see there).
 */
const gameday = {
  name: "gameday-snapshot",
  setup(b) {
    b.onResolve({ filter: /^gameday-snapshot:/ }, (a) => ({ path: a.path, namespace: "gameday-snapshot" }));
    b.onLoad({ filter: /^gameday-snapshot:warm$/, namespace: "gameday-snapshot" }, () => ({
      resolveDir: ROOT,
      loader: "js",
      contents: `const { sdk } = require("gameday-snapshot:sdk"); for (const name of ${JSON.stringify(WARM_SDK)}) sdk[name]();`,
    }));
    b.onLoad({ filter: /^gameday-snapshot:sdk$/, namespace: "gameday-snapshot" }, () => ({
      resolveDir: ROOT,
      loader: "js",
      contents: `exports.sdk = {\n${[...SDK, ...SDK_FILES].map((n) => `  ${JSON.stringify(n)}: () => require(${JSON.stringify(n)}),`).join("\n")}\n};`,
    }));
    b.onLoad({ filter: /^gameday-snapshot:probes$/, namespace: "gameday-snapshot" }, () => ({
      resolveDir: ROOT,
      loader: "js",
      contents: `exports.probes = {\n${PROBES.map((f) => `  ${JSON.stringify(`probes/${f}`)}: () => import(${JSON.stringify(join(DIST, "probes", f))}),`).join("\n")}\n};`,
    }));
    b.onLoad({ filter: /^gameday-snapshot:import$/, namespace: "gameday-snapshot" }, () => ({
      resolveDir: ROOT,
      loader: "js",
      contents: `
const { probes } = require("gameday-snapshot:probes");
let viaLoader;
/**
 * Node's own dynamic import, for a script that has none. Node warns that the constant is
 * experimental when import() first runs through it (not when the script is made), so the warning,
 * about an API this file pins and no concern of the user's, is held back around the call.
 */
function loaderImport(url) {
  if (!viaLoader) {
    const vm = require("node:vm");
    viaLoader = new vm.Script("(url) => import(url)", { filename: "gameday-snapshot-import", importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }).runInThisContext();
  }
  const emit = process.emitWarning;
  process.emitWarning = (w, ...rest) => (String(w).includes("USE_MAIN_CONTEXT_DEFAULT_LOADER") ? undefined : emit.call(process, w, ...rest));
  try {
    return viaLoader(url);
  } finally {
    process.emitWarning = emit;
  }
}
exports.dynamicImport = (url) => {
  const root = __gamedayModuleUrl("");
  const href = String(url);
  const bundled = href.startsWith(root) ? probes[href.slice(root.length)] : undefined;
  return bundled ? bundled() : loaderImport(href);
};`,
    }));
    b.onLoad({ filter: /^gameday-snapshot:module$/, namespace: "gameday-snapshot" }, () => ({
      resolveDir: ROOT,
      loader: "js",
      // node:module itself is loaded on first use, as LAZY_BUILTINS are.
      contents: `
const { sdk } = require("gameday-snapshot:sdk");
const resolvedAtBuild = ${JSON.stringify(Object.fromEntries([...SDK, ...SDK_FILES].map((n) => [n, builtin.resolve(n)])))};
let m;
const real = () => (m ??= require("node:module"));
function createRequire(from) {
  let own;
  const node = () => (own ??= real().createRequire(from));
  const req = (name) => (Object.hasOwn(sdk, name) ? sdk[name]() : node()(name));
  // A path, as Node's resolve gives it: a require made from it serves bundled names as above. A
  // bundled name's path is the one it had at build time (bin/chaos starts the snapshot only for the
  // dist directory it was built for), so resolving one does not load node:module, which Node warns
  // may not survive a snapshot (the warm-up run resolves @aws-sdk/client-kinesis).
  req.resolve = (name, options) => (options === undefined && Object.hasOwn(resolvedAtBuild, name) ? resolvedAtBuild[name] : node().resolve(name, options));
  return req;
}
for (const name of ${JSON.stringify(Object.getOwnPropertyNames(builtin("node:module")).filter((n) => n !== "default" && n !== "createRequire"))}) {
  Object.defineProperty(exports, name, { enumerable: true, get: () => real()[name], set: (v) => void (real()[name] = v) });
}
exports.createRequire = createRequire;`,
    }));
    b.onResolve({ filter: /^(node:)?module$/ }, (a) => (a.importer.startsWith(DIST) ? { path: "gameday-snapshot:module", namespace: "gameday-snapshot" } : undefined));
    // The stand-in's own require of the real module is left to Node.
    b.onResolve({ filter: new RegExp(`^(node:)?(${LAZY_BUILTINS.join("|")})$`) }, (a) =>
      a.namespace === "gameday-lazy-builtin" ? { path: a.path, external: true } : { path: a.path.replace(/^node:/, ""), namespace: "gameday-lazy-builtin" },
    );
    b.onLoad({ filter: /.*/, namespace: "gameday-lazy-builtin" }, (a) => ({
      loader: "js",
      // One getter per export (its names read from the module here), so that an ES module's named
      // import of it stays lazy too. http2.constants is destructured as node-http-handler loads:
      // a stand-in of its own that reads the real constants when one is used.
      contents: `let m; const get = () => (m ??= require("node:${a.path}"));
for (const name of ${JSON.stringify(Object.getOwnPropertyNames(builtin(a.path)).filter((n) => n !== "default"))}) {
  Object.defineProperty(exports, name, {
    enumerable: true,
    get: ${JSON.stringify(a.path)} === "http2" && name === "constants" ? () => new Proxy({}, { get: (_, c) => get().constants[c] }) : () => get()[name],
    set: (v) => void (get()[name] = v),
  });
}`,
    }));
    b.onLoad({ filter: /\.js$/ }, (a) => {
      if (!a.path.startsWith(DIST)) return undefined;
      const rel = relative(DIST, a.path).split(sep).join("/");
      // The code cache serves CommonJS files Node compiles, and the bundle's are compiled into the
      // snapshot: none. Its CodeCache, made where the snapshot is built (the warm-up run loads SDK
      // clients), would carry the builder's home directory and exit hook into every process.
      if (rel === "src/aws/sdk/code-cache.js") return { contents: "export function processCodeCache() { return undefined; }\n", loader: "js" };
      let s = readFileSync(a.path, "utf8").replaceAll("import.meta.url", `__gamedayModuleUrl(${JSON.stringify(rel)})`);
      // A computed dynamic import (a literal one is bundled by esbuild).
      if (/\bimport\((?!["'])/.test(s)) s = `import { dynamicImport as __gamedayImport } from "gameday-snapshot:import";\n${s.replace(/\bimport\((?!["'])/g, "__gamedayImport(")}`;
      return { contents: s, loader: "js" };
    });
  },
};

/** Identifies the node that builds the blob, the way bin/chaos can check it without starting node. */
function nodeIdentity(execPath) {
  const st = statSync(execPath);
  return `${execPath}:${st.size}:${Math.floor(st.mtimeMs / 1000)}`;
}

/** Every file in `dir`, recursively, with the given ending. */
function filesUnder(dir, ending) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(ending))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

/**
 * What the snapshot is made of: the compiled CLI, the installed packages (the lock), this script
 * and the node that builds it. The same inputs make the same snapshot, so the build is skipped
 * (vitest's setup builds before every run of the suite; tsc rewrites dist/ each time).
 */
function inputsHash(execPath) {
  const hash = createHash("sha256").update(nodeIdentity(execPath)).update(DIST);
  for (const f of [...filesUnder(join(DIST, "src"), ".js"), ...filesUnder(join(DIST, "probes"), ".js"), join(ROOT, "package-lock.json"), fileURLToPath(import.meta.url)]) {
    hash.update(f).update(existsSync(f) ? readFileSync(f) : "");
  }
  return hash.digest("hex");
}

/**
 * Builds the snapshot unless the one in `out` (dist/snapshot/) has the same inputs; says which.
 * `warmUp`: the catalog experiment run before the snapshot is taken (src/cli/snapshot-warmup.ts);
 * when it fails, the snapshot is built without it.
 */
export async function buildSnapshot({ out = OUT, warmUp = WARM_UP_EXPERIMENT } = {}) {
  // The real path: bin/chaos resolves `node` the same way.
  const execPath = spawnSync("readlink", ["-f", process.execPath], { encoding: "utf8" }).stdout?.trim() || process.execPath;
  const inputs = inputsHash(execPath);
  const stampFile = join(out, "stamp");
  if (existsSync(stampFile) && existsSync(join(out, "chaos.blob")) && readFileSync(stampFile, "utf8").split("\n")[2] === inputs) {
    // Written again, to be newer than dist/: bin/chaos takes dist/ files newer than the stamp for
    // code compiled after the snapshot.
    writeFileSync(stampFile, readFileSync(stampFile));
    return "unchanged";
  }
  const { build } = await import("esbuild");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const bundle = join(out, "chaos.cjs");
  await build({
    stdin: { contents: entry, resolveDir: ROOT, loader: "js", sourcefile: "gameday-snapshot-entry.js" },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: bundle,
    logLevel: "error",
    banner: { js: banner },
    // Whitespace and syntax only (names stay, so Function.name and class names are as in dist/):
    // the bundle's source lives in the snapshot, and this makes it 30% smaller (9.8 -> 7 MB).
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [gameday],
  });
  // V8 keeps a script's source as one byte a character only if every character fits in one: a single
  // non-Latin-1 character anywhere (esbuild leaves them in regular expression literals, such as
  // the tolerance parser's ≥) doubles the bundle's 7 MB in the snapshot and in every process.
  // \uXXXX means the same character in strings, templates, regular expressions and identifiers.
  const source = readFileSync(bundle, "utf8");
  writeFileSync(bundle, source.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  const blob = join(out, "chaos.blob");
  const tmp = `${blob}.tmp`;
  /** @param {boolean} warm */
  const snapshot = (warm) =>
    spawnSync(process.execPath, ["--snapshot-blob", tmp, "--build-snapshot", bundle], {
      cwd: out,
      // No NODE_OPTIONS: node refuses a snapshot under V8 flags other than its build's (exit 14), and
      // bin/chaos starts it only when NODE_OPTIONS leaves them alone.
      env: { ...process.env, NODE_OPTIONS: "", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", GAMEDAY_SNAPSHOT_WARMUP: warm ? warmUp : "" },
      encoding: "utf8",
    });
  let warmed = true;
  let r = snapshot(true);
  if (r.status === WARM_UP_FAILED) {
    // A snapshot without the warm-up is correct, only slower to run: build that, and say why.
    process.stderr.write(`startup snapshot: built without its warm-up run, which failed: ${r.stderr.trim()}\n`);
    warmed = false;
    r = snapshot(false);
  }
  if (r.status !== 0) throw new Error(`node --build-snapshot failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  renameSync(tmp, blob);
  // Last, so that a stamp names a complete blob. Lines: the node, the dist directory, the inputs,
  // and whether the warm-up ran (bin/chaos reads the first two).
  writeFileSync(stampFile, `${nodeIdentity(execPath)}\n${dirname(out)}\n${inputs}\n${warmed ? "warmed" : "not warmed"}\n`);
  return warmed ? "built" : "built (not warmed)";
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const done = await buildSnapshot();
  console.log(`startup snapshot ${done} (dist/snapshot/, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
