/**
 * PHP's opcache and realpath cache as the PHP manual documents them:
 * - opcache.validate_timestamps (default 1) and opcache.revalidate_freq (default 2): "How often to
 *   check script timestamps for updates, in seconds. 0 will result in OPcache checking for updates
 *   on every request." (php.net/manual/en/opcache.configuration.php)
 * - realpath_cache_size (default "4096K"; "16K" before PHP 7.0.16 and 7.1.2) and
 *   realpath_cache_ttl (default 120 s) (php.net/manual/en/ini.core.php).
 */
import { describe, expect, it } from "vitest";
import { Opcache, RealpathCache } from "../../../src/sandbox/services/lambda/wordpress-caches.js";
import { iniBytes, PHP_INI_DEFAULTS, type PhpIni } from "../../../src/sandbox/stack/wordpress.js";
import { parseStack } from "../../../src/sandbox/stack/load.js";
import { wordpressOf } from "../../../src/sandbox/stack/lambda.js";

const ini = (over: Partial<PhpIni> = {}): PhpIni => ({ ...PHP_INI_DEFAULTS, ...over });

describe("opcache", () => {
  it("revalidate_freq 0 stats every cached script on every request", () => {
    const o = new Opcache(ini({ "opcache.revalidate_freq": 0 }));
    expect(o.lookup("/mnt/root/index.php", 100)).toBe("miss");
    expect(o.lookup("/mnt/root/index.php", 100)).toBe("revalidate");
    expect(o.lookup("/mnt/root/index.php", 101)).toBe("revalidate");
  });

  it("revalidate_freq 60 stats a cached script at most once per 60 seconds", () => {
    const o = new Opcache(ini({ "opcache.revalidate_freq": 60 }));
    expect(o.lookup("/a.php", 1_000)).toBe("miss");
    const checks = [];
    for (let s = 1_000; s <= 1_000 + 600; s++) if (o.lookup("/a.php", s) === "revalidate") checks.push(s);
    expect(checks.length).toBeGreaterThan(0);
    for (let i = 1; i < checks.length; i++) expect(checks[i]! - checks[i - 1]!).toBeGreaterThanOrEqual(60);
    // Over 600 s, no more than one check per 60 s window.
    expect(checks.length).toBeLessThanOrEqual(10);
  });

  it("validate_timestamps off never checks a cached script again", () => {
    const o = new Opcache(ini({ "opcache.validate_timestamps": false, "opcache.revalidate_freq": 0 }));
    expect(o.lookup("/a.php", 0)).toBe("miss");
    for (let s = 0; s < 10_000; s += 997) expect(o.lookup("/a.php", s)).toBe("hit");
  });

  it("PHP's defaults: opcache on, timestamps validated every 2 s, a 4096K realpath cache whose entries live 120 s", () => {
    const fn = parseStack(
      `availabilityZones: [us-east-1a]
efs: { fileSystems: [{ name: wp, sizeGiB: 1, accessPoints: [{ name: root, path: /wp }] }] }
lambdas:
  functions: [{ name: wp, efs: { fileSystem: wp, accessPoint: root, mountPath: /mnt/root }, workload: { wordpress: {} } }]
`,
      "defaults.yaml",
    ).lambdas!.functions[0]!;
    expect(wordpressOf(fn.workload)?.php).toEqual({
      "opcache.enable": true,
      "opcache.validate_timestamps": true,
      "opcache.revalidate_freq": 2,
      realpath_cache_size: 4096 * 1024,
      realpath_cache_ttl: 120,
    });
  });
});

describe("realpath cache", () => {
  it("resolving a path lstats each prefix it does not hold; a directory is held once for all its files", () => {
    const r = new RealpathCache(ini());
    // /mnt is the environment's own disk: not counted; /mnt/root, the directory and the file are.
    expect(r.resolve("/mnt/root/wp-includes/load.php", 0, 1)).toBe(3);
    expect(r.resolve("/mnt/root/wp-includes/load.php", 1, 1)).toBe(0);
    expect(r.resolve("/mnt/root/wp-includes/plugin.php", 1, 1)).toBe(1);
  });

  it("an entry expires after realpath_cache_ttl seconds", () => {
    const r = new RealpathCache(ini({ realpath_cache_ttl: 120 }));
    r.resolve("/mnt/root/index.php", 0, 1);
    expect(r.resolve("/mnt/root/index.php", 120, 1)).toBe(0);
    expect(r.resolve("/mnt/root/index.php", 121, 1)).toBe(2);
  });

  it("what does not fit in realpath_cache_size is not cached: the old 16K default keeps missing on a WordPress-sized tree", () => {
    const paths = Array.from({ length: 340 }, (_, i) => `/mnt/root/wp-includes/dir-${i % 25}/file-${i}.php`);
    const small = new RealpathCache(ini({ realpath_cache_size: iniBytes("16K")! }));
    const large = new RealpathCache(ini());
    const pass = (r: RealpathCache) => paths.reduce((n, p) => n + r.resolve(p, 10, 1), 0);
    pass(small);
    pass(large);
    expect(pass(large)).toBe(0);
    expect(pass(small)).toBeGreaterThan(100);
    expect(small.bytes).toBeLessThanOrEqual(16 * 1024);
  });

  it("php.ini's size shorthand", () => {
    expect([iniBytes("4096K"), iniBytes("16M"), iniBytes("1g"), iniBytes(512), iniBytes("4 MB")]).toEqual([4 * 1024 ** 2, 16 * 1024 ** 2, 1024 ** 3, 512, undefined]);
  });
});
