/**
 * Which failures are worth retrying. Mirrors the AWS SDK's classification (smithy
 * service-error-classification): throttling and transient errors retry, other client errors and
 * non-transient server errors (501) do not.
 */
export type ErrorClass = "throttling" | "transient" | "server" | "client";

const THROTTLING = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
  // Not in the SDK's list, but a KMS rate limit is a throttle all the same.
  "KMSThrottlingException",
]);

/**
 * 429s that no retry clears: EFS's TooManyRequests is its once-per-24-hours limit on throughput
 * mode changes and decreases (API_UpdateFileSystem.html), not a request rate.
 */
const NOT_RATE_LIMITS = new Set(["TooManyRequests"]);

const TRANSIENT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "InternalFailure", "InternalFailureException", "ServiceUnavailable", "ServiceUnavailableException"]);
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  cause?: unknown;
}

export function classifyError(err: unknown, depth = 0): ErrorClass {
  if (!err || typeof err !== "object") return "client";
  const e = err as ErrorLike;
  const name = typeof e.name === "string" ? e.name : "";
  const status = e.$metadata?.httpStatusCode;
  if (NOT_RATE_LIMITS.has(name)) return "client";
  if (status === 429 || e.$retryable?.throttling || THROTTLING.has(name)) return "throttling";
  if (e.$retryable || TRANSIENT_NAMES.has(name)) return "transient";
  if (typeof e.code === "string" && TRANSIENT_CODES.has(e.code)) return "transient";
  if (status !== undefined && TRANSIENT_STATUS.has(status)) return "transient";
  if (depth < 10 && e.cause) {
    const inner = classifyError(e.cause, depth + 1);
    if (inner === "throttling" || inner === "transient") return inner;
  }
  if (status !== undefined && status >= 500) return "server";
  return "client";
}

export function isRetryable(c: ErrorClass): c is "throttling" | "transient" {
  return c === "throttling" || c === "transient";
}
