/**
 * The stack file's edge in front of a Lambda function: `httpApis:` (API Gateway HTTP APIs, one
 * `$default` route with a Lambda proxy integration) and `distributions:` (CloudFront, with cache
 * behaviours by path pattern, error caching and the origin read timeout), and the path mix the
 * viewers request. Numbers are AWS's documented ones, cited where they are enforced.
 */
import { z } from "zod";
import { name } from "./common.js";
import { duration } from "./duration.js";

/**
 * HTTP API integration timeout: 50 ms to 30 s, 30 s by default (http-api-quotas.html, "Maximum
 * integration timeout"; the same 30 s in the API Gateway 504 troubleshooting article).
 */
export const HTTP_API_TIMEOUT_MS = { min: 50, max: 30_000 } as const;

/** CloudFront's origin response (read) timeout: 1–60 s by default quota, 30 s default (DownloadDistValuesOrigin.html#DownloadDistValuesOriginResponseTimeout). */
export const ORIGIN_READ_TIMEOUT_MS = { min: 1_000, max: 60_000, default: 30_000 } as const;

/** CloudFront caches an error for 10 s unless an Error Caching Minimum TTL is set (custom-error-pages-expiration.html). */
export const DEFAULT_ERROR_CACHING_SECONDS = 10;

/** The 4xx and 5xx codes CloudFront caches (HTTPStatusCodes.html#HTTPStatusCodes-cached-errors). */
export const CACHED_ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504] as const;

/** A year: CloudFront's default Maximum TTL (Expiration.html). */
const YEAR_SECONDS = 31_536_000;

const seconds = z.number().int().min(0);

export const httpApiSchema = z
  .object({
    name,
    /** The ApiId (10 lowercase letters and digits), so experiments and probes can name it; derived from the name when absent. */
    id: z.string().regex(/^[a-z0-9]{10}$/, { message: 'expected an API id of 10 lowercase letters and digits, such as "a1b2c3d4e5"' }).optional(),
    stage: z.string().regex(/^(\$default|[A-Za-z0-9_-]{1,128})$/, { message: 'expected "$default" or a stage name of letters, digits, "-" and "_"' }).default("$default"),
    integration: z
      .object({
        function: name,
        timeout: duration.default(HTTP_API_TIMEOUT_MS.max).refine((ms) => ms >= HTTP_API_TIMEOUT_MS.min && ms <= HTTP_API_TIMEOUT_MS.max, { message: "expected an integration timeout from 50 ms to 30 s (PT30S), HTTP API's range" }),
        payloadFormatVersion: z.enum(["2.0"], { message: 'expected payloadFormatVersion "2.0" (the sandbox builds 2.0 events only)' }).default("2.0"),
      })
      .strict(),
    /** Stage throttling (the route's default): requests over it get 429 (http-api-throttling.html). */
    throttle: z.object({ rateLimit: z.number().positive(), burstLimit: z.number().int().min(0) }).strict().optional(),
    /**
     * Response parameter mapping (http-api-parameter-mapping.html): headers overwritten on
     * responses with a status code, as `overwrite:header.<name>` does; a way to add Cache-Control
     * at the API when the function sends none.
     */
    responseHeaders: z.record(z.string(), z.record(z.string(), z.string())).default({}),
    /** API Gateway's own time on a request besides the integration (a modelling choice). */
    overhead: duration.default(5),
  })
  .strict();

const ttls = {
  minTTL: seconds.default(0),
  defaultTTL: seconds.default(86_400),
  maxTTL: seconds.default(YEAR_SECONDS),
};

const behaviorSchema = z
  .object({
    /** CloudFront's path pattern: `*` matches any characters, `?` one; case-sensitive (DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern). */
    pathPattern: z.string().regex(/^\/?[^\s]*$/, { message: 'expected a path pattern such as "/wp-content/*"' }),
    ...ttls,
  })
  .strict();

const viewerPathSchema = z.object({ path: z.string().regex(/^\/\S*$/, { message: 'expected a path starting with "/"' }), weight: z.number().positive() }).strict();

export const distributionSchema = z
  .object({
    name,
    /** The DistributionId (E + 13 uppercase letters and digits); derived from the name when absent. */
    id: z.string().regex(/^E[A-Z0-9]{13}$/, { message: 'expected a distribution id such as "E2QWRUHAPOMQZL"' }).optional(),
    origin: z
      .object({
        httpApi: name,
        readTimeout: duration.default(ORIGIN_READ_TIMEOUT_MS.default).refine((ms) => ms >= ORIGIN_READ_TIMEOUT_MS.min && ms <= ORIGIN_READ_TIMEOUT_MS.max, { message: "expected an origin read timeout from 1 s to 60 s (PT60S)" }),
      })
      .strict(),
    defaultBehavior: z.object(ttls).strict().default({ minTTL: 0, defaultTTL: 86_400, maxTTL: YEAR_SECONDS }),
    /** In order: the first whose pattern matches the path applies, else the default behaviour. */
    behaviors: z.array(behaviorSchema).default([]),
    /** Error Caching Minimum TTL in seconds by status code; codes not listed are cached 10 s. */
    errorCaching: z.record(z.string(), seconds).default({}),
    /** The additional metrics (CacheHitRate, OriginLatency, per-code error rates), a paid option. */
    additionalMetrics: z.boolean().default(false),
    /** Time at the edge for any request (a modelling choice; the sandbox has one edge location). */
    edgeLatency: duration.default(5),
    /** What the stack's viewers request, by weight (load comes from the `load:` section under the distribution's name). */
    viewerPaths: z.array(viewerPathSchema).min(1).default([{ path: "/", weight: 1 }]),
  })
  .strict();

export const httpApisSchema = z.array(httpApiSchema);
export const distributionsSchema = z.array(distributionSchema);

export type HttpApiSpec = z.infer<typeof httpApiSchema>;
export type DistributionSpec = z.infer<typeof distributionSchema>;
export type BehaviorTtls = z.infer<typeof behaviorSchema>;
