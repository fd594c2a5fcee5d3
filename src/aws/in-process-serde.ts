/**
 * The SDK's serializer and deserializer middleware for in-process clients, without the per-call
 * copy of the client config. @smithy/core's schema serde middleware (3.41) hands the protocol
 * `{ ...config, ...context }`: some hundred config entries spread into a new object on every call,
 * a tenth of an in-process call's CPU in the 17-hour outage. Here the protocol gets an object that
 * inherits the config and holds the call's context as its own entries: every read answers the same
 * value (context over config, as the spread ordered them), nothing is copied but the dozen context
 * entries. The protocols only read that object (they never list or spread it).
 *
 * Everything else is the SDK's code as it stands, step for step and await for await, so that a
 * call takes the same turns of the event loop (actors meeting in one virtual instant keep their
 * order): the serializer awaits the protocol and passes on, the deserializer awaits the handler
 * and then the protocol, and a deserialization failure is dressed as the SDK dresses it ($response,
 * the hint, $metadata from the headers). It is written out here because the SDK builds the copy
 * inside its middleware, with no option to leave it out.
 *
 * Only in-process clients get these (trimForInProcess); withSdkSerde puts the SDK's own back, for
 * comparisons (test/aws/in-process-lane.test.ts, bench/in-process-lane.ts).
 */
import { createRequire } from "node:module";

type Obj = Record<string, any>;
type Next = (args: Obj) => Promise<Obj>;

interface SerdeProtocol {
  serializeRequest(operation: object, input: unknown, context: object): Promise<unknown>;
  deserializeResponse(operation: object, context: object, response: unknown): Promise<unknown>;
}
interface Transport {
  getSmithyContext(context: object): { operationSchema?: unknown[] };
  toEndpointV1(endpoint: unknown): unknown;
}

/**
 * A part of @smithy/core, the copy the SDK clients themselves use: it is their dependency, not
 * gameday's, so it is found from a client package. Loaded with the SDK, not before (`chaos --help`
 * loads no SDK module).
 */
export function smithyCore<T>(subpath: "transport" | "endpoints" | "schema"): T {
  const fromClient = createRequire(createRequire(import.meta.url).resolve("@aws-sdk/client-kinesis"));
  return fromClient(`@smithy/core/${subpath}`) as T;
}

let transport: Transport | undefined;
function loadTransport(): Transport {
  return (transport ??= smithyCore<Transport>("transport"));
}

/** The operation as the SDK's middleware builds it from the schema tuple. */
function operationOf(t: Transport, context: object) {
  const [, namespace, name, traits, input, output] = (t.getSmithyContext(context).operationSchema ?? []) as unknown[];
  return { name, namespace, traits, input, output };
}

/** What `{ ...config, ...context }` reads as, without copying the config. */
function callContext(config: object, context: object): Obj {
  return Object.assign(Object.create(config) as Obj, context);
}

/**
 * The SDK converts a call's endpoint to the form its protocols read by parsing its URL again on
 * every call. The endpoint objects an in-process client resolves are kept and handed out again
 * (in-process-endpoint.ts), so the converted form is kept beside each; the protocols only read it
 * (they copy its query). An endpoint with headers is converted afresh: the SDK may write a custom
 * endpoint's headers into it.
 */
const endpointsV1 = new WeakMap<object, unknown>();
function endpointV1(t: Transport, endpoint: Obj): unknown {
  if (endpoint.headers !== undefined && Object.keys(endpoint.headers as object).length > 0) return t.toEndpointV1(endpoint);
  let v1 = endpointsV1.get(endpoint);
  if (v1 === undefined) endpointsV1.set(endpoint, (v1 = t.toEndpointV1(endpoint)));
  return v1;
}

const SERIALIZER = { name: "serializerMiddleware", step: "serialize", tags: ["SERIALIZER"], override: true };
const DESERIALIZER = { name: "deserializerMiddleware", step: "deserialize", tags: ["DESERIALIZER"], override: true };

function serializer(config: Obj & { protocol: SerdeProtocol }, t: Transport) {
  return (next: Next, context: Obj) => async (args: Obj) => {
    const operation = operationOf(t, context);
    const endpointV2 = context.endpointV2;
    const endpoint = endpointV2 ? async () => endpointV1(t, endpointV2) : config.endpoint;
    const serdeContext = callContext(config, context);
    serdeContext.endpoint = endpoint;
    const request = await config.protocol.serializeRequest(operation, args.input, serdeContext);
    return next({ ...args, request });
  };
}

function deserializer(config: Obj & { protocol: SerdeProtocol }, t: Transport) {
  return (next: Next, context: Obj) => async (args: Obj) => {
    const { response } = await next(args);
    const operation = operationOf(t, context);
    try {
      const parsed = await config.protocol.deserializeResponse(operation, callContext(config, context), response);
      return { response, output: parsed };
    } catch (error) {
      throw dressedError(error as Obj, response, context);
    }
  };
}

/** The SDK's treatment of a deserialization failure (@smithy/core schemaDeserializationMiddleware). */
function dressedError(error: Obj, response: Obj, context: Obj): Obj {
  Object.defineProperty(error, "$response", { value: response, enumerable: false, writable: false, configurable: false });
  if (!("$metadata" in error)) {
    const hint = `Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.`;
    try {
      error.message += "\n  " + hint;
    } catch {
      if (!context.logger || context.logger?.constructor?.name === "NoOpLogger") console.warn(hint);
      else context.logger?.warn?.(hint);
    }
    if (typeof error.$responseBodyText !== "undefined" && error.$response) error.$response.body = error.$responseBodyText;
    try {
      if (response && typeof response.statusCode === "number" && typeof response.headers === "object") {
        const { headers = {}, statusCode } = response;
        const entries = Object.entries(headers as Record<string, string>);
        error.$metadata = {
          httpStatusCode: statusCode,
          requestId: findHeader(/^x-[\w-]+-request-?id$/, entries),
          extendedRequestId: findHeader(/^x-[\w-]+-id-2$/, entries),
          cfId: findHeader(/^x-[\w-]+-cf-id$/, entries),
        };
      }
    } catch {
      // as the SDK: metadata is a courtesy
    }
  }
  return error;
}

function findHeader(pattern: RegExp, headers: [string, string][]): string | undefined {
  return (headers.find(([k]) => k.match(pattern)) ?? [undefined, undefined])[1];
}

interface Stack {
  add(middleware: unknown, options: Record<string, unknown>): void;
}

/** Replaces the schema serde middleware of a client whose config has a schema protocol; a no-op for older clients. */
export function installLeanSerde(client: { middlewareStack: Stack; config?: unknown }): void {
  const config = client.config as (Obj & { protocol?: SerdeProtocol }) | undefined;
  if (!config?.protocol || typeof config.protocol.serializeRequest !== "function") return;
  const t = loadTransport();
  const withProtocol = config as Obj & { protocol: SerdeProtocol };
  client.middlewareStack.add(serializer(withProtocol, t), SERIALIZER);
  client.middlewareStack.add(deserializer(withProtocol, t), DESERIALIZER);
}

/** Puts the SDK's own schema serde middleware back (the wire path's, for comparisons). */
export function withSdkSerde(client: { middlewareStack: { use(plugin: unknown): void }; config?: unknown }): void {
  const config = client.config as { protocol?: unknown } | undefined;
  if (!config?.protocol) return;
  const { getSchemaSerdePlugin } = smithyCore<{ getSchemaSerdePlugin(config: unknown): unknown }>("schema");
  client.middlewareStack.use(getSchemaSerdePlugin(config));
}
