/**
 * WordPress on Lambda with EFS as the seed runs it (seed patterns, section 3): the bootstrap's
 * `php -S` server runs handler.php for every request, which serves a static file with
 * file_exists + readfile, or runs WordPress, which requires its PHP files one after another.
 * Where the time goes is PHP's own caches (wordpress-caches.ts): a script opcache holds costs
 * nothing, or one stat when its timestamp is due a check; one it does not hold is resolved
 * (realpath cache), opened and read from EFS and compiled on the function's CPU. A cold execution
 * environment starts with both caches empty, so under EFS latency its first request is the
 * slowest, and an environment a timeout discarded is replaced by a cold one: the 30 s cliff and
 * the cold-environment loop follow from the model, nothing scripts them.
 *
 * Requests and answers are API Gateway HTTP API payload 2.0 (wordpress-http.ts). Database time is
 * drawn per query from the sandbox's seeded Random.
 */
import type { Random } from "../../../random/random.js";
import { serviceTimeSampler } from "../../workload/service-time.js";
import type { WordpressWorkloadSpec } from "../../stack/wordpress.js";
import type { LambdaContext, LambdaWorkload } from "./workload.js";
import { Opcache, RealpathCache } from "./wordpress-caches.js";
import { httpResponse, parseHttpApiEvent } from "./wordpress-http.js";

/** What the environment keeps between requests: the `php -S` process's caches. */
interface PhpProcess {
  opcache: Opcache;
  realpath: RealpathCache;
}

const PHP_PROCESS = "wordpress:php";

/** CPU of handler.php's readfile() of a static file, at one vCPU: a modelling choice (small next to EFS). */
const READFILE_CPU_MS = 0.2;

const PAGE = "<!DOCTYPE html><html lang=\"en-US\"><head><title>WordPress</title></head><body></body></html>";

/**
 * The request's scripts: handler.php at the document root, then WordPress's files spread over its
 * directories (wp-includes and friends). Names are made up; their number, directories and size are
 * the site's (stack/wordpress.ts).
 */
export function scriptPaths(spec: WordpressWorkloadSpec, documentRoot: string): string[] {
  const paths = [`${documentRoot}/handler.php`];
  for (let i = 1; i < spec.phpFiles; i++) paths.push(`${documentRoot}/wp-dir-${(i - 1) % spec.directories}/wp-file-${i}.php`);
  return paths;
}

export function wordpressWorkload(spec: WordpressWorkloadSpec, random: Random, documentRoot: string): LambdaWorkload {
  const scripts = scriptPaths(spec, documentRoot);
  // The mount point and everything under it are on EFS; /mnt above it is the environment's own disk.
  const localDepth = documentRoot.split("/").filter(Boolean).length - 1;
  const query = spec.database.queries > 0 ? serviceTimeSampler({ distribution: "lognormal", p50: spec.database.p50, p99: spec.database.p99 }, random) : () => 0;
  const ini = spec.php;

  const phpOf = (ctx: LambdaContext): PhpProcess => {
    let php = ctx.environment.get(PHP_PROCESS) as PhpProcess | undefined;
    if (!php) ctx.environment.set(PHP_PROCESS, (php = { opcache: new Opcache(ini), realpath: new RealpathCache(ini) }));
    return php;
  };

  /** Resolves a path through the realpath cache: an lstat on EFS for each prefix it does not hold. */
  const resolve = async (ctx: LambdaContext, php: PhpProcess, path: string, second: number) => {
    const lstats = php.realpath.resolve(path, second, localDepth);
    for (let i = 0; i < lstats; i++) await ctx.fs("stat");
  };

  /** One `require`: returns the CPU it needs (compiling), after its EFS operations. */
  const requireScript = async (ctx: LambdaContext, php: PhpProcess, path: string, second: number): Promise<number> => {
    const state = php.opcache.enabled ? php.opcache.lookup(path, second) : "miss";
    if (state === "hit") return 0;
    if (state === "revalidate") {
      await ctx.fs("stat");
      return 0;
    }
    await resolve(ctx, php, path, second);
    await ctx.fs("open");
    await ctx.fs("read", spec.fileBytes);
    return php.opcache.enabled ? spec.compile : spec.compileWithoutOpcache;
  };

  /** file_exists(): the path resolved, then stat'ed (PHP's stat cache lasts one request only). */
  const fileExists = async (ctx: LambdaContext, php: PhpProcess, path: string, second: number) => {
    await resolve(ctx, php, path, second);
    await ctx.fs("stat");
  };

  return async (ctx) => {
    const request = parseHttpApiEvent(ctx.event);
    if ("error" in request) throw new TypeError(request.error);
    const php = phpOf(ctx);
    // PHP's request time (whole seconds) drives opcache revalidation and the realpath TTL.
    const second = Math.floor(ctx.now() / 1000);
    let cpu = await requireScript(ctx, php, scripts[0]!, second);
    if (request.staticType) {
      await fileExists(ctx, php, `${documentRoot}${request.path}`, second);
      await ctx.fs("open");
      await ctx.fs("read", spec.assetBytes);
      await ctx.cpu(cpu + READFILE_CPU_MS);
      return httpResponse(200, request.staticType, `/* ${request.path}: ${spec.assetBytes} bytes read from EFS */`);
    }
    await fileExists(ctx, php, `${documentRoot}/index.php`, second);
    for (let i = 1; i < scripts.length; i++) cpu += await requireScript(ctx, php, scripts[i]!, second);
    await ctx.cpu(cpu + spec.execute);
    let database = 0;
    for (let i = 0; i < spec.database.queries; i++) database += query();
    if (database > 0) await ctx.sleep(database);
    return httpResponse(200, "text/html; charset=UTF-8", PAGE);
  };
}
