/**
 * The one-second tier of one metric: its buckets by second, held as one array of 60 slots per
 * minute, and the order the buckets were created in.
 *
 * It replaces a Map keyed by each bucket's start in milliseconds: such a key is too large for a
 * small integer, so every put hashed (and allocated) a heap number, an entry cost about 40 bytes,
 * and retention, which deletes from the front, walked the deleted entries a Map keeps until it
 * rehashes (the 17-hour outage spent 2 s of its CPU there). The creation order is kept because it
 * is what retention folds by and what a scan of the tier visits, as the Map's insertion order was,
 * so that every sum adds up in the same order as before.
 *
 * Data mostly arrives in order: a put of a second after the newest held is known to be new without
 * a lookup, and the minute last touched is remembered (puts and retention go through one minute
 * after another).
 */
const SECOND = 1_000;
const MINUTE = 60_000;

interface Minute<B> {
  /** Buckets held in `slots`. */
  n: number;
  /** Slot i: the bucket of second i of the minute. */
  slots: (B | undefined)[];
}

export class SecondBuckets<B> {
  /** Minute number (start / 60,000, a small integer) -> its seconds. */
  private readonly minutes = new Map<number, Minute<B>>();
  /** Bucket starts in creation order; those before `head` are gone (only the oldest are ever removed). */
  private order: number[] = [];
  private head = 0;
  /** Buckets held. */
  size = 0;
  /** The latest start ever set: nothing is held after it. */
  private newest = Number.NEGATIVE_INFINITY;
  /** The minute last looked up and its seconds (undefined: none held). */
  private lastM = Number.NaN;
  private lastMinute: Minute<B> | undefined;

  private minute(m: number): Minute<B> | undefined {
    if (m !== this.lastM) {
      this.lastM = m;
      this.lastMinute = this.minutes.get(m);
    }
    return this.lastMinute;
  }

  get(start: number): B | undefined {
    if (start > this.newest) return undefined;
    const m = Math.floor(start / MINUTE);
    return this.minute(m)?.slots[(start - m * MINUTE) / SECOND];
  }

  /** Sets the bucket of the second starting at `start` (a whole second): a new one goes last in creation order, a replaced one keeps its place. */
  set(start: number, bucket: B): void {
    const m = Math.floor(start / MINUTE);
    let minute = this.minute(m);
    if (!minute) {
      this.minutes.set(m, (minute = { n: 0, slots: new Array<B | undefined>(60) }));
      this.lastMinute = minute;
    }
    const i = (start - m * MINUTE) / SECOND;
    if (minute.slots[i] === undefined) {
      minute.n++;
      this.size++;
      this.order.push(start);
      if (start > this.newest) this.newest = start;
    }
    minute.slots[i] = bucket;
  }

  /**
   * Removes the buckets created first while their start is before `before`, oldest-created first,
   * handing each to `fn`; stops at the first that is not (a late put behind it waits its turn).
   */
  removeOldest(before: number, fn: (start: number, bucket: B) => void): void {
    while (this.head < this.order.length) {
      const start = this.order[this.head]!;
      if (start >= before) break;
      this.head++;
      const m = Math.floor(start / MINUTE);
      const minute = this.minute(m)!;
      const i = (start - m * MINUTE) / SECOND;
      const bucket = minute.slots[i]!;
      minute.slots[i] = undefined;
      this.size--;
      if (--minute.n === 0) {
        this.minutes.delete(m);
        this.lastMinute = undefined;
      }
      fn(start, bucket);
    }
    // Drop the consumed part of the order now and then, so it stays as long as what is held.
    if (this.head > 1_024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Visits the buckets in [from, to): in time order by stepping through the seconds when the range
   * has fewer seconds than there are buckets, else in creation order by scanning them all.
   */
  each(from: number, to: number, fn: (start: number, bucket: B) => void): void {
    if (Math.ceil((to - from) / SECOND) < this.size) {
      // Minute by minute, each minute's slots in order: the seconds of the range in time order.
      const first = Math.ceil(from / SECOND) * SECOND;
      for (let m = Math.floor(first / MINUTE); m * MINUTE < to; m++) {
        const minute = this.minute(m);
        if (minute === undefined) continue;
        const base = m * MINUTE;
        for (let i = first > base ? (first - base) / SECOND : 0; i < 60; i++) {
          const t = base + i * SECOND;
          if (t >= to) return;
          const b = minute.slots[i];
          if (b !== undefined) fn(t, b);
        }
      }
      return;
    }
    for (let k = this.head; k < this.order.length; k++) {
      const t = this.order[k]!;
      if (t >= from && t < to) fn(t, this.get(t)!);
    }
  }
}
