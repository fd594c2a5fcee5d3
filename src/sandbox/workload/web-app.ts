/**
 * A web application container: a fixed pool of threads with a service-time distribution, and
 * optionally a proxy with a backlog queue in front of it. A request that finds every thread busy
 * is refused at once, unless the proxy has room to queue it.
 *
 * Cheap by design: no timer per request. A task's threads are simulated lazily; each arrival (and
 * each stats query) first retires every request that finished by then, in completion order, and
 * starts queued ones on the threads they free. Outcomes are the same as with a timer per request.
 */
import type { Random } from "../../random/random.js";
import type { AppSpec } from "../stack/ecs.js";
import { serviceTimeSampler, type Sampler } from "./service-time.js";

/** Called once per request: when it arrived, when it ended, and whether the app answered it. */
export type RequestSink = (arrivedAt: number, endedAt: number, answered: boolean) => void;

export type AppState = "starting" | "up" | "stopping" | "down";

export class WebApp {
  state: AppState = "starting";
  private readonly threads: number;
  private readonly busyUntil: Float64Array;
  private readonly arrivedAt: Float64Array;
  private busy = 0;
  /** Thread time spent serving requests so far, in ms (counted when each starts): the app's CPU use. */
  busyMs = 0;
  private readonly queue: Float64Array;
  private qHead = 0;
  private qLen = 0;
  private readonly sample: Sampler;

  constructor(
    spec: AppSpec,
    random: Random,
    private readonly sink: RequestSink,
  ) {
    this.threads = spec.threads;
    this.busyUntil = new Float64Array(spec.threads).fill(-1);
    this.arrivedAt = new Float64Array(spec.threads);
    this.queue = new Float64Array(spec.proxy?.backlog ?? 0);
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
  accept(t: number): void {
    if (this.state !== "up") {
      // Nothing listens (not started, shutting down after SIGTERM, or dead): refused at once.
      this.sink(t, t, false);
      return;
    }
    this.advance(t);
    if (this.busy < this.threads) {
      this.begin(t, t);
    } else if (this.qLen < this.queue.length) {
      this.queue[(this.qHead + this.qLen) % this.queue.length] = t;
      this.qLen++;
    } else {
      this.sink(t, t, false);
    }
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
        this.sink(this.arrivedAt[i]!, t, false);
        this.busyUntil[i] = -1;
      }
    }
    this.busy = 0;
    while (this.qLen > 0) {
      this.sink(this.queue[this.qHead]!, t, false);
      this.qHead = (this.qHead + 1) % this.queue.length;
      this.qLen--;
    }
    this.state = "down";
  }

  /** Retires every request that finished by `t`, in completion order, starting queued ones as threads free up. */
  advance(t: number): void {
    while (this.busy > 0) {
      let k = -1;
      let end = Infinity;
      for (let i = 0; i < this.threads; i++) {
        const u = this.busyUntil[i]!;
        if (u >= 0 && u < end) {
          end = u;
          k = i;
        }
      }
      if (end > t) return;
      this.sink(this.arrivedAt[k]!, end, true);
      this.busyUntil[k] = -1;
      this.busy--;
      if (this.qLen > 0) {
        const arrived = this.queue[this.qHead]!;
        this.qHead = (this.qHead + 1) % this.queue.length;
        this.qLen--;
        this.begin(arrived, end);
      }
    }
  }

  private begin(arrived: number, at: number): void {
    for (let i = 0; i < this.threads; i++) {
      if (this.busyUntil[i]! < 0) {
        this.busyUntil[i] = at + this.sample();
        this.arrivedAt[i] = arrived;
        this.busy++;
        this.busyMs += this.busyUntil[i]! - at;
        return;
      }
    }
  }
}
