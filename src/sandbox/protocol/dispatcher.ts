/**
 * Routes a request to a service by protocol: awsJson1_1 and awsJson1_0 by the `X-Amz-Target`
 * header ("<prefix>.<Operation>"), awsQuery and ec2Query by the form's `Version` and `Action`
 * (query.ts), restJson1 by method and path. Interceptors see every request first;
 * the API-error and outage faults are interceptors.
 */
import { AwsServiceError, type SandboxOutcome, type SandboxRequest, type SandboxResponse } from "./types.js";
import { isQueryRequest, nestForm, queryError, querySuccess, queryTarget, readForm, type QueryService } from "./query.js";
import { credentialScopeOf, scopeRefusal, type WireProtocol } from "./credential-scope.js";

export type JsonOperation = (input: Record<string, unknown>) => unknown;

/** An awsJson1_1 service: ECS ("AmazonEC2ContainerServiceV20141113"), Kinesis ("Kinesis_20131202"). */
export interface JsonService {
  /** Short name used by interceptors and traces: "ecs", "kinesis". */
  name: string;
  targetPrefix: string;
  operations: Record<string, JsonOperation>;
  /** awsJson1_1 unless given: CloudWatch speaks awsJson1_0, query-compatible. */
  protocol?: JsonProtocol;
}

export interface JsonProtocol {
  contentType: string;
  /**
   * For awsQueryCompatible services: the error shape a query error code stands for. Errors then
   * carry `__type` "<namespace>#<shape>" and `x-amzn-query-error: <code>;<Sender|Receiver>`,
   * from which the SDKs pick the error class.
   */
  queryCompatible?: { namespace: string; errorShape: (code: string) => string };
}

export interface RestRouteInput {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown>;
  /** Header names in lower case (Lambda's X-Amz-Invocation-Type travels in one). */
  headers: Record<string, string>;
}

/** A restJson1 answer with response headers (Lambda's X-Amz-Function-Error) besides its body. */
export class RestReply {
  constructor(
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
    /** Overrides the route's success status (Invoke answers 202 to an Event invocation). */
    readonly status?: number,
  ) {}
}

export interface RestRoute {
  method: string;
  /** "/experiments/{id}" style; `{name}` matches one path segment. */
  path: string;
  operation: string;
  /** The output (or a RestReply); a Promise when the call takes the target's time (Lambda Invoke). */
  handler: (input: RestRouteInput) => unknown;
  /** Success status; 200 unless the API says otherwise. */
  status?: number;
}

/** A restJson1 service: FIS. */
export interface RestService {
  name: string;
  routes: RestRoute[];
}

/** Identifies the call an interceptor is looking at. */
export interface CallInfo {
  service: string;
  operation: string;
  request: SandboxRequest;
  /** The parsed JSON body, or for the query protocols the form's fields nested (query.ts nestForm). */
  input: Record<string, unknown>;
}

/** Returns an outcome to short-circuit the call (an injected error or outage), or undefined. */
export type Interceptor = (call: CallInfo) => SandboxOutcome | undefined;

interface CompiledRoute extends RestRoute {
  service: string;
  regex: RegExp;
  names: string[];
}

const JSON_CONTENT = "application/x-amz-json-1.1";

export class Dispatcher {
  private readonly jsonServices = new Map<string, JsonService>();
  private readonly routes: CompiledRoute[] = [];
  private readonly queryServices = new Map<string, QueryService>();
  private readonly interceptors: Interceptor[] = [];
  private requestCounter = 0;
  /** awsJson calls that came as an object and were answered with one (the in-process object lane). */
  private objectCalls = 0;

  addJsonService(service: JsonService): void {
    this.jsonServices.set(service.targetPrefix, service);
  }

  /** An awsQuery or ec2Query service, found by the API version its requests name. */
  addQueryService(service: QueryService): void {
    this.queryServices.set(service.version, service);
  }

  addRestService(service: RestService): void {
    for (const route of service.routes) {
      const names: string[] = [];
      const pattern = route.path.replace(/\{(\w+)\}/g, (_, n: string) => {
        names.push(n);
        return "([^/]+)";
      });
      this.routes.push({ ...route, service: service.name, regex: new RegExp(`^${pattern}/?$`), names });
    }
  }

  /** Adds an interceptor; returns a function that removes it. */
  intercept(interceptor: Interceptor): () => void {
    this.interceptors.push(interceptor);
    return () => {
      const i = this.interceptors.indexOf(interceptor);
      if (i >= 0) this.interceptors.splice(i, 1);
    };
  }

  readonly dispatch = (request: SandboxRequest): SandboxOutcome => {
    const target = request.headers["x-amz-target"];
    if (target) return this.dispatchJson(request, target);
    if (isQueryRequest(request)) return this.dispatchQuery(request);
    return this.dispatchRest(request);
  };

  /**
   * The refusal a regional endpoint in `region` answers a request signed for another region with
   * (credential-scope.ts), in the protocol of the service the request is for; undefined for a
   * request it accepts, and for an unsigned one. Only serve mode asks: in process, the scope is the
   * sandbox's own clients' region.
   */
  refuseForeignScope(request: SandboxRequest, region: string): SandboxResponse | undefined {
    const scope = credentialScopeOf(request.headers);
    if (!scope) return undefined;
    const route = this.route(request);
    const err = scopeRefusal(route.protocol, route.service, scope.region, region);
    return err ? route.error(err) : undefined;
  }

  /** The service a request is for and how its protocol writes an error, without calling it. */
  private route(request: SandboxRequest): { service: string; protocol: WireProtocol; error: (err: AwsServiceError) => SandboxResponse } {
    const target = request.headers["x-amz-target"];
    if (target) {
      const service = this.jsonServices.get(target.slice(0, target.lastIndexOf(".")));
      return { service: service?.name ?? "", protocol: "awsJson", error: (err) => jsonError(this.requestId(), err, service?.protocol) };
    }
    if (isQueryRequest(request)) {
      const { service } = queryTarget(this.queryServices, readForm(request.body));
      const style = service?.style ?? "awsQuery";
      return { service: service?.name ?? "", protocol: style, error: (err) => queryError(style, service?.xmlns ?? "", err, this.requestId()) };
    }
    const route = this.routes.find((r) => r.method === request.method && r.regex.test(request.path));
    return { service: route?.service ?? "", protocol: "restJson1", error: (err) => restError(this.requestId(), err) };
  }

  /** How many calls took the object lane: a request with `input`, answered 200 with `output`. */
  get objectLaneCalls(): number {
    return this.objectCalls;
  }

  private requestId(): string {
    // Deterministic, so journals that quote request ids reproduce.
    this.requestCounter++;
    return `00000000-0000-4000-8000-${this.requestCounter.toString(16).padStart(12, "0")}`;
  }

  private dispatchJson(request: SandboxRequest, target: string): SandboxOutcome {
    const dot = target.lastIndexOf(".");
    const prefix = target.slice(0, dot);
    const operation = target.slice(dot + 1);
    const service = this.jsonServices.get(prefix);
    if (!service) return jsonError(this.requestId(), new AwsServiceError("UnknownOperationException", `No service answers ${target} in the sandbox.`, 400));
    const handler = service.operations[operation];
    const input = request.input ?? parseBody(request.body);
    if (input instanceof AwsServiceError) return jsonError(this.requestId(), input, service.protocol);
    const intercepted = this.runInterceptors({ service: service.name, operation, request, input });
    if (intercepted) return intercepted;
    if (!handler) {
      return jsonError(this.requestId(), new AwsServiceError("UnknownOperationException", `The sandbox does not implement ${service.name} ${operation}.`, 400), service.protocol);
    }
    try {
      const output = handler(input) ?? {};
      if (request.input) {
        this.objectCalls++;
        return { statusCode: 200, headers: { "content-type": service.protocol?.contentType ?? JSON_CONTENT, "x-amzn-requestid": this.requestId() }, body: "", output };
      }
      return {
        statusCode: 200,
        headers: { "content-type": service.protocol?.contentType ?? JSON_CONTENT, "x-amzn-requestid": this.requestId() },
        body: JSON.stringify(output),
      };
    } catch (err) {
      return jsonError(this.requestId(), asServiceError(err), service.protocol);
    }
  }

  private dispatchQuery(request: SandboxRequest): SandboxOutcome {
    const form = readForm(request.body);
    const { service, action } = queryTarget(this.queryServices, form);
    if (!service) {
      const err = new AwsServiceError("InvalidAction", `No sandbox service answers API version ${JSON.stringify(form.get("Version") ?? "")} (action ${JSON.stringify(action)}).`, 400);
      return queryError("awsQuery", "", err, this.requestId());
    }
    const input = nestForm(form);
    const intercepted = this.runInterceptors({ service: service.name, operation: action, request, input });
    if (intercepted) return intercepted;
    const handler = service.operations[action];
    if (!handler) {
      const err = new AwsServiceError("InvalidAction", `The sandbox does not implement ${service.name} ${action}.`, 400);
      return queryError(service.style, service.xmlns, err, this.requestId());
    }
    try {
      return querySuccess(service, action, handler(input, request), this.requestId());
    } catch (err) {
      return queryError(service.style, service.xmlns, asServiceError(err), this.requestId());
    }
  }

  private dispatchRest(request: SandboxRequest): SandboxOutcome {
    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const m = route.regex.exec(request.path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      const input = parseBody(request.body);
      if (input instanceof AwsServiceError) return restError(this.requestId(), input);
      const intercepted = this.runInterceptors({ service: route.service, operation: route.operation, request, input });
      if (intercepted) return intercepted;
      try {
        const output = route.handler({ params, query: request.query, body: input, headers: request.headers });
        if (output instanceof Promise) {
          const later = output.then(
            (o: unknown) => this.restSuccess(route, o),
            (err: unknown) => restError(this.requestId(), asServiceError(err)),
          );
          return { statusCode: 0, headers: {}, body: "", later };
        }
        return this.restSuccess(route, output);
      } catch (err) {
        return restError(this.requestId(), asServiceError(err));
      }
    }
    return restError(this.requestId(), new AwsServiceError("UnknownOperationException", `No sandbox route for ${request.method} ${request.path}.`, 404));
  }

  private restSuccess(route: CompiledRoute, output: unknown): SandboxResponse {
    const reply = output instanceof RestReply ? output : new RestReply(output ?? {});
    return {
      statusCode: reply.status ?? route.status ?? 200,
      headers: { "content-type": "application/json", "x-amzn-requestid": this.requestId(), ...reply.headers },
      body: JSON.stringify(reply.body ?? {}),
    };
  }

  private runInterceptors(call: CallInfo): SandboxOutcome | undefined {
    for (const interceptor of this.interceptors) {
      const outcome = interceptor(call);
      if (outcome) return outcome;
    }
    return undefined;
  }
}

function parseBody(body: string): Record<string, unknown> | AwsServiceError {
  if (!body) return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return new AwsServiceError("SerializationException", "The request body is not valid JSON.", 400);
  }
}

function asServiceError(err: unknown): AwsServiceError {
  if (err instanceof AwsServiceError) return err;
  // A bug in the sandbox, not a user error: answer as AWS answers an internal failure.
  const message = err instanceof Error ? err.message : String(err);
  return new AwsServiceError("InternalFailure", `Sandbox internal error: ${message}`, 500);
}

/** awsJson1_1 (or the service's own JSON protocol) error: the SDK reads `__type` (and the header) into a typed exception. */
export function jsonError(requestId: string, err: AwsServiceError, protocol?: JsonProtocol): SandboxResponse {
  const compat = protocol?.queryCompatible;
  if (protocol && compat) {
    return {
      statusCode: err.statusCode,
      headers: {
        "content-type": protocol.contentType,
        "x-amzn-query-error": `${err.code};${err.statusCode >= 500 ? "Receiver" : "Sender"}`,
        "x-amzn-requestid": requestId,
      },
      body: JSON.stringify({ __type: `${compat.namespace}#${compat.errorShape(err.code)}`, message: err.message }),
    };
  }
  return {
    statusCode: err.statusCode,
    headers: { "content-type": JSON_CONTENT, "x-amzn-errortype": err.code, "x-amzn-requestid": requestId },
    body: JSON.stringify({ __type: err.code, message: err.message }),
  };
}

/** restJson1 error: the type travels in `x-amzn-errortype`, the body holds `message`. */
export function restError(requestId: string, err: AwsServiceError): SandboxResponse {
  return {
    statusCode: err.statusCode,
    headers: { "content-type": "application/json", "x-amzn-errortype": err.code, "x-amzn-requestid": requestId },
    body: JSON.stringify({ ...err.fields, message: err.message }),
  };
}
