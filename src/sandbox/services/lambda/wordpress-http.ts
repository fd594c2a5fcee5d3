/**
 * The WordPress function's HTTP face: API Gateway HTTP API events in payload format 2.0 and
 * responses in its 2.0 shape (apigateway/latest/developerguide/http-api-develop-integrations-lambda.html),
 * so that API Gateway and CloudFront in front of it (and anyone invoking it directly) speak what
 * AWS speaks. Which request is which follows the seed's handler.php: a static extension is a file
 * read with readfile(); everything else runs WordPress.
 */

/** Extensions handler.php serves with file_exists + readfile (seed patterns, section 3). */
const STATIC_TYPES: Readonly<Record<string, string>> = {
  css: "text/css",
  js: "application/javascript",
  png: "image/png",
  jpeg: "image/jpeg",
  jpg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
};

export interface HttpApiRequest {
  method: string;
  path: string;
  /** The Content-Type of a static file, or undefined for a WordPress page. */
  staticType: string | undefined;
}

export interface HttpApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/** The request an HTTP API 2.0 event carries, or why the event is not one. */
export function parseHttpApiEvent(event: unknown): HttpApiRequest | { error: string } {
  const e = event as { version?: unknown; rawPath?: unknown; requestContext?: { http?: { method?: unknown } } } | null;
  const method = e?.requestContext?.http?.method;
  if (!e || typeof e !== "object" || e.version !== "2.0" || typeof e.rawPath !== "string" || typeof method !== "string") {
    return { error: `expected an API Gateway HTTP API event in payload format 2.0 (version "2.0", rawPath, requestContext.http.method), found ${JSON.stringify(event)?.slice(0, 120)}` };
  }
  const ext = /\.([a-z0-9]+)$/i.exec(e.rawPath)?.[1]?.toLowerCase();
  return { method, path: e.rawPath, staticType: ext ? STATIC_TYPES[ext] : undefined };
}

export function httpResponse(statusCode: number, contentType: string, body: string): HttpApiResponse {
  return { statusCode, headers: { "content-type": contentType }, body, isBase64Encoded: false };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** requestContext.time's form, as in the documented example: "12/Mar/2020:19:03:58 +0000". */
export function clfTime(at: number): string {
  const d = new Date(at);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/**
 * An HTTP API 2.0 event as API Gateway builds it for `$default` (the documented example's
 * members); `at` is the request's time in epoch milliseconds.
 */
export function httpApiEvent(method: string, rawPath: string, at: number, options: { rawQueryString?: string; headers?: Record<string, string>; body?: string; apiId?: string; accountId?: string; region?: string } = {}): Record<string, unknown> {
  const apiId = options.apiId ?? "wordpress";
  const region = options.region ?? "us-east-1";
  const rawQueryString = options.rawQueryString ?? "";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    headers: options.headers ?? {},
    ...(rawQueryString ? { queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) } : {}),
    requestContext: {
      accountId: options.accountId ?? "123456789012",
      apiId,
      domainName: `${apiId}.execute-api.${region}.amazonaws.com`,
      domainPrefix: apiId,
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "gameday" },
      requestId: `${apiId}-${at}`,
      routeKey: "$default",
      stage: "$default",
      time: clfTime(at),
      timeEpoch: at,
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: false,
  };
}
