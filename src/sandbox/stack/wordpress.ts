/**
 * `workload: { wordpress: {...} }` of a Lambda function: the PHP/WordPress request model
 * (src/sandbox/services/lambda/wordpress.ts). The `php` settings carry php.ini's own names and
 * defaults, so a team copies its php.ini lines as they are; the rest describes the site.
 *
 * The defaults are measured, not guessed: WordPress 6.1.9 (Debian bookworm's `wordpress` package,
 * theme twentytwentythree, a fresh install on MariaDB) behind PHP 8.2's built-in server with a
 * router script, as the seed's bootstrap runs it (`php -S localhost:8000 handler.php`). A front
 * page request required 340 PHP files (`get_included_files()`, the router included) in 25
 * directories, 7.2 MB of PHP in all (20.8 KB a file on average), and ran 32 MySQL queries
 * (`$wpdb->num_queries`). CPU from getrusage() on one core of the build machine (the least of 8):
 * 32 ms with every script in opcache; 292 ms on opcache's first request (so compiling with
 * opcache's optimizer costs about 0.77 ms a file); 124 ms with opcache off (0.27 ms a file
 * without the optimizer). Its front page links 3 static assets, 8 KB on average.
 */
import { z } from "zod";
import { expecting, strict } from "../../experiment/schema-kit.js";
import { duration } from "./duration.js";

const count = z.number().int().min(0);

/** php.ini's shorthand for sizes (php.net/manual/en/faq.using.php#faq.using.shorthandbytes): 4096K, 16M, 1G or plain bytes. */
export function iniBytes(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isInteger(text) && text >= 0 ? text : undefined;
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) return undefined;
  const unit = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as "" | "K" | "M" | "G"];
  return Number(m[1]) * unit;
}

const iniSize = z.union([z.number(), z.string()], expecting('a size in php.ini\'s form, such as "4096K", "16M" or a number of bytes')).transform((v, ctx) => {
  const bytes = iniBytes(v);
  if (bytes === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a size in php.ini's form, such as "4096K", "16M" or a number of bytes, found ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return bytes;
});

/**
 * php.ini settings the model honours, with PHP's documented defaults:
 * opcache.enable 1, opcache.validate_timestamps 1, opcache.revalidate_freq 2
 * (php.net/manual/en/opcache.configuration.php); realpath_cache_size 4096K (16K before PHP 7.0.16
 * and 7.1.2) and realpath_cache_ttl 120 (php.net/manual/en/ini.core.php).
 */
export const PHP_INI_DEFAULTS = {
  "opcache.enable": true,
  "opcache.validate_timestamps": true,
  "opcache.revalidate_freq": 2,
  realpath_cache_size: 4096 * 1024,
  realpath_cache_ttl: 120,
} as const;

const phpIni = strict({
  "opcache.enable": z.boolean().default(PHP_INI_DEFAULTS["opcache.enable"]),
  "opcache.validate_timestamps": z.boolean().default(PHP_INI_DEFAULTS["opcache.validate_timestamps"]),
  /** Seconds; 0 checks every cached script on every request. */
  "opcache.revalidate_freq": count.default(PHP_INI_DEFAULTS["opcache.revalidate_freq"]),
  realpath_cache_size: iniSize.default(PHP_INI_DEFAULTS.realpath_cache_size),
  /** Seconds an entry of the realpath cache stays valid. */
  realpath_cache_ttl: count.default(PHP_INI_DEFAULTS.realpath_cache_ttl),
});

/** Each query's time, lognormal between the median and the 99th percentile, drawn per query from the sandbox's seeded Random. */
const database = strict({
  queries: count.default(32),
  p50: duration.default(1),
  p99: duration.default(10),
}).superRefine((d, ctx) => {
  if (d.queries > 0 && !(d.p50 > 0)) ctx.addIssue({ code: "custom", path: ["p50"], message: `expected a p50 above 0 ms, found ${d.p50} ms` });
  else if (d.p99 < d.p50) ctx.addIssue({ code: "custom", path: ["p99"], message: `expected a p99 no shorter than the p50 (${d.p50} ms), found ${d.p99} ms` });
});

export const wordpressWorkloadSchema = strict({
  /** PHP files a page request requires (the router script included). */
  phpFiles: z.number().int().min(1).default(340),
  /** Directories they live in (the realpath cache holds each directory once). */
  directories: z.number().int().min(1).default(25),
  /** Mean size of a PHP file, read from EFS when opcache does not hold it. */
  fileBytes: count.default(20_769),
  /** CPU to compile one file on an opcache miss (with its optimizer), at one vCPU. */
  compile: duration.default(0.77),
  /** CPU to compile one file with opcache off (no optimizer), at one vCPU. */
  compileWithoutOpcache: duration.default(0.27),
  /** CPU to run a page once its scripts are compiled, at one vCPU. */
  execute: duration.default(32),
  database: database.default({ queries: 32, p50: 1, p99: 10 }),
  /** Mean size of a static asset (css, js, images, fonts) that the router reads with readfile(). */
  assetBytes: count.default(8_088),
  php: phpIni.default({ ...PHP_INI_DEFAULTS }),
});

export type WordpressWorkloadSpec = z.infer<typeof wordpressWorkloadSchema>;
export type PhpIni = WordpressWorkloadSpec["php"];
