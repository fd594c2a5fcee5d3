/**
 * PHP's two caches that decide how often WordPress touches EFS, one of each per execution
 * environment (the bootstrap's `php -S` process lives as long as the environment), both empty on a
 * cold start:
 *
 * - opcache: compiled scripts by path. With opcache.validate_timestamps on, a cached script's
 *   timestamp is checked (one stat) when the request's time, in whole seconds, is past the
 *   script's next check, which is then set to the request time plus opcache.revalidate_freq; so
 *   revalidate_freq 0 stats every cached script on every request (php.net opcache.configuration:
 *   "0 will result in OPcache checking for updates on every request"; ZendAccelerator.c,
 *   validate_timestamp_and_record). With validate_timestamps off, nothing is checked again.
 *   opcache.revalidate_path is off by default, so a cached script is found by its path without
 *   resolving it again. Capacity (opcache.memory_consumption 128 MB, max_accelerated_files
 *   10,000) holds a WordPress site's few hundred scripts, so it is not modelled.
 * - the realpath cache: resolved paths and every prefix of them (a directory once for all its
 *   files), each valid for realpath_cache_ttl seconds; resolving an uncached prefix costs an lstat.
 *   An entry takes a bucket plus its path (zend_virtual_cwd.c, realpath_cache_add); one that does
 *   not fit under realpath_cache_size is not cached at all, so the old 16K default kept missing.
 */
import type { PhpIni } from "../../stack/wordpress.js";

/** sizeof(realpath_cache_bucket) on 64-bit Linux (hash key, two pointers, next, expires, lengths, flags). */
export const REALPATH_BUCKET_BYTES = 56;

export class Opcache {
  /** Script path -> request second after which its timestamp is checked again. */
  private readonly scripts = new Map<string, number>();

  constructor(private readonly ini: PhpIni) {}

  get enabled(): boolean {
    return this.ini["opcache.enable"];
  }

  /**
   * What a `require` of `path` costs at request second `requestSecond`: "miss" (open, read and
   * compile it; it is cached from now on), "revalidate" (stat it, then use the cached script) or
   * "hit" (nothing on the file system).
   */
  lookup(path: string, requestSecond: number): "miss" | "revalidate" | "hit" {
    const next = this.scripts.get(path);
    const freq = this.ini["opcache.revalidate_freq"];
    if (next === undefined) {
      this.scripts.set(path, requestSecond + freq);
      return "miss";
    }
    if (!this.ini["opcache.validate_timestamps"]) return "hit";
    // PHP skips the check while `revalidate >= request_time` (ZendAccelerator.c).
    if (freq > 0 && next >= requestSecond) return "hit";
    this.scripts.set(path, requestSecond + freq);
    return "revalidate";
  }

  get size(): number {
    return this.scripts.size;
  }
}

export class RealpathCache {
  private readonly entries = new Map<string, { expires: number; bytes: number }>();
  private used = 0;

  constructor(private readonly ini: PhpIni) {}

  /**
   * Resolves `path` (absolute, "/" separated) at second `now`: returns how many of its prefixes
   * had to be lstat'ed (the ones not cached or expired), and caches them where they fit. The
   * first `localDepth` components are on the environment's own disk (/mnt above the mount point):
   * their lstats cost nothing on EFS and are not counted.
   */
  resolve(path: string, now: number, localDepth = 0): number {
    const parts = path.split("/").filter(Boolean);
    let lstats = 0;
    let prefix = "";
    parts.forEach((part, i) => {
      prefix += `/${part}`;
      if (this.find(prefix, now)) return;
      if (i >= localDepth) lstats++;
      this.add(prefix, now);
    });
    return lstats;
  }

  get bytes(): number {
    return this.used;
  }

  private find(path: string, now: number): boolean {
    const e = this.entries.get(path);
    if (!e) return false;
    // realpath_cache_find drops an entry whose `expires` is before now.
    if (e.expires < now) {
      this.entries.delete(path);
      this.used -= e.bytes;
      return false;
    }
    return true;
  }

  private add(path: string, now: number): void {
    const bytes = REALPATH_BUCKET_BYTES + path.length + 1;
    if (this.used + bytes > this.ini.realpath_cache_size) return;
    this.entries.set(path, { expires: now + this.ini.realpath_cache_ttl, bytes });
    this.used += bytes;
  }
}
