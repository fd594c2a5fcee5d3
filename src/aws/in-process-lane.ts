/**
 * The object lane of an in-process SDK client: for the operations with a codec
 * (in-process-codecs.ts), the request carries the object the sandbox would parse from its body
 * and a successful answer carries the sandbox's output object, so neither side writes or parses
 * JSON text and the SDK's schema walk over every record is skipped.
 *
 * It sits in the client's protocol (`config.protocol`), the one place the SDK's serializer and
 * deserializer middleware call, so everything else about a call stays as it is: endpoint, the
 * credential header, gameday's retry and retry budget (a retry re-sends the same request and is
 * dispatched again), abort signals, timeouts. An answer other than a 200 with an object (an API
 * error, an injected fault, a refused or hung connection) arrives from the one dispatch as the
 * ordinary response or failure, and the SDK's own deserializer makes of it what it always did.
 *
 * Only clients whose request handler is the InProcessHandler get this (trimForInProcess); a client
 * for real AWS or an http endpoint keeps the SDK's protocol untouched.
 */
import { IN_PROCESS_CODECS, type OperationCodec } from "./in-process-codecs.js";
import { compileCodec, SCHEMA_CODEC_OPERATIONS } from "./in-process-schema-codec.js";
import { withSdkSerde } from "./in-process-serde.js";
import { withSdkEndpoint } from "./in-process-endpoint.js";

/** A request body that is the parsed input itself, for the in-process handler to hand over as is. */
export class ParsedRequestBody {
  constructor(readonly input: Record<string, unknown>) {}
}

/** A response body that is the sandbox's output object, for the protocol below to decode. */
export class ParsedResponseBody {
  constructor(readonly output: unknown) {}
}

/** An SDK request (@smithy/core's HttpRequest), as far as the lane touches it. */
interface Request {
  body: unknown;
  clone(): Request;
}

/** The serde context the SDK's middleware hands the protocol: the call's resolved endpoint among it. */
interface SerdeContext {
  endpointV2?: { headers?: unknown };
  endpoint(): Promise<unknown>;
}

/**
 * The SDK's request for an empty input, per resolved endpoint (the client's endpoint cache hands
 * the same object for the same parameters) and operation. An endpoint with headers is left out:
 * the SDK adds a custom endpoint's headers to it in place.
 */
class RequestTemplates {
  private readonly byEndpoint = new WeakMap<object, Map<string, Request>>();

  get(endpoint: SerdeContext["endpointV2"], operation: string): Request | undefined {
    return endpoint && withoutHeaders(endpoint) ? this.byEndpoint.get(endpoint)?.get(operation) : undefined;
  }

  set(endpoint: SerdeContext["endpointV2"], operation: string, request: Request): void {
    if (!endpoint || !withoutHeaders(endpoint)) return;
    let byOperation = this.byEndpoint.get(endpoint);
    if (!byOperation) this.byEndpoint.set(endpoint, (byOperation = new Map()));
    byOperation.set(operation, request.clone());
  }
}

function withoutHeaders(endpoint: { headers?: unknown }): boolean {
  if (endpoint.headers === undefined) return true;
  for (const _ in endpoint.headers as object) return false;
  return true;
}

/**
 * A copy of the template, in as many turns of the event loop as the SDK's serializer takes
 * (AwsJsonRpcProtocol.serializeRequest awaits RpcProtocol.serializeRequest, which awaits the
 * endpoint), so that calls meeting in one virtual instant reach the sandbox in the same order.
 */
async function copyAfterEndpoint(template: Request, context: SerdeContext): Promise<Request> {
  return await copyOnceResolved(template, context);
}
async function copyOnceResolved(template: Request, context: SerdeContext): Promise<Request> {
  await context.endpoint();
  return template.clone();
}

/** The operation the SDK's serde middleware hands the protocol: its name and schema refs. */
interface Operation {
  name: string;
  input?: unknown;
  output?: unknown;
}

/** What the lane needs of an SDK protocol (@aws-sdk/core's AwsJsonRpcProtocol). */
interface JsonRpcProtocol {
  serviceTarget?: unknown;
  serializeRequest(operation: Operation, input: unknown, context: unknown): Promise<Request>;
  deserializeResponse(operation: Operation, context: unknown, response: { statusCode: number; headers: Record<string, string>; body: unknown }): Promise<Record<string, unknown>>;
  deserializeMetadata(response: unknown): Record<string, unknown>;
}

const encoder = new TextEncoder();

/** Installs the lane on an in-process client whose protocol is awsJson and has codecs; a no-op otherwise. */
export function installObjectLane(client: { config?: unknown }): void {
  const protocol = (client.config as { protocol?: JsonRpcProtocol } | undefined)?.protocol;
  if (!protocol || typeof protocol !== "object" || typeof protocol.serviceTarget !== "string") return;
  const target = protocol.serviceTarget;
  const codecs = new Map<string, OperationCodec>();
  for (const [key, codec] of IN_PROCESS_CODECS) if (key.startsWith(`${target}.`)) codecs.set(key.slice(target.length + 1), codec);
  // Operations whose codec is compiled from their schema, on their first call (in-process-schema-codec.ts).
  const compiled = new Set<string>();
  for (const key of SCHEMA_CODEC_OPERATIONS) if (key.startsWith(`${target}.`)) compiled.add(key.slice(target.length + 1));
  if (codecs.size === 0 && compiled.size === 0) return;
  const codecOf = (operation: Operation): OperationCodec | undefined => {
    let codec = codecs.get(operation.name);
    if (!codec && compiled.has(operation.name)) codecs.set(operation.name, (codec = compileCodec(operation)));
    return codec;
  };
  const serialize = protocol.serializeRequest.bind(protocol);
  const deserialize = protocol.deserializeResponse.bind(protocol);
  // Each client has its own protocol instance, so these overrides touch no other client.
  const templates = new RequestTemplates();
  protocol.serializeRequest = async (operation, input, context) => {
    const wire = input && typeof input === "object" ? codecOf(operation)?.encode(input as Record<string, unknown>) : undefined;
    if (wire === undefined) return serialize(operation, input, context);
    // The request (endpoint, path, content-type, X-Amz-Target) is the SDK's for an empty input, the
    // same for every call of an operation to one endpoint: built once, then copied. Only the body
    // is the object instead of its text.
    const endpoint = (context as SerdeContext).endpointV2;
    const template = templates.get(endpoint, operation.name);
    const request = template ? await copyAfterEndpoint(template, context as SerdeContext) : await serialize(operation, {}, context);
    if (!template) templates.set(endpoint, operation.name, request);
    request.body = new ParsedRequestBody(wire);
    return request;
  };
  protocol.deserializeResponse = async (operation, context, response) => {
    const body = response.body;
    if (!(body instanceof ParsedResponseBody)) return deserialize(operation, context, response);
    const output = codecOf(operation)?.decode(body.output);
    if (output === undefined) {
      // A shape the codec was not written for: the SDK reads it from the text the wire would carry.
      response.body = encoder.encode(JSON.stringify(body.output));
      return deserialize(operation, context, response);
    }
    output.$metadata = protocol.deserializeMetadata(response);
    return output;
  };
}

/**
 * Puts the SDK's own serializer and deserializer back, and its serde and endpoint middleware (see
 * in-process-serde.ts, in-process-endpoint.ts): the wire path, for comparisons (tests,
 * bench/in-process-lane.ts).
 */
export function withoutObjectLane<C extends { config?: unknown }>(client: C): C {
  const protocol = (client.config as { protocol?: object } | undefined)?.protocol as Record<string, unknown> | undefined;
  if (protocol) {
    delete protocol.serializeRequest;
    delete protocol.deserializeResponse;
    withSdkSerde(client as never);
    withSdkEndpoint(client as never);
  }
  return client;
}
