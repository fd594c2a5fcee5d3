/** `--shard i/n`: this CI job's share of a suite's runs, the same split on every machine. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses "2/4" (1-based); undefined when the text is not a shard. */
export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : undefined;
}

/** Round robin in suite order: shard i takes runs i-1, i-1+n, ...; the shards together take every run once. */
export function shardOf<T>(items: readonly T[], shard: Shard | undefined): T[] {
  return shard ? items.filter((_, i) => i % shard.count === shard.index - 1) : [...items];
}
