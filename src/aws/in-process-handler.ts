/**
 * An SDK request handler that hands each request to a dispatcher in the same process instead of a
 * socket. Against the embedded sandbox this is the whole transport: no ports, no real I/O, so
 * virtual time never waits on the network. A dispatcher may answer with a transport failure; the
 * handler turns it into the error Node's HTTP handler would raise (ECONNREFUSED at once, or a
 * TimeoutError after the request timeout, on the injected clock).
 */
import type { HttpHandlerOptions, HttpRequest, HttpResponse } from "@smithy/types";
import type { Clock } from "../time/clock.js";
import { installObjectLane, ParsedRequestBody, ParsedResponseBody } from "./in-process-lane.js";
import { installLeanSerde } from "./in-process-serde.js";
import { installLeanEndpoint } from "./in-process-endpoint.js";

/** Structurally the sandbox's request type; aws/ does not import the sandbox. */
export interface LocalRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** The object lane (in-process-lane.ts): the parsed body itself; `body` is then empty. */
  input?: Record<string, unknown>;
}
export interface LocalResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** On the object lane, a 200's output object itself; `body` is then empty. */
  output?: unknown;
  /** The answer comes later, in the target's time (the sandbox's Lambda Invoke). */
  later?: Promise<LocalOutcome>;
}
export type LocalOutcome = LocalResponse | { failure: "refused" | "timeout" };
export type LocalDispatch = (request: LocalRequest) => LocalOutcome;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return decoder.decode(body);
  throw new TypeError("the in-process handler only carries string or byte bodies (no streams)");
}

export class InProcessHandler {
  readonly metadata = { handlerProtocol: "in-process" };

  constructor(
    private readonly dispatch: LocalDispatch,
    private readonly clock: Clock,
    /** What a hung request costs before the client gives up, like NodeHttpHandler's requestTimeout. */
    private readonly requestTimeoutMs = 5_000,
  ) {}

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.query ?? {})) {
      if (typeof v === "string") query[k] = v;
      else if (Array.isArray(v) && v.length > 0) query[k] = v[0]!;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
    const parsed = request.body instanceof ParsedRequestBody ? request.body : undefined;
    const local: LocalRequest = { method: request.method, path: request.path, query, headers, body: parsed ? "" : bodyText(request.body) };
    if (parsed) local.input = parsed.input;
    let outcome = this.dispatch(local);
    while (!("failure" in outcome) && outcome.later) outcome = await outcome.later;
    if ("failure" in outcome) {
      if (outcome.failure === "refused") {
        throw Object.assign(new Error(`connect ECONNREFUSED ${request.hostname}`), { name: "Error", code: "ECONNREFUSED" });
      }
      const signal = (options.abortSignal ?? (request as { [CALL_SIGNAL]?: unknown })[CALL_SIGNAL]) as AbortSignal | undefined;
      await this.clock.sleep(this.requestTimeoutMs, signal);
      throw Object.assign(new Error(`Request timed out after ${this.requestTimeoutMs} ms`), { name: "TimeoutError" });
    }
    if (outcome.output !== undefined) {
      return { response: { statusCode: outcome.statusCode, headers: outcome.headers, body: new ParsedResponseBody(outcome.output) } };
    }
    return {
      // A plain object: the SDK recognises responses by shape, and this avoids tying us to one of the
      // two @smithy/protocol-http copies the pinned clients bring.
      response: { statusCode: outcome.statusCode, headers: outcome.headers, body: encoder.encode(outcome.body) },
    };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}

/**
 * Middleware that does nothing useful over an in-process transport, removed from clients that use
 * one: the logger (no logger is configured, but it filters every input anyway), the user agent
 * (nobody reads it) and Lambda recursion detection (there is no Lambda). Together they are over a
 * third of an SDK call's cost, and a long virtual run makes hundreds of thousands of calls.
 * Content-Length is read by no one in process either, and on the object lane (in-process-lane.ts)
 * it would raise and swallow an Error per call measuring a body that is not text.
 * Clients for real AWS keep them all.
 */
const IDLE_IN_PROCESS = ["loggerMiddleware", "getUserAgentMiddleware", "recursionDetectionMiddleware", "contentLengthMiddleware"];

/** What trimForInProcess needs of an SDK client. */
interface InProcessClient {
  middlewareStack: { remove(name: string): boolean; add(middleware: unknown, options: Record<string, unknown>): void };
  config?: unknown;
  send(command: object, options?: unknown, cb?: unknown): Promise<unknown>;
}

export function trimForInProcess(client: InProcessClient): void {
  for (const name of IDLE_IN_PROCESS) client.middlewareStack.remove(name);
  // The SDK's retry middleware, at one attempt (these clients' maxAttempts), only asks its strategy
  // for a token, stamps two headers nobody reads in process and counts that one attempt: a tenth of
  // an in-process call. Its slot stays, filled with a pass-through: signing and gameday's own retry
  // (retry-middleware.ts) are placed relative to it.
  client.middlewareStack.add((next: unknown) => next, { name: "retryMiddleware", tags: ["RETRY"], step: "finalizeRequest", priority: "high", override: true });
  cacheHandlers(client);
  installLeanSerde(client);
  installLeanEndpoint(client as never);
  installObjectLane(client);
  // The SDK reads its auth schemes on every call, so swapping the signer here takes effect.
  const schemes = (client.config as { httpAuthSchemes?: { schemeId: string; signer: unknown }[] } | undefined)?.httpAuthSchemes;
  for (const scheme of schemes ?? []) if (scheme.schemeId === "aws.auth#sigv4") scheme.signer = CREDENTIAL_ONLY_SIGNER;
}

/**
 * In process, a SigV4 signature (canonical request, payload hash, four HMACs per call) guards
 * nothing: no bytes cross a wire and the sandbox checks no signature. What the sandbox does read
 * is the access key id in the Authorization header's Credential scope (IAM role faults, see
 * src/sandbox/services/iam/roles.ts), so this signer writes that header with the real scope and
 * no signature: a fifth of an in-process call's cost (the 17-hour outage makes 100,000s of calls).
 */
const CREDENTIAL_ONLY_SIGNER = {
  async sign<R extends { headers: Record<string, string> }>(
    request: R,
    identity: { accessKeyId?: string },
    props: { signingName?: string; signingRegion?: string; name?: string; region?: string },
  ): Promise<R> {
    const region = props.signingRegion ?? props.region ?? "";
    const service = props.signingName ?? props.name ?? "";
    request.headers["authorization"] = `AWS4-HMAC-SHA256 Credential=${identity.accessKeyId ?? ""}/00000000/${region}/${service}/aws4_request, SignedHeaders=host, Signature=in-process`;
    return request;
  },
  errorHandler: () => (error: unknown) => {
    throw error;
  },
  successHandler: () => {},
};

/** Where a call's abort signal rides from send() to the request handler when the handler is cached. */
const CALL_SIGNAL = Symbol("gameday.callSignal");

/**
 * Resolving an SDK client's middleware stack for a command (sorting some 20 middleware, building
 * its context) is over a third of an in-process call's CPU. The SDK can keep the resolved handler
 * per command class (its `cacheMiddleware` setting), but only for calls without options, and
 * gameday's probes and faults pass an abort signal with almost every call. So the signal goes
 * another way: on the command (middleware pass each other the command's own properties), from
 * where a last middleware hands it to the in-process handler on the request, which is where the
 * SDK itself would have given it (a simulated hang waits on it). The middleware stack of these
 * clients does not change after they are built, which is the one condition the setting asks for.
 */
function cacheHandlers(client: InProcessClient): void {
  const config = client.config as { cacheMiddleware?: boolean } | undefined;
  if (!config) return;
  config.cacheMiddleware = true;
  client.middlewareStack.add(
    (next: (args: { request?: object }) => Promise<unknown>) => (args: { request?: object; [CALL_SIGNAL]?: unknown }) => {
      if (args[CALL_SIGNAL] !== undefined && args.request) Object.defineProperty(args.request, CALL_SIGNAL, { value: args[CALL_SIGNAL], configurable: true });
      return next(args);
    },
    { step: "deserialize", name: "gamedayInProcessSignal", priority: "low", override: true },
  );
  const send = client.send.bind(client);
  client.send = (command: object, options?: unknown, cb?: unknown) => {
    if (cb !== undefined || typeof options !== "object" || options === null) return send(command, options, cb);
    const keys = Object.keys(options);
    if (keys.length !== 1 || keys[0] !== "abortSignal") return send(command, options);
    (command as { [CALL_SIGNAL]?: unknown })[CALL_SIGNAL] = (options as { abortSignal?: unknown }).abortSignal;
    return send(command);
  };
}
