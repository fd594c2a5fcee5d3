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

/** A request body that is the parsed input itself, for the in-process handler to hand over as is. */
export class ParsedRequestBody {
  constructor(readonly input: Record<string, unknown>) {}
}

/** A response body that is the sandbox's output object, for the protocol below to decode. */
export class ParsedResponseBody {
  constructor(readonly output: unknown) {}
}

/** What the lane needs of an SDK protocol (@aws-sdk/core's AwsJsonRpcProtocol). */
interface JsonRpcProtocol {
  serviceTarget?: unknown;
  serializeRequest(operation: { name: string }, input: unknown, context: unknown): Promise<{ body: unknown }>;
  deserializeResponse(operation: { name: string }, context: unknown, response: { statusCode: number; headers: Record<string, string>; body: unknown }): Promise<Record<string, unknown>>;
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
  if (codecs.size === 0) return;
  const serialize = protocol.serializeRequest.bind(protocol);
  const deserialize = protocol.deserializeResponse.bind(protocol);
  // Each client has its own protocol instance, so these overrides touch no other client.
  protocol.serializeRequest = async (operation, input, context) => {
    const wire = input && typeof input === "object" ? codecs.get(operation.name)?.encode(input as Record<string, unknown>) : undefined;
    if (wire === undefined) return serialize(operation, input, context);
    // The SDK still builds the request (endpoint, path, content-type, X-Amz-Target) from an empty
    // input, which costs nothing; only the body is the object instead of its text.
    const request = await serialize(operation, {}, context);
    request.body = new ParsedRequestBody(wire);
    return request;
  };
  protocol.deserializeResponse = async (operation, context, response) => {
    const body = response.body;
    if (!(body instanceof ParsedResponseBody)) return deserialize(operation, context, response);
    const output = codecs.get(operation.name)?.decode(body.output);
    if (output === undefined) {
      // A shape the codec was not written for: the SDK reads it from the text the wire would carry.
      response.body = encoder.encode(JSON.stringify(body.output));
      return deserialize(operation, context, response);
    }
    output.$metadata = protocol.deserializeMetadata(response);
    return output;
  };
}

/** Puts the SDK's own serializer and deserializer back: the wire path, for comparisons (tests, bench/in-process-lane.ts). */
export function withoutObjectLane<C extends { config?: unknown }>(client: C): C {
  const protocol = (client.config as { protocol?: object } | undefined)?.protocol as Record<string, unknown> | undefined;
  if (protocol) {
    delete protocol.serializeRequest;
    delete protocol.deserializeResponse;
  }
  return client;
}
