// The web app before its thread scan was bounded by the highest busy thread (commit 5d82dd0), kept as the
// oracle of test/sandbox/workload/web-app-differential.test.ts and bench/web-requests.ts. Not used by gameday itself.
/**
 * A web application container: a fixed pool of threads with a service-time distribution, the app
 * server's own (small) accept backlog, and optionally a proxy (nginx) with a backlog queue in front
 * of it. A request that finds every thread busy waits in the backlog if there is room; otherwise
 * it is refused at once (the connection, without a proxy) or answered with the proxy's 502.
 *
 * A request holds its thread for its CPU time, then its service time of waiting. The task's CPU
 * runs one request's CPU work per vCPU at a time (first come, first served), so when more threads
 * want CPU than the task has vCPUs they wait for it: throughput is bounded by vCPUs ÷ CPU time as
 * well as by threads ÷ service time. A task of less than one vCPU (256 or 512 units) is one
 * slower vCPU. (First come, first served rather than the kernel's time slicing: the same
 * throughput, and known when the request starts, which the lazy simulation below needs.)
 *
 * Cheap by design: no timer per request. A task's threads are simulated lazily; each arrival (and
 * each stats query) first retires every request that finished by then, in completion order, and
 * starts queued ones on the threads they free. Outcomes are the same as with a timer per request.
 */
import type { Random } from "../../../../src/random/random.js";
import type { AppSpec } from "../../../../src/sandbox/stack/ecs.js";
import { referenceServiceTimeSampler as serviceTimeSampler, type Sampler } from "./service-time.js";

/**
 * One request that someone outside waits on (an HTTP client of the served sandbox): the app says
 * when a thread takes it, the ALB (Traffic) what status it got. The load generator's requests,
 * counted but not awaited, have none.
 */
export interface RequestWatcher {
  /** A thread started on it; unless the process dies first it ends at `endsAt`. */
  started(endsAt: number): void;
  /** The load balancer's answer, after `latencyMs` of the clock's time. */
  answered(status: number, latencyMs: number): void;
  /** The load balancer rejected the connection (at its maximum number of connections): no HTTP answer at all. */
  rejected?(): void;
}

/**
 * Called once per request: when it arrived, when it ended, whether the app answered it, who waits
 * on it, and, for one not answered, whether the task's proxy turned it away with its own 502 page
 * (rather than the connection being refused).
 */
export type RequestSink = (arrivedAt: number, endedAt: number, answered: boolean, watcher?: RequestWatcher, proxyRefused?: boolean) => void;

export type AppState = "starting" | "up" | "stopping" | "down";

export class ReferenceWebApp {
  state: AppState = "starting";
  private readonly threads: number;
  private readonly busyUntil: Float64Array;
  private readonly arrivedAt: Float64Array;
  /** Per thread and per queue slot: who waits on the request there, if anyone. */
  private readonly watchers: (RequestWatcher | undefined)[];
  private readonly queuedWatchers: (RequestWatcher | undefined)[];
  private busy = 0;
  /**
   * The request on a thread that ends first (the lowest thread on a tie) and when: kept up to date
   * as requests start and end, so an arrival with nothing due to end costs no scan of the threads.
   */
  private nextEnd = Infinity;
  private nextThread = -1;
  /** Thread time spent serving requests so far, in ms (counted when each starts): the app's CPU use. */
  busyMs = 0;
  private readonly queue: Float64Array;
  private qHead = 0;
  private qLen = 0;
  private readonly sample: Sampler;
  /** A proxy (nginx) takes the connection, and answers 502 itself when the queue is full. */
  private readonly proxied: boolean;
  /** The most requests the proxy holds at once (its connection limit); past it, connections are refused. */
  private readonly proxyConnections: number;
  /** CPU work per request, ms on one full vCPU; when each of the task's vCPUs is next free; their speed. */
  private readonly cpuTime: number;
  private readonly cpuFreeAt: Float64Array;
  private readonly cpuSpeed: number;

  constructor(
    spec: AppSpec,
    random: Random,
    private readonly sink: RequestSink,
    /** The task's vCPUs: its cpu units / 1024. */
    vcpus = 1,
  ) {
    if (!(vcpus > 0)) throw new RangeError(`web app: expected vCPUs > 0, found ${vcpus}`);
    this.cpuTime = spec.cpuTime ?? 0;
    const cores = Math.max(1, Math.floor(vcpus));
    this.cpuFreeAt = new Float64Array(cores).fill(-Infinity);
    this.cpuSpeed = vcpus / cores;
    this.threads = spec.threads;
    this.busyUntil = new Float64Array(spec.threads).fill(-1);
    this.arrivedAt = new Float64Array(spec.threads);
    // The proxy's queue in front of the app server's own backlog: one line of requests waiting for a thread.
    this.queue = new Float64Array((spec.proxy?.backlog ?? 0) + (spec.backlog ?? 0));
    this.proxied = spec.proxy !== undefined;
    this.proxyConnections = spec.proxy?.connections ?? Infinity;
    this.watchers = new Array<RequestWatcher | undefined>(spec.threads);
    this.queuedWatchers = new Array<RequestWatcher | undefined>(this.queue.length);
    this.sample = serviceTimeSampler(spec.serviceTime, random);
  }

  /** The app listens and answers health checks. */
  get healthy(): boolean {
    return this.state === "up";
  }

  get alive(): boolean {
    return this.state === "up" || this.state === "stopping";
  }

  start(): void {
    if (this.state === "starting") this.state = "up";
  }

  /** Requests being served or queued at `t`. */
  inFlight(t: number): number {
    this.advance(t);
    return this.busy + this.qLen;
  }

  /** A request arrives at `t`. */
  accept(t: number, watcher?: RequestWatcher): void {
    if (this.state !== "up") {
      // Nothing listens (not started, shutting down after SIGTERM, or dead): refused at once.
      this.sink(t, t, false, watcher);
      return;
    }
    this.advance(t);
    if (this.busy + this.qLen >= this.proxyConnections) {
      // nginx is at its own connection limit: it takes no more connections.
      this.sink(t, t, false, watcher);
    } else if (this.busy < this.threads) {
      this.begin(t, t, watcher);
    } else if (this.qLen < this.queue.length) {
      const slot = (this.qHead + this.qLen) % this.queue.length;
      this.queue[slot] = t;
      this.queuedWatchers[slot] = watcher;
      this.qLen++;
    } else {
      // Behind a proxy the connection was taken; the proxy answers 502 itself.
      this.sink(t, t, false, watcher, this.proxied);
    }
  }

  /** When the earliest request on a thread ends (Infinity when none is): a queued one can start then. */
  nextCompletion(): number {
    return this.nextEnd;
  }

  /** SIGTERM: stop accepting; requests in flight (and queued in the proxy) carry on. */
  sigterm(t: number): void {
    this.advance(t);
    if (this.state === "up" || this.state === "starting") this.state = "stopping";
  }

  /** The process ends at `t`: whatever has not finished fails. */
  exit(t: number): void {
    if (this.state === "down") return;
    this.advance(t);
    for (let i = 0; i < this.threads; i++) {
      if (this.busyUntil[i]! >= 0) {
        this.sink(this.arrivedAt[i]!, t, false, this.watchers[i]);
        this.busyUntil[i] = -1;
        this.watchers[i] = undefined;
      }
    }
    this.busy = 0;
    this.nextEnd = Infinity;
    this.nextThread = -1;
    while (this.qLen > 0) {
      this.sink(this.queue[this.qHead]!, t, false, this.queuedWatchers[this.qHead]);
      this.queuedWatchers[this.qHead] = undefined;
      this.qHead = (this.qHead + 1) % this.queue.length;
      this.qLen--;
    }
    this.state = "down";
  }

  /** Retires every request that finished by `t`, in completion order, starting queued ones as threads free up. */
  advance(t: number): void {
    while (this.busy > 0 && this.nextEnd <= t) {
      const k = this.nextThread;
      const end = this.nextEnd;
      const watcher = this.watchers[k];
      this.busyUntil[k] = -1;
      this.watchers[k] = undefined;
      this.busy--;
      this.findNextEnd();
      this.sink(this.arrivedAt[k]!, end, true, watcher);
      if (this.qLen > 0) {
        const arrived = this.queue[this.qHead]!;
        const queued = this.queuedWatchers[this.qHead];
        this.queuedWatchers[this.qHead] = undefined;
        this.qHead = (this.qHead + 1) % this.queue.length;
        this.qLen--;
        this.begin(arrived, end, queued);
      }
    }
  }

  /** Finds the request that ends first again, after one ended: the earliest end, the lowest thread on a tie. */
  private findNextEnd(): void {
    let k = -1;
    let end = Infinity;
    if (this.busy > 0) {
      for (let i = 0; i < this.threads; i++) {
        const u = this.busyUntil[i]!;
        if (u >= 0 && u < end) {
          end = u;
          k = i;
        }
      }
    }
    this.nextEnd = end;
    this.nextThread = k;
  }

  private begin(arrived: number, at: number, watcher: RequestWatcher | undefined): void {
    for (let i = 0; i < this.threads; i++) {
      if (this.busyUntil[i]! < 0) {
        const end = this.cpuDone(at) + this.sample();
        this.busyUntil[i] = end;
        this.arrivedAt[i] = arrived;
        this.watchers[i] = watcher;
        this.busy++;
        this.busyMs += end - at;
        if (end < this.nextEnd || (end === this.nextEnd && i < this.nextThread)) {
          this.nextEnd = end;
          this.nextThread = i;
        }
        watcher?.started(end);
        return;
      }
    }
  }

  /** When a request that starts at `at` has had its CPU work done: on the vCPU free soonest. */
  private cpuDone(at: number): number {
    if (this.cpuTime === 0) return at;
    let k = 0;
    for (let c = 1; c < this.cpuFreeAt.length; c++) if (this.cpuFreeAt[c]! < this.cpuFreeAt[k]!) k = c;
    const done = Math.max(at, this.cpuFreeAt[k]!) + this.cpuTime / this.cpuSpeed;
    this.cpuFreeAt[k] = done;
    return done;
  }
}
