/**
 * A V8 code cache for the AWS SDK's CommonJS files. Compiling the clients a run uses (4.5 MB of
 * JavaScript, the EC2 client alone 2 MB) is the largest part of a short run's start-up, and it
 * is the same work every time. Node 20 has no module.enableCompileCache (Node 22 does), so this
 * does what the v8-compile-cache package did, with vm.Script's cachedData: the first run compiles
 * as usual and, when the process exits, saves V8's code for each file (including the functions the
 * run compiled lazily); later runs hand that code back to V8 instead of parsing again.
 *
 * Safety: an entry's name is a hash of the file's path and content, and its directory is named for
 * the Node version and CPU architecture, so an upgraded SDK or Node never sees a stale entry; V8
 * checks its own version, flags and the source's length again and rejects a mismatch, which is
 * then compiled as usual and saved anew. Entries are written to a temporary name and renamed, so a
 * reader never sees half an entry. The cache is an optimisation only: a directory that cannot be
 * created, read or written costs the run nothing but the speed-up.
 *
 * The compile step is the only one replaced: Node's own Module.prototype._compile still runs each
 * file (its require, its resolution caches), through a one-line stub that calls the cached function.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { threadId } from "node:worker_threads";
import vm from "node:vm";

/**
 * Where the cache lives: GAMEDAY_CODE_CACHE (a directory, or "off"), else the user's cache
 * directory; none when there is no home directory to put it in.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, home: () => string = homedir): string | undefined {
  const setting = env.GAMEDAY_CODE_CACHE;
  if (setting === "off") return undefined;
  let root = setting;
  if (!root) {
    try {
      root = join(env.XDG_CACHE_HOME || join(home(), ".cache"), "gameday", "v8-code-cache");
    } catch {
      return undefined;
    }
  }
  return join(root, `node-${process.version}-${process.arch}`);
}

type CompileFn = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;
type CompiledWrapper = (this: unknown, ...args: unknown[]) => unknown;
interface Pending {
  script: vm.Script;
  /** The entry's name without the flags part (see v8FlagsTag). */
  key: string;
}

/**
 * V8 accepts an entry only if it was made under the same V8 flags, and the CLI changes flags as it
 * runs (src/cli/tiering.ts starts with TurboFan off; src/cli/heap.ts sets the heap growing factor
 * in long runs), while builds that set other flags (an earlier release) share the directory. So an
 * entry's name carries the flags it was made under: V8's own hash of its flags, from the header of
 * the code it makes for a one-character script (magic number, V8 version hash, source hash, flags
 * hash: its first 16 bytes). Without it, two flag sets in turn would each reject and rewrite the
 * other's entries. About 0.1 ms.
 */
export function v8FlagsTag(): string {
  return new vm.Script("0", { filename: "gameday-v8-flags-probe" }).createCachedData().subarray(0, 16).toString("hex");
}

/** The stub Node compiles in place of a cached file: it hands Node's own arguments to the cached function. */
const STUB_KEY = Symbol.for("gameday.codeCache.run");
const STUB = `return globalThis[Symbol.for("gameday.codeCache.run")](this, exports, require, module, __filename, __dirname);`;

export interface CodeCacheStats {
  /** Files compiled from a cache entry. */
  hits: number;
  /** Files compiled from source (no entry, or V8 rejected it); saved at exit. */
  misses: number;
}

/**
 * Where Node found each file that a file under node_modules required, remembered between runs.
 * Node's require looks a package up by statting its way up the node_modules directories and
 * reading package.json files, for every require from a new directory: a spot-interrupt run makes
 * 572 such lookups (yaml's 72 files and the SDK's), about 0.05 s of CPU, the same every time.
 * A remembered lookup costs one stat (that the file is still there).
 *
 * Safety: the answers are kept per node_modules tree and per state of npm's record of that tree
 * (node_modules/.package-lock.json, which npm rewrites whenever it installs, removes or moves a
 * package), so an `npm install` starts them afresh; a tree without that record (another package
 * manager) is left to Node. A remembered file that is gone is looked up by Node again. Lookups
 * with options (require.resolve with paths) and from files outside node_modules are Node's.
 */
class Resolutions {
  readonly stats: CodeCacheStats = { hits: 0, misses: 0 };
  /** Per node_modules tree: its remembered lookups (directory NUL request -> file), or null when not kept. */
  private readonly trees = new Map<string, { file: string; found: Map<string, string>; added: boolean } | null>();

  constructor(private readonly dir: string) {}

  resolve(original: ResolveFn, self: unknown, args: [string, ParentModule | undefined, boolean, unknown?]): string {
    const [request, parent, isMain, options] = args;
    const from = typeof parent?.filename === "string" ? parent.filename : "";
    const at = from.indexOf("/node_modules/");
    if (at < 0 || isMain || options !== undefined || typeof request !== "string") return original.apply(self, args);
    const tree = this.tree(from.slice(0, at + "/node_modules".length));
    if (!tree) return original.apply(self, args);
    const key = `${dirname(from)}\0${request}`;
    const known = tree.found.get(key);
    if (known !== undefined && (!known.includes("/") || statSync(known, { throwIfNoEntry: false })?.isFile())) {
      this.stats.hits++;
      return known;
    }
    const found = original.apply(self, args);
    this.stats.misses++;
    // Files inside the same tree, and builtins (`fs`, `node:fs`: never a path); files elsewhere are not covered by its record.
    if (found.startsWith(`${from.slice(0, at)}/node_modules/`) || !found.includes("/")) {
      tree.found.set(key, found);
      tree.added = true;
    }
    return found;
  }

  /** The lookups remembered for the node_modules tree at `root`, read once; null when it has no npm record. */
  private tree(root: string) {
    let tree = this.trees.get(root);
    if (tree !== undefined) return tree;
    tree = null;
    const record = statSync(join(root, ".package-lock.json"), { throwIfNoEntry: false });
    if (record) {
      const name = createHash("sha1").update(`${root}\0${record.size}\0${record.mtimeMs}`).digest("hex");
      const file = join(this.dir, `resolved-${name}.json`);
      let found = new Map<string, string>();
      try {
        const saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
        found = new Map(Object.entries(saved).filter((e): e is [string, string] => typeof e[1] === "string"));
      } catch {
        // None yet, or unreadable: looked up afresh and written anew.
      }
      tree = { file, found, added: false };
    }
    this.trees.set(root, tree);
    return tree;
  }

  /** Writes the trees that learnt a lookup; a failure loses only the speed-up. */
  save(): void {
    for (const tree of this.trees.values()) {
      if (!tree?.added) continue;
      tree.added = false;
      const temp = `${tree.file}.${process.pid}-${threadId}.tmp`;
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(temp, JSON.stringify(Object.fromEntries(tree.found)));
      renameSync(temp, tree.file);
    }
  }

  get learnt(): boolean {
    for (const tree of this.trees.values()) if (tree?.added) return true;
    return false;
  }
}

type ParentModule = { filename?: unknown };
type ResolveFn = (this: unknown, request: string, parent: ParentModule | undefined, isMain: boolean, options?: unknown) => string;

export class CodeCache {
  readonly stats: CodeCacheStats = { hits: 0, misses: 0 };
  private readonly resolutions: Resolutions;
  /** Lookups of required files answered from an earlier run (hits) or by Node (misses). */
  get resolutionStats(): CodeCacheStats {
    return this.resolutions.stats;
  }
  private readonly compiled = new Map<string, CompiledWrapper>();
  private readonly pending: Pending[] = [];
  private exitHooked = false;
  private installed = false;
  /** The V8 flags this process reads entries for, from its first compile on (flags are set at start-up). */
  private flags: string | undefined;

  constructor(private readonly dir: string) {
    this.resolutions = new Resolutions(dir);
  }

  /**
   * Runs `load` (a require of an SDK package) with the cache in front of Node's compiler for the
   * files under node_modules that it loads.
   */
  around<T>(load: () => T): T {
    if (this.installed) return load();
    const restore = this.hook();
    try {
      return load();
    } finally {
      restore();
    }
  }

  /**
   * Puts the cache in front of Node's compiler for every CommonJS file under node_modules that
   * this process loads from now on, not only the SDK packages loaded through loadSdk: a package
   * an ES module imports (yaml's 72 files) and SDK packages other modules require themselves
   * (the sandbox's drain handler and log shippers: whichever loads first compiles the SDK's
   * shared core, about 0.1 s of CPU, for everyone). The CLI installs it once a command runs.
   */
  install(): void {
    if (this.installed) return;
    this.hook();
    this.installed = true;
  }

  /** Replaces Module.prototype._compile for node_modules files; returns what puts Node's back. */
  private hook(): () => void {
    const proto = Module.prototype as unknown as { _compile: CompileFn };
    const original = proto._compile;
    const globals = globalThis as unknown as Record<symbol, unknown>;
    const cache = this;
    globals[STUB_KEY] = (thisValue: unknown, ...args: unknown[]) => {
      const filename = args[3] as string;
      const fn = cache.compiled.get(filename)!;
      cache.compiled.delete(filename);
      return fn.apply(thisValue, args);
    };
    proto._compile = function (this: unknown, content: string, filename: string, ...rest: unknown[]) {
      // A file that starts with a hashbang is left to Node, which strips it (inside the wrapper it is a syntax error).
      if (!filename.includes("/node_modules/") || typeof content !== "string" || content.startsWith("#!")) return original.call(this, content, filename, ...rest);
      cache.compiled.set(filename, cache.compile(content, filename));
      return original.call(this, STUB, filename, ...rest);
    };
    const loader = Module as unknown as { _resolveFilename: ResolveFn };
    const resolveFilename = loader._resolveFilename;
    loader._resolveFilename = function (this: unknown, ...args: [string, ParentModule | undefined, boolean, unknown?]) {
      const found = cache.resolutions.resolve(resolveFilename, this, args);
      if (cache.resolutions.learnt) cache.saveAtExit();
      return found;
    };
    return () => {
      proto._compile = original;
      loader._resolveFilename = resolveFilename;
    };
  }

  private compile(content: string, filename: string): CompiledWrapper {
    const key = createHash("sha1").update(filename).update("\0").update(content).digest("hex");
    const source = Module.wrap(content);
    this.flags ??= v8FlagsTag();
    let script = this.script(source, filename, this.read(key, this.flags));
    if (script.cachedDataRejected !== false) {
      // No entry for these flags, or V8 refused it: the flags may have changed since the last file
      // (a long run switches TurboFan on); look once more under the flags as they are now.
      const now = v8FlagsTag();
      if (now !== this.flags) {
        this.flags = now;
        const again = this.read(key, now);
        if (again) script = this.script(source, filename, again);
      }
    }
    if (script.cachedDataRejected === false) this.stats.hits++;
    else {
      this.stats.misses++;
      this.pending.push({ script, key });
      this.saveAtExit();
    }
    return script.runInThisContext() as CompiledWrapper;
  }

  private read(key: string, flags: string): Buffer | undefined {
    try {
      return readFileSync(this.entry(key, flags));
    } catch {
      return undefined;
    }
  }

  private script(source: string, filename: string, cachedData: Buffer | undefined): vm.Script {
    return new vm.Script(source, { filename, ...(cachedData ? { cachedData } : {}), importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  }

  private entry(key: string, flags: string): string {
    return join(this.dir, `${key}-${flags}.bin`);
  }

  private saveAtExit(): void {
    if (this.exitHooked) return;
    this.exitHooked = true;
    // At exit rather than now: V8's code for a script then includes every function the run used.
    process.once("exit", () => this.save());
  }

  /** Writes an entry for every file compiled from source; stops at the first failure (a read-only or missing home, a full disk). */
  save(): void {
    try {
      this.resolutions.save();
    } catch {
      // As below: the next run looks the files up again.
    }
    const entries = this.pending.splice(0);
    if (entries.length === 0) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      // The flags now: V8 writes them into each entry as it makes it.
      const flags = v8FlagsTag();
      for (const { script, key } of entries) {
        const file = this.entry(key, flags);
        const temp = `${file}.${process.pid}-${threadId}.tmp`;
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, file);
      }
    } catch {
      // A cache that cannot be written only means the next run compiles again.
    }
  }
}

let shared: CodeCache | null | undefined;

/** The process's code cache, or undefined when turned off (GAMEDAY_CODE_CACHE=off). */
export function processCodeCache(): CodeCache | undefined {
  if (shared === undefined) {
    const dir = codeCacheDir();
    shared = dir ? new CodeCache(dir) : null;
  }
  return shared ?? undefined;
}
