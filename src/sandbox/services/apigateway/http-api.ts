/**
 * An API Gateway HTTP API with one `$default` route and a Lambda proxy integration (payload format
 * 2.0), as a request path inside the sandbox: CloudFront (or a served port) hands it a request, it
 * invokes the function through the sandbox's Lambda and answers as API Gateway documents:
 * - over the stage throttle: 429 (http-api-throttling.html);
 * - the integration does not answer within the integration timeout (30 s at most): 504
 *   (knowledge-center/api-gateway-504-errors); the invocation carries on in Lambda regardless;
 * - Lambda refuses the invocation (a throttle's 429, an EFS mount exception): 500; the function
 *   ran and failed (an exception, its own timeout) or answered in the wrong shape: 502; both with
 *   `{"message":"Internal Server Error"}` (lambda/latest/dg/services-apigateway-errors.html);
 * - otherwise the function's answer, read as payload 2.0: an object with statusCode gives status,
 *   headers and body; anything else is a 200 with the JSON as body
 *   (http-api-develop-integrations-lambda.html, "Lambda function response for format 2.0").
 * Response parameter mapping overwrites headers by status (http-api-parameter-mapping.html).
 */
import type { Kernel } from "../../kernel.js";
import { stableId } from "../edge-ids.js";
import type { LambdaService } from "../lambda/service.js";
import { httpApiEvent } from "../lambda/wordpress-http.js";
import type { MetricSink } from "../cloudwatch/sink.js";
import type { HttpApiSpec } from "../../stack/edge.js";
import { HttpApiMetrics } from "./metrics.js";

/** The reason a timeout timer is cancelled with: given, so no DOMException is built per request. */
const ANSWERED = new Error("answered before the timeout");

export interface EdgeRequest {
  method: string;
  /** The path, without the query string. */
  path: string;
  rawQueryString?: string;
  headers?: Readonly<Record<string, string>>;
}

export interface EdgeResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

const message = (status: number, text: string): EdgeResponse => ({ status, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: text }) });

/** A token bucket: `rateLimit` a second, up to `burstLimit` at once, as API Gateway throttles. */
class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class HttpApi {
  readonly id: string;
  private readonly metrics: HttpApiMetrics;
  private readonly bucket: TokenBucket | undefined;
  private requests = 0;

  constructor(
    readonly spec: HttpApiSpec,
    private readonly kernel: Kernel,
    private readonly lambda: LambdaService,
    sink: MetricSink,
  ) {
    this.id = spec.id ?? stableId(spec.name, 10);
    this.metrics = new HttpApiMetrics(sink, { ApiId: this.id, Stage: spec.stage });
    this.bucket = spec.throttle ? new TokenBucket(spec.throttle.rateLimit, spec.throttle.burstLimit, kernel.now()) : undefined;
  }

  /** The execute-api host CloudFront's origin names. */
  get domainName(): string {
    return `${this.id}.execute-api.${this.kernel.region}.amazonaws.com`;
  }

  /** One request through the route, answered in the sandbox's time. */
  async handle(request: EdgeRequest): Promise<EdgeResponse> {
    const clock = this.kernel.clock;
    const received = clock.now();
    if (this.bucket && !this.bucket.take(received)) {
      const r = message(429, "Too Many Requests");
      this.metrics.record(received, r.status, 0, undefined);
      return r;
    }
    await clock.sleep(this.spec.overhead);
    const relayed = clock.now();
    const response = this.withMappedHeaders(await this.integrate(request, relayed));
    const done = clock.now();
    this.metrics.record(done, response.status, done - received, done - relayed);
    return response;
  }

  /** Puts the minutes that ended by now. */
  flush(): void {
    this.metrics.flush(this.kernel.now());
  }

  private async integrate(request: EdgeRequest, at: number): Promise<EdgeResponse> {
    const { timeout, function: fn } = this.spec.integration;
    const invocation = this.lambda.invoke(fn, this.event(request, at)).then(
      (result) => answer(result.payload, result.functionError),
      () => message(500, "Internal Server Error"),
    );
    const stop = new AbortController();
    const timedOut = this.kernel.clock.sleep(timeout, stop.signal).then(
      () => message(504, "Service Unavailable"),
      () => undefined,
    );
    try {
      // The timer loses when the invocation ends first (then it is cancelled and yields nothing).
      return (await Promise.race([invocation, timedOut]))!;
    } finally {
      stop.abort(ANSWERED);
    }
  }

  private withMappedHeaders(r: EdgeResponse): EdgeResponse {
    const mapped = this.spec.responseHeaders[String(r.status)];
    if (!mapped) return r;
    const headers = { ...r.headers };
    for (const [k, v] of Object.entries(mapped)) headers[k.toLowerCase()] = v;
    return { ...r, headers };
  }

  /**
   * The payload 2.0 event (http-api-develop-integrations-lambda.html, "Payload format version 2.0"),
   * built by the Lambda model's own builder, with this API's stage, a request id unique per request
   * and CloudFront's user agent.
   */
  private event(request: EdgeRequest, at: number): Record<string, unknown> {
    this.requests++;
    const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const event = httpApiEvent(request.method, request.path, at, {
      rawQueryString: request.rawQueryString ?? "",
      headers: { host: this.domainName, ...headers },
      apiId: this.id,
      accountId: this.kernel.accountId,
      region: this.kernel.region,
    });
    const context = event.requestContext as Record<string, unknown>;
    const http = context.http as Record<string, unknown>;
    return {
      ...event,
      requestContext: { ...context, stage: this.spec.stage, requestId: `${this.id}-${this.requests.toString(36)}`, http: { ...http, userAgent: headers["user-agent"] ?? http.userAgent } },
    };
  }
}

/** The function's answer, read as payload format 2.0. */
function answer(payload: unknown, functionError: string | undefined): EdgeResponse {
  if (functionError) return message(502, "Internal Server Error");
  if (typeof payload === "object" && payload !== null && "statusCode" in payload) {
    const p = payload as { statusCode: unknown; headers?: unknown; body?: unknown };
    if (typeof p.statusCode !== "number" || !Number.isInteger(p.statusCode) || p.statusCode < 100 || p.statusCode > 599) return message(502, "Internal Server Error");
    const headers: Record<string, string> = {};
    if (typeof p.headers === "object" && p.headers !== null) for (const [k, v] of Object.entries(p.headers)) headers[k.toLowerCase()] = String(v);
    return { status: p.statusCode, headers, body: typeof p.body === "string" ? p.body : "" };
  }
  return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(payload ?? null) };
}

