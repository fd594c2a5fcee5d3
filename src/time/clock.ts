/**
 * The one source of time for gameday. The engine, the sandbox, the retry code and the log shipper
 * receive a Clock; nothing else reads the wall clock or arms a real timer. Three implementations:
 * real (wall time), scaled (wall time times a speed factor) and virtual (a deterministic
 * discrete-event clock that jumps to the next timer when nothing else can run).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, in this clock's time. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `fn` after `ms`; returns a function that cancels it. `fn` runs synchronously on expiry,
   * and may settle promises: a virtual clock lets their continuations run before time moves on.
   */
  setTimer(ms: number, fn: () => void): () => void;
  /**
   * Declares that a real operation (a child process, a socket, a user's handler) is in flight.
   * A virtual clock does not advance until every hold is released; real clocks ignore holds.
   */
  hold(): () => void;
  /** What kind of time this is, for journals and logs. */
  readonly kind: "real" | "scaled" | "virtual";
}

/** Runs `work` under a hold, so virtual time stands still while real I/O happens. */
export async function whileHolding<T>(clock: Clock, work: () => Promise<T>): Promise<T> {
  const release = clock.hold();
  try {
    return await work();
  } finally {
    release();
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/** A promise that a timer armed by `arm` resolves, or the signal rejects (cancelling the timer). */
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

/**
 * Wall time, optionally sped up. `speed` 1 is real time; 60 makes a virtual minute pass in a real
 * second. Used for `--speed N` and for real AWS targets.
 */
export class ScaledClock implements Clock {
  readonly kind: "real" | "scaled";
  private readonly epoch: number;
  private readonly origin: number;

  constructor(
    private readonly speed = 1,
    start?: number,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
    this.kind = speed === 1 ? "real" : "scaled";
    this.origin = performance.now();
    // The one place that reads the wall clock: where time itself comes from.
    this.epoch = start ?? Date.now();
  }

  now(): number {
    return this.epoch + (performance.now() - this.origin) * this.speed;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn((fn) => this.setTimer(ms, fn), signal);
  }

  setTimer(ms: number, fn: () => void): () => void {
    const handle = setTimeout(fn, Math.max(0, ms) / this.speed);
    return () => clearTimeout(handle);
  }

  hold(): () => void {
    return () => {};
  }
}

export class RealClock extends ScaledClock {
  constructor() {
    super(1);
  }
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
  /** True when firing resolves a promise: the pump then lets continuations run before moving on. */
  wakes: boolean;
}

/** A binary min-heap ordered by (at, seq): equal times fire in the order they were armed. */
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

/** The instant virtual runs start at: when the 2020-11-25 us-east-1 Kinesis event was first alarmed. */
export const VIRTUAL_EPOCH = Date.UTC(2020, 10, 25, 13, 15, 0);

/**
 * How far (in wall milliseconds) paced time may run ahead of the wall to fire a timer now rather
 * than wait for a real one. A real timer fires no sooner than 1 ms later, so without a lead every
 * sleep shorter than 1 wall ms (an NFS operation of 0.25 ms is 4 µs of wall time at --speed 60)
 * would take a whole millisecond, and a cold WordPress start's thousand NFS operations would take
 * a thousand of them. With it, back-to-back short sleeps run until the lead is used up and then
 * wait for the wall, so virtual time keeps pace with scaled wall time instead of lagging it.
 * One real timer's resolution: a timer fires at most one wall millisecond early, which no client
 * of a served sandbox can tell from network jitter.
 */
const PACED_LEAD_WALL_MS = 1;

/**
 * How far (in virtual milliseconds) paced time may fall behind scaled wall time while the host
 * catches up. A busy machine (a CI runner's other jobs, two cores for three processes) fires a
 * served sandbox's timers late; if the events read the wall, every modelled duration grows by the
 * host's lag: in CI an untuned WordPress stack's pages, a few hundred NFS operations each, measured
 * a p95 of 3.7 s at --speed 5 where the model (and the embedded run) says 0.24 s. Behind the wall,
 * an event therefore runs at its own time, and so do the continuations it wakes and anything they
 * arm, as in virtual time.
 * Bounded, because a client synchronised its clock with ours once (GET /_gameday/clock): beyond
 * this, time is pulled forward and durations stretch again. Five virtual seconds is less than a
 * tenth of the minute CloudWatch periods the probes read, and at --speed 5 it absorbs a second of
 * the host's stall.
 */
export const PACED_MAX_SLIP_MS = 5_000;

/**
 * Deterministic virtual time. Timers fire in (time, arming order). Time jumps to the next timer only
 * when nothing else can run: the pump is a macrotask (setImmediate), so by the time it runs every
 * pending promise continuation has run; after a timer or a sleep fires it steps aside so that
 * continuations, and anything they queue with setImmediate, run before time moves again.
 * Those turns of the event loop are skipped when they would run nothing but the pump (no other
 * immediate is pending when the pump comes to one): an empty turn still costs an epoll_wait and a
 * call into JavaScript, about 0.75 µs of CPU (bench/clock-turns.ts), and the 17-hour outage wakes
 * an actor some 180,000 times (361,519 turns before, 181,637 now). The loop never blocks in a
 * virtual-time run: the "(idle)" of its CPU profile is these turns' poll phases.
 * The sandbox's own events, which never settle promises, use setSyncTimer and are fired back to
 * back without yielding, which is what makes ten virtual minutes of a busy stack cost well under
 * a wall second.
 *
 * Real I/O must be bracketed with hold(): while any hold is out, time stands still.
 *
 * pace(speed) turns it into scaled wall time from the current instant on, keeping every armed
 * timer: `chaos sandbox serve` boots its stack in virtual time (seconds instead of minutes), then
 * serves at the speed asked. Paced, it behaves as a ScaledClock: one real timer waits for the
 * earliest armed one, and holds no longer stop time.
 */
export class VirtualClock implements Clock {
  private t: number;
  private paced: { speed: number; virtualOrigin: number; wallOrigin: number } | undefined;
  /** The one real timer of paced mode: it waits for the earliest armed timer. */
  private wallTimer: { handle: ReturnType<typeof setTimeout>; at: number } | undefined;
  private seq = 0;
  private readonly heap = new TimerHeap();
  private holds = 0;
  private scheduled = false;
  private settleTurns = 0;
  /** Paced: a timer's callback is running. */
  private firing = false;
  private stopped = false;
  /** How many timers fired; a cheap progress measure for benchmarks. */
  fired = 0;

  constructor(start = VIRTUAL_EPOCH) {
    this.t = start;
  }

  /** "virtual" until pace(); then "real" at speed 1 and "scaled" otherwise, as a ScaledClock says. */
  get kind(): "virtual" | "scaled" | "real" {
    if (!this.paced) return "virtual";
    return this.paced.speed === 1 ? "real" : "scaled";
  }

  now(): number {
    // Paced: wall time scaled from where virtual time stood; never behind a timer already fired.
    // While catching up, the event's own time, up to PACED_MAX_SLIP_MS behind the wall.
    if (this.paced) {
      const floor = this.pacedFloor(this.pacedNow(this.paced));
      if (floor > this.t) this.t = floor;
    }
    return this.t;
  }

  /**
   * Paced: the earliest time now() may say. An event being handled (fired, or its continuations
   * running) keeps its own time, up to the slip behind the wall. With one overdue and not yet run,
   * time stands at that event's instant: nothing is due before it, and a read from outside (a
   * served request arriving) stamped with an older time would end its modelled duration early on
   * the wall. Otherwise the clock is idle, waiting for the wall, and time is the wall's.
   */
  private pacedFloor(wall: number): number {
    if (this.firing || this.settleTurns > 0) return wall - PACED_MAX_SLIP_MS;
    const head = this.liveHead();
    if (head !== undefined && head.at <= wall) return Math.max(head.at, wall - PACED_MAX_SLIP_MS);
    return wall;
  }

  /** The earliest armed timer not cancelled, dropping cancelled ones from the top of the heap. */
  private liveHead(): Timer | undefined {
    let head = this.heap.peek();
    while (head?.cancelled) {
      this.heap.pop();
      head = this.heap.peek();
    }
    return head;
  }

  /**
   * From now on, time passes with the wall clock times `speed` (1: real time), continuing from the
   * current virtual instant. Timers already armed fire when that scaled wall time reaches them.
   * One-way: a paced clock does not go back to virtual time.
   */
  pace(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
    if (this.paced) throw new Error("the clock is already paced");
    this.paced = { speed, virtualOrigin: this.t, wallOrigin: performance.now() };
    this.schedule();
  }

  private pacedNow(p: { speed: number; virtualOrigin: number; wallOrigin: number }): number {
    return p.virtualOrigin + (performance.now() - p.wallOrigin) * p.speed;
  }

  setTimer(ms: number, fn: () => void): () => void {
    return this.arm(ms, fn, true);
  }

  /**
   * A timer whose callback settles no promise (the sandbox's internal events): fired back to back
   * with others, without letting continuations run in between. Not part of the Clock interface.
   */
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

  /**
   * For a synchronous timer's callback in virtual time: when the next armed timer is due, so the
   * callback may handle its own later events up to then (stepTo) with nothing to interleave;
   * undefined when paced, or when a hold or a settled promise must be let through first.
   */
  nextDue(): number | undefined {
    if (this.paced || this.holds > 0 || this.settleTurns > 0 || this.stopped) return undefined;
    const head = this.liveHead();
    return head ? head.at : Infinity;
  }

  /** Moves virtual time on to `t`, which must come before nextDue() (see there). */
  stepTo(t: number): void {
    if (t > this.t) this.t = t;
  }

  /** Number of armed timers; zero means every actor has finished. */
  get pending(): number {
    return this.heap.size;
  }

  /** Drops every armed timer and stops advancing; sleepers never resolve. For tearing a run down. */
  stop(): void {
    this.stopped = true;
    this.heap.clear();
    this.clearWallTimer();
  }

  /**
   * Marks that a synchronous timer resolved a promise (for example the sandbox completing an
   * asynchronous request). The pump then yields before firing the next timer.
   */
  wake(): void {
    this.settleTurns = Math.max(this.settleTurns, 2);
    // Paced, a settle turn owed keeps now() at the event's time until the pump has let it pass.
    if (this.paced) this.schedule();
  }

  private arm(ms: number, fn: () => void, wakes: boolean): () => void {
    if (this.stopped) return () => {};
    const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
    const timer: Timer = { at: this.now() + delay, seq: this.seq++, fn, cancelled: false, wakes };
    this.heap.push(timer);
    this.schedule();
    return () => {
      timer.cancelled = true;
      // Let the callback's closure go now rather than when the timer comes due.
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
    if (this.paced) return this.pacedPump();
    if (this.stopped || this.holds > 0) return;
    if (this.settleTurns > 0) {
      // The turns let pass are for immediates that continuations queued, and what those queue in
      // turn. With none pending, this turn and the rest would run the pump alone: fire now.
      // (Node counts only referenced immediates: an unref()ed one is not waited for.)
      if (pendingImmediates() > 0) {
        this.settleTurns--;
        this.schedule();
        return;
      }
      this.settleTurns = 0;
    }
    // Bounded batches keep the event loop responsive to signals and I/O.
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

  /**
   * Paced mode: fires, in (time, arming order), every timer that scaled wall time has reached,
   * yielding after a waking timer as the virtual pump does; then leaves one real timer for the next.
   */
  private pacedPump(): void {
    if (this.stopped) return;
    if (this.settleTurns > 0) {
      this.settleTurns--;
      this.schedule();
      return;
    }
    for (let budget = 50_000; budget > 0; budget--) {
      const head = this.heap.peek();
      if (!head) return this.clearWallTimer();
      if (head.cancelled) {
        this.heap.pop();
        continue;
      }
      // The lead is measured from the wall, not from now(): leads must not compound.
      if (head.at > this.pacedNow(this.paced!) + PACED_LEAD_WALL_MS * this.paced!.speed) return this.waitForWall(head.at);
      this.heap.pop();
      // Late by more than the slip allowed: time is pulled forward (see PACED_MAX_SLIP_MS), and the
      // sandbox's lateness watch (Timers.watchLateness) reports the excess.
      this.t = Math.max(this.t, head.at, this.pacedNow(this.paced!) - PACED_MAX_SLIP_MS);
      this.fired++;
      this.firing = true;
      try {
        head.fn();
      } finally {
        this.firing = false;
      }
      if (head.wakes || this.settleTurns > 0) {
        this.settleTurns = Math.max(this.settleTurns, 1);
        break;
      }
    }
    // A settle turn still owed runs even with nothing armed: until it has, time is the event's.
    if (this.heap.size > 0 || this.settleTurns > 0) this.schedule();
  }

  /** Arms the one real timer for `at` (scaled wall time), unless it is already armed for then. */
  private waitForWall(at: number): void {
    if (this.wallTimer?.at === at) return;
    this.clearWallTimer();
    // Node caps timers at 2^31-1 ms; a longer wait re-arms when that one expires.
    // Wakes when the timer comes within the lead, the earliest the pump will fire it.
    const delay = Math.min(2_147_483_647, Math.max(0, Math.ceil((at - this.pacedNow(this.paced!)) / this.paced!.speed - PACED_LEAD_WALL_MS)));
    const handle = setTimeout(() => {
      this.wallTimer = undefined;
      this.schedule();
    }, delay);
    this.wallTimer = { handle, at };
  }

  private clearWallTimer(): void {
    if (this.wallTimer) clearTimeout(this.wallTimer.handle);
    this.wallTimer = undefined;
  }
}

/** Referenced immediates queued and not yet run (this turn's and the next's), the caller's own excepted. */
function pendingImmediates(): number {
  const resources = process.getActiveResourcesInfo();
  // Node lists immediates last, one entry each.
  let n = 0;
  for (let i = resources.length - 1; i >= 0 && resources[i] === "Immediate"; i--) n++;
  return n;
}

/** Parses `--speed`: absent means virtual time; a number means scaled real time. */
export function clockFor(speed: number | undefined, start?: number): Clock {
  return speed === undefined ? new VirtualClock(start) : new ScaledClock(speed, start);
}
