/**
 * A CloudFront distribution in front of an HTTP API, as one edge location (the sandbox has one;
 * CloudFront has a cache per edge, and a viewer population spread over many would miss more):
 * - the first cache behaviour whose path pattern matches (`*` any characters, `?` one,
 *   case-sensitive) sets the TTLs, else the default behaviour (DownloadDistValuesCacheBehavior.html);
 * - a 2xx/3xx answer is kept for the origin's `Cache-Control: s-maxage` or `max-age`, held within
 *   [minTTL, maxTTL], or for the default TTL when it sends neither (Expiration.html,
 *   "Specify the amount of time that CloudFront caches objects");
 * - the origin does not answer within the origin read timeout (30 s by default): 504
 *   (http-504-gateway-timeout.html); a timeout counts as a 5xx from the origin (HTTPStatusCodes.html);
 * - a 5xx from the origin, or a timeout, while an expired copy is within the origin's
 *   `stale-if-error` window: the stale copy is served (Expiration.html, stale-if-error, supported
 *   since 2023-05); else the error is cached for its Error Caching Minimum TTL, 10 s by default
 *   (custom-error-pages-expiration.html), and served to every viewer until then;
 * - simultaneous misses for one cacheable object make one origin request (RequestAndResponseBehaviorCustomOrigin.html, "Simultaneous requests for the same object").
 */
import type { Kernel } from "../../kernel.js";
import { stableId } from "../edge-ids.js";
import type { MetricSink } from "../cloudwatch/sink.js";
import type { EdgeResponse, HttpApi } from "../apigateway/http-api.js";
import { DEFAULT_ERROR_CACHING_SECONDS, type BehaviorTtls, type DistributionSpec } from "../../stack/edge.js";
import { DistributionMetrics } from "./metrics.js";

/** The reason a timeout timer is cancelled with: given, so no DOMException is built per request. */
const ANSWERED = new Error("answered before the timeout");

/** How a viewer's request was served, for the response's `x-cache` header (as CloudFront sets it). */
export type CacheResult = "Hit" | "Miss" | "RefreshHit" | "Error";

export interface ViewerResponse extends EdgeResponse {
  cache: CacheResult;
}

interface Entry {
  response: EdgeResponse;
  /** Fresh until (ms). */
  expires: number;
  /** A stale copy may stand in for an origin error until (ms). */
  staleUntil: number;
  error: boolean;
}

/** What a viewer gets for an origin request: the response, how it was served, the origin's time. */
interface Decided {
  response: EdgeResponse;
  cache: CacheResult;
  originMs: number;
}

interface OriginAnswer {
  response: EdgeResponse;
  ms: number;
}

const CACHED_ERRORS = new Set([400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]);
const ORIGIN_ERRORS = new Set([500, 502, 503, 504]);

export class Distribution {
  readonly id: string;
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Decided>>();
  private readonly metrics: DistributionMetrics;
  private readonly patterns: { re: RegExp; ttls: BehaviorTtls }[];

  constructor(
    readonly spec: DistributionSpec,
    private readonly kernel: Kernel,
    private readonly origin: HttpApi,
    sink: MetricSink,
  ) {
    this.id = spec.id ?? `E${stableId(spec.name, 13).toUpperCase()}`;
    this.metrics = new DistributionMetrics(sink, this.id, spec.additionalMetrics);
    this.patterns = spec.behaviors.map((b) => ({ re: globToRegExp(b.pathPattern), ttls: b }));
  }

  /** The behaviour's TTLs for a path. */
  behaviorFor(path: string): Omit<BehaviorTtls, "pathPattern"> {
    return this.patterns.find((p) => p.re.test(path))?.ttls ?? this.spec.defaultBehavior;
  }

  /** One viewer GET, answered in the sandbox's time. */
  async get(path: string): Promise<ViewerResponse> {
    const clock = this.kernel.clock;
    await clock.sleep(this.spec.edgeLatency);
    const now = clock.now();
    const cached = this.cache.get(path);
    if (cached && now < cached.expires) return this.served(cached.response, cached.error ? "Error" : "Hit", undefined);
    const ttls = this.behaviorFor(path);
    const pending = this.inFlight.get(path);
    if (pending) {
      // Waited on another viewer's origin request: served what it was served, from the edge.
      const shared = await pending;
      return this.served(shared.response, shared.cache === "Miss" ? "Hit" : shared.cache, undefined);
    }
    const outcome = this.fetch(path).then((answer) => this.store(path, ttls, answer, cached));
    // Shared only where the behaviour caches by default: a page on a TTL-0 behaviour goes to the
    // origin for every viewer (a modelling choice: CloudFront cannot know before the answer
    // whether the origin's Cache-Control makes it cacheable).
    if (ttls.defaultTTL > 0 || ttls.minTTL > 0) this.inFlight.set(path, outcome);
    let decided: Decided;
    try {
      decided = await outcome;
    } finally {
      if (this.inFlight.get(path) === outcome) this.inFlight.delete(path);
    }
    return this.served(decided.response, decided.cache, decided.originMs);
  }

  /** Puts the minutes that ended by now. */
  flush(): void {
    this.metrics.flush(this.kernel.now());
  }

  /** The origin's answer, or a 504 at the origin read timeout. */
  private async fetch(path: string): Promise<OriginAnswer> {
    const clock = this.kernel.clock;
    const start = clock.now();
    const stop = new AbortController();
    const timedOut = clock.sleep(this.spec.origin.readTimeout, stop.signal).then(
      () => ({ status: 504, headers: { "content-type": "text/html" }, body: "504 Gateway Timeout ERROR: CloudFront could not connect to the origin within the origin read timeout.", timedOut: true }),
      () => undefined,
    );
    const request = this.origin.handle({ method: "GET", path, headers: { "user-agent": "Amazon CloudFront", via: "2.0 sandbox.cloudfront.net (CloudFront)" } });
    try {
      const response = (await Promise.race([request, timedOut]))!;
      return { response, ms: clock.now() - start };
    } finally {
      stop.abort(ANSWERED);
    }
  }

  /** Caches what the origin answered as CloudFront would, and says what the viewer gets. */
  private store(path: string, ttls: Omit<BehaviorTtls, "pathPattern">, answer: OriginAnswer, previous: Entry | undefined): Decided {
    const now = this.kernel.clock.now();
    const { response } = answer;
    const directives = cacheControl(response.headers["cache-control"]);
    if (ORIGIN_ERRORS.has(response.status) && previous && !previous.error && now < previous.staleUntil) {
      return { response: previous.response, cache: "RefreshHit", originMs: answer.ms };
    }
    if (response.status >= 400) {
      if (CACHED_ERRORS.has(response.status)) {
        const minimum = this.spec.errorCaching[String(response.status)] ?? DEFAULT_ERROR_CACHING_SECONDS;
        // The origin's max-age on an error raises the time, never lowers it (custom-error-pages-expiration.html).
        const seconds = Math.max(minimum, Math.min(directives.maxAge ?? 0, ttls.maxTTL));
        if (seconds > 0) this.cache.set(path, { response, expires: now + seconds * 1000, staleUntil: 0, error: true });
      }
      return { response, cache: "Error", originMs: answer.ms };
    }
    const seconds = directives.maxAge === undefined ? ttls.defaultTTL : Math.min(ttls.maxTTL, Math.max(ttls.minTTL, directives.maxAge));
    const stale = (directives.staleIfError ?? 0) * 1000;
    if (seconds > 0 || stale > 0) this.cache.set(path, { response, expires: now + seconds * 1000, staleUntil: now + seconds * 1000 + stale, error: false });
    else this.cache.delete(path);
    return { response, cache: "Miss", originMs: answer.ms };
  }

  private served(response: EdgeResponse, cache: CacheResult, originMs: number | undefined): ViewerResponse {
    this.metrics.record(this.kernel.clock.now(), response.status, originMs === undefined || cache === "RefreshHit", originMs);
    return { ...response, headers: { ...response.headers, "x-cache": `${cache} from cloudfront` }, cache };
  }
}

/** s-maxage (for shared caches) over max-age, and stale-if-error, in seconds. */
export function cacheControl(header: string | undefined): { maxAge?: number; staleIfError?: number } {
  const out: { maxAge?: number; staleIfError?: number } = {};
  let maxAge: number | undefined;
  let sMaxAge: number | undefined;
  for (const part of (header ?? "").split(",")) {
    const [k, v] = part.trim().toLowerCase().split("=") as [string, string | undefined];
    const n = v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
    if (k === "max-age" && n !== undefined) maxAge = n;
    if (k === "s-maxage" && n !== undefined) sMaxAge = n;
    if (k === "stale-if-error" && n !== undefined) out.staleIfError = n;
    if (k === "no-store" || k === "no-cache" || k === "private") maxAge = 0;
  }
  const age = sMaxAge ?? maxAge;
  if (age !== undefined) out.maxAge = age;
  return out;
}

/** CloudFront's path pattern as a regular expression: `*` any run of characters, `?` exactly one. */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.startsWith("/") ? pattern : `/${pattern}`;
  return new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
}

