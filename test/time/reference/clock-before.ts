/**
 * The virtual clock's pump as it was before it took one turn of the event loop per settling timer
 * instead of two (src/time/clock.ts, commit 5d82dd0), virtual mode only (paced mode did not
 * change). The oracle of test/time/pump-differential.test.ts and bench/clock-turns.ts.
 */
interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
  wakes: boolean;
}

class TimerHeap {
  private items: Timer[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Timer | undefined {
    return this.items[0];
  }
  push(t: Timer): void {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Timer | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
  clear(): void {
    this.items = [];
  }
}

function noop(): void {}

function before(x: Timer, y: Timer): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

function sleepOn(arm: (fn: () => void) => () => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      cancel();
      reject(abortReason(signal!));
    };
    const cancel = arm(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export class VirtualClockBefore {
  readonly kind = "virtual" as const;
  private t: number;
  private seq = 0;
  private readonly heap = new TimerHeap();
  private holds = 0;
  private scheduled = false;
  private settleTurns = 0;
  private stopped = false;
  fired = 0;

  constructor(start: number) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): () => void {
    return this.arm(ms, fn, true);
  }

  setSyncTimer(ms: number, fn: () => void): () => void {
    return this.arm(ms, fn, false);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn((fn) => this.arm(ms, fn, true), signal);
  }

  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.settleTurns = 2;
      this.schedule();
    };
  }

  nextDue(): number | undefined {
    if (this.holds > 0 || this.settleTurns > 0 || this.stopped) return undefined;
    let head = this.heap.peek();
    while (head?.cancelled) {
      this.heap.pop();
      head = this.heap.peek();
    }
    return head ? head.at : Infinity;
  }

  stepTo(t: number): void {
    if (t > this.t) this.t = t;
  }

  get pending(): number {
    return this.heap.size;
  }

  stop(): void {
    this.stopped = true;
    this.heap.clear();
  }

  wake(): void {
    this.settleTurns = Math.max(this.settleTurns, 2);
  }

  private arm(ms: number, fn: () => void, wakes: boolean): () => void {
    if (this.stopped) return () => {};
    const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
    const timer: Timer = { at: this.now() + delay, seq: this.seq++, fn, cancelled: false, wakes };
    this.heap.push(timer);
    this.schedule();
    return () => {
      timer.cancelled = true;
      timer.fn = noop;
    };
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(this.pump);
  }

  private readonly pump = (): void => {
    this.scheduled = false;
    if (this.stopped || this.holds > 0) return;
    if (this.settleTurns > 0) {
      this.settleTurns--;
      this.schedule();
      return;
    }
    for (let budget = 50_000; budget > 0; budget--) {
      if (this.holds > 0 || this.stopped) return;
      const next = this.heap.pop();
      if (!next) return;
      if (next.cancelled) continue;
      if (next.at > this.t) this.t = next.at;
      this.fired++;
      next.fn();
      if (next.wakes || this.settleTurns > 0) {
        this.settleTurns = Math.max(this.settleTurns, 1);
        break;
      }
    }
    if (this.heap.size > 0) this.schedule();
  };
}
