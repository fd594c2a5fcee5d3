/**
 * An open-model HTTP load generator for real targets: requests go out on the schedule of the
 * offered rate whether or not earlier ones have been answered (a closed loop would slow down with
 * the target and hide exactly the overload a chaos experiment is after). HTTP/1.1 keep-alive over a
 * bounded socket pool, a timeout per request, a latency histogram, and outcomes by status and by
 * transport error (timeout, connection refused, reset).
 *
 * Time comes from the injected Clock: one timer at a time, for the next arrival. A timer that fires
 * late (a busy process) sends every arrival that fell due, at once, rather than drifting behind;
 * how late the worst one went out is reported. Latency is measured on the same clock, so against a
 * served sandbox a ScaledClock at the sandbox's speed measures in the sandbox's time.
 *
 * The generator knows when it is the bottleneck (shortfall.ts): a request that reaches its
 * connection late, that never gets one of the pool's connections before its timeout, or whose
 * timeout fires so late that its answer may have come unread, is the generator's failure, counted
 * apart from the target's (GeneratorErrorCount, GeneratorLateCount) and never as a timeout of the
 * target. A request's timeout therefore runs twice: once for a connection of the pool (the
 * generator's part), then afresh for the answer once it has one (the target's part).
 */
import { Agent as HttpAgent, request as httpRequest, validateHeaderName, validateHeaderValue, type ClientRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Clock } from "../time/clock.js";
import type { Random } from "../random/random.js";
import { LatencyHistogram, type Percentiles } from "./histogram.js";
import { ArrivalSchedule, type RateStage } from "./schedule.js";
import type { ErrorClass, LoadMetrics, Outcome } from "./metrics.js";
import { GeneratorShortfall, LATE_MS } from "./shortfall.js";

export interface HttpLoadOptions {
  url: string;
  stages: readonly RateStage[];
  clock: Clock;
  /**
   * A request unanswered this long (ms, on the clock) after it got a connection is abandoned and
   * counted as a timeout; one that waited this long for a connection is the generator's (unsent). Default 10 000.
   */
  timeoutMs?: number;
  /** Most connections open at once; requests beyond them wait for a free one (their timeout running). Default 256. */
  maxSockets?: number;
  /** Where to count the generator's own shortfall as well as in the result (a service's generators share one). */
  shortfall?: GeneratorShortfall;
  /** Evenly spaced arrivals (default) or a Poisson process, which needs `random`. */
  arrivals?: "uniform" | "poisson";
  random?: Random;
  method?: string;
  headers?: Readonly<Record<string, string>>;
  /** Where to publish what was measured, period by period. */
  metrics?: LoadMetrics;
  /** Stops sending; requests in flight still finish (or time out). */
  signal?: AbortSignal;
}

export interface LoadResult {
  url: string;
  startedAt: number;
  endedAt: number;
  /** Requests sent, and how many got an HTTP answer. */
  sent: number;
  answered: number;
  /** Answers by status code. */
  byStatus: Record<string, number>;
  /** The target's failures: timeouts of requests it was sent, and transport errors. */
  errors: Record<ErrorClass, number>;
  /** Latency of answered requests, ms (request on its connection to response body read). */
  latency: Percentiles;
  /** How late, at worst, the schedule's timer sent a request after its scheduled instant, ms. */
  maxLagMs: number;
  /** The generator's own failures to keep its schedule (none when it kept up). */
  shortfall: GeneratorShortfall;
}

/** The defaults of HttpLoadOptions.timeoutMs and maxSockets. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_SOCKETS = 256;

/** Runs the schedule against `url` and resolves once every request sent has ended. */
export function runHttpLoad(options: HttpLoadOptions): Promise<LoadResult> {
  const url = parseTarget(options.url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new RangeError(`timeout: expected a number of ms > 0, found ${timeoutMs}`);
  const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
  if (!Number.isInteger(maxSockets) || maxSockets < 1) throw new RangeError(`maxSockets: expected a whole number >= 1, found ${maxSockets}`);
  checkHeaders(options.headers ?? {});
  const schedule = new ArrivalSchedule(options.stages, options.arrivals, options.random);
  const { clock, metrics, signal } = options;
  const https = url.protocol === "https:";
  const agent = new (https ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const request = https ? httpsRequest : httpRequest;

  const histogram = new LatencyHistogram();
  const result: LoadResult = {
    url: url.href,
    startedAt: clock.now(),
    endedAt: NaN,
    sent: 0,
    answered: 0,
    byStatus: {},
    errors: { timeout: 0, refused: 0, reset: 0, other: 0 },
    latency: histogram.summary(),
    maxLagMs: 0,
    shortfall: new GeneratorShortfall(),
  };
  const shortfalls = options.shortfall ? [result.shortfall, options.shortfall] : [result.shortfall];
  const count = (f: (s: GeneratorShortfall) => void): void => shortfalls.forEach(f);
  const inFlight = new Set<Promise<void>>();

  const record = (outcome: Outcome): void => {
    if ("status" in outcome) {
      result.answered++;
      result.byStatus[outcome.status] = (result.byStatus[outcome.status] ?? 0) + 1;
      histogram.record(outcome.latencyMs);
    } else result.errors[outcome.error]++;
    metrics?.record(clock.now(), outcome);
  };

  /** `due` is the request's scheduled instant on the clock. */
  const send = (due: number): void => {
    result.sent++;
    count((s) => s.scheduled++);
    const ended = new Promise<void>((resolve) => {
      let done = false;
      let onWireAt = NaN;
      const end = (outcome: Outcome | "unsent" | "stalled"): void => {
        if (done) return;
        done = true;
        cancelTimeout();
        if (outcome === "unsent" || outcome === "stalled") {
          count((s) => s[outcome]++);
          metrics?.recordGenerator(clock.now(), outcome);
        } else record(outcome);
        resolve();
      };
      // First the generator's part: a connection of its pool within the timeout.
      let cancelTimeout = clock.setTimer(timeoutMs, () => {
        end("unsent");
        req.destroy();
      });
      const req: ClientRequest = request(url, { agent, method: options.method ?? "GET", headers: options.headers }, (res: IncomingMessage) => {
        res.on("error", (err) => end({ error: classify(err) }));
        res.on("end", () => end({ status: res.statusCode ?? 0, latencyMs: clock.now() - onWireAt }));
        res.resume();
      });
      // The agent queues a request only when every connection of the pool is taken.
      if (Object.keys(agent.requests).length > 0) count((s) => s.waitedForSocket++);
      req.once("socket", () => {
        if (done) return;
        onWireAt = clock.now();
        const lateMs = onWireAt - due;
        if (lateMs > LATE_MS) {
          count((s) => s.late++);
          metrics?.recordLate(onWireAt);
        }
        count((s) => (s.maxLateMs = Math.max(s.maxLateMs, lateMs)));
        // Then the target's part: an answer within the timeout, from now.
        cancelTimeout();
        const deadline = onWireAt + timeoutMs;
        cancelTimeout = clock.setTimer(timeoutMs, () => {
          // A timer this late means the process was stalled: the answer may be in, unread.
          end(clock.now() - deadline > LATE_MS ? "stalled" : { error: "timeout" });
          req.destroy();
        });
      });
      req.on("error", (err) => end({ error: classify(err) }));
      req.end();
    });
    inFlight.add(ended);
    void ended.then(() => inFlight.delete(ended));
  };

  return new Promise<LoadResult>((resolve) => {
    const t0 = result.startedAt;
    let next = schedule.next();
    let cancelArrival = (): void => {};
    let cancelFlush = (): void => {};

    let finishing = false;
    const finish = async (): Promise<void> => {
      if (finishing) return;
      finishing = true;
      cancelArrival();
      signal?.removeEventListener("abort", finish);
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      cancelFlush();
      agent.destroy();
      result.endedAt = clock.now();
      result.latency = histogram.summary();
      metrics?.flush();
      resolve(result);
    };

    const fire = (): void => {
      const now = clock.now();
      while (next !== undefined && t0 + next <= now) {
        result.maxLagMs = Math.max(result.maxLagMs, now - (t0 + next));
        send(t0 + next);
        next = schedule.next();
      }
      if (next === undefined) return void finish();
      cancelArrival = clock.setTimer(t0 + next - now, fire);
    };

    // Publishes each period as soon as it is over, so a probe can read it while the load goes on.
    const flushAtPeriodEnd = (): void => {
      if (!metrics) return;
      const now = clock.now();
      const nextEnd = (Math.floor(now / metrics.periodMs) + 1) * metrics.periodMs;
      cancelFlush = clock.setTimer(nextEnd - now, () => {
        metrics.flush(clock.now());
        flushAtPeriodEnd();
      });
    };

    if (signal?.aborted) return void finish();
    signal?.addEventListener("abort", finish, { once: true });
    flushAtPeriodEnd();
    fire();
  });
}

/** The target URL, http or https, or an error that says what was expected. */
function parseTarget(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`url: expected an http:// or https:// URL, found ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new RangeError(`url: expected an http:// or https:// URL, found ${JSON.stringify(text)}`);
  return url;
}

/** Headers node:http would refuse, reported before the first request rather than thrown from a timer. */
function checkHeaders(headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      throw new RangeError(`headers: expected HTTP header names and values, found ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    }
  }
}

/** A transport failure's class, from Node's error code. */
function classify(err: NodeJS.ErrnoException): ErrorClass {
  if (err.code === "ECONNREFUSED") return "refused";
  if (err.code === "ECONNRESET" || err.code === "EPIPE" || err.message === "socket hang up") return "reset";
  return "other";
}
