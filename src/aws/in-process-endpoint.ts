/**
 * The SDK's endpoint middleware for in-process clients, without the per-call copy of the client
 * config. @smithy/core's endpoint middleware (3.41) resolves a call's endpoint from `{ ...config }`,
 * a fresh copy of some hundred config entries per call. Here the same resolver
 * (getEndpointFromInstructions, the SDK's own) reads an object that inherits the config instead:
 * every read answers what the copy would, and what the resolver writes (a configured endpoint)
 * lands on that object as it landed on the copy, never on the config. A command with no endpoint
 * parameters gets the copy, because the resolver then takes every entry of the copy itself as a
 * parameter.
 *
 * The rest is the SDK's code step for step and await for await (a call takes the same turns of
 * the event loop, so actors meeting in one virtual instant keep their order): the endpoint, its
 * auth scheme's signing name and region on the context and the selected auth option, then on.
 *
 * The endpoint middleware is added per command when its handler is resolved (the command's own
 * stack, joined to the client's by `concat`), so it is replaced there, in the joined stack.
 * Only in-process clients get this (trimForInProcess); withSdkEndpoint undoes it, for comparisons.
 */
import { smithyCore } from "./in-process-serde.js";

type Obj = Record<string, any>;
type Next = (args: Obj) => Promise<Obj>;
type Instructions = Record<string, unknown>;

interface Endpoints {
  getEndpointFromInstructions(input: unknown, supplier: { getEndpointParameterInstructions(): Instructions }, config: Obj, context: Obj): Promise<Obj>;
  endpointMiddlewareOptions: Record<string, unknown>;
}

const SMITHY_CONTEXT = "__smithy_context";

let endpoints: Endpoints | undefined;
function loadEndpoints(): Endpoints {
  return (endpoints ??= smithyCore<Endpoints>("endpoints"));
}

/** The SDK's setFeature: marks a feature on the call's smithy context. */
function setFeature(context: Obj, feature: string, value: string): void {
  if (!context[SMITHY_CONTEXT]) context[SMITHY_CONTEXT] = { features: {} };
  else if (!context[SMITHY_CONTEXT].features) context[SMITHY_CONTEXT].features = {};
  context[SMITHY_CONTEXT].features[feature] = value;
}

/** The command's endpoint parameter instructions, from the command class that is being resolved. */
function instructionsOf(context: Obj): Instructions {
  const command = context[SMITHY_CONTEXT]?.commandInstance as { constructor?: { getEndpointParameterInstructions?: () => Instructions } } | undefined;
  return command?.constructor?.getEndpointParameterInstructions?.() ?? {};
}

/**
 * The key of an endpoint among a command's calls: the endpoint parameters a call's input supplies
 * (a Kinesis StreamARN, say), as text; undefined when one of them is not a string, a boolean or
 * absent, and such a call is resolved afresh. The other parameters come from the client's config
 * (region, the custom endpoint, FIPS and dual-stack), which an in-process client never changes.
 */
function inputKey(instructions: Instructions, input: unknown): string | undefined {
  let key = "";
  for (const name in instructions) {
    const instruction = instructions[name] as { type?: string; name?: string; get?: (input: unknown) => unknown };
    let value: unknown;
    if (instruction.type === "contextParams") value = (input as Obj | undefined)?.[instruction.name!];
    else if (instruction.type === "operationContextParams") return undefined;
    else continue;
    if (value !== undefined && typeof value !== "string" && typeof value !== "boolean") return undefined;
    key += `${name}=${JSON.stringify(value) ?? ""};`;
  }
  return key;
}

/** An endpoint resolved once, and how many turns of the microtask queue its resolution took. */
interface Resolved {
  endpoint: Obj;
  turns: number;
}

/**
 * Most turns a resolution is counted for. A resolution that waits on more (a provider doing real
 * I/O, which would never come while the counter keeps the microtask queue busy) stops the
 * counter, and its endpoint is not kept.
 */
const MAX_COUNTED_TURNS = 1_000;

/** Counts turns of the microtask queue until stopped (see endpointMiddleware for why). */
function turnCounter(): { turns: number; stop(): void } {
  const counter = { turns: 0, counting: true, stop: () => (counter.counting = false) };
  void (async () => {
    while (counter.counting && counter.turns <= MAX_COUNTED_TURNS) {
      await null;
      counter.turns++;
    }
  })();
  return counter;
}

/** A custom endpoint's headers are written into the endpoint object on every call (the SDK does so in place): such an endpoint is never kept. */
function withoutHeaders(endpoint: Obj): boolean {
  if (endpoint.headers === undefined) return true;
  for (const _ in endpoint.headers as object) return false;
  return true;
}

/**
 * The SDK resolves a call's endpoint afresh on every call (its parameters, the rules engine's cache
 * lookup, and the custom endpoint's URL parsed again): a sixth of an in-process call. For one
 * command on one in-process client the answer only changes with the input's endpoint parameters,
 * so it is resolved once per such key and handed out again, the SDK's endpoint object as its own
 * cache hands it out. A call served from there waits as many turns of the microtask queue as the
 * resolution took, so that calls and other work meeting in one virtual instant keep their order
 * (test/aws/in-process-middleware.test.ts counts the turns of both paths).
 */
function endpointMiddleware(config: Obj, e: Endpoints) {
  const byCommand = new WeakMap<object, Map<string, Resolved>>();
  return (next: Next, context: Obj) => {
    const instructions = instructionsOf(context);
    const supplier = { getEndpointParameterInstructions: () => instructions };
    const withParameters = Object.keys(instructions).length > 0;
    const command = (context[SMITHY_CONTEXT]?.commandInstance as { constructor?: object } | undefined)?.constructor;
    let resolved = command && withParameters ? byCommand.get(command) : undefined;
    if (command && withParameters && !resolved) byCommand.set(command, (resolved = new Map()));
    const resolve = (input: unknown) => e.getEndpointFromInstructions(input, supplier, withParameters ? Object.create(config) : { ...config }, context);
    return async (args: Obj) => {
      if (config.isCustomEndpoint) setFeature(context, "ENDPOINT_OVERRIDE", "N");
      const key = resolved ? inputKey(instructions, args.input) : undefined;
      let endpoint: Obj;
      const kept = key !== undefined ? resolved!.get(key) : undefined;
      if (kept) {
        // Written out here, not in a helper: an async helper would add a turn of its own.
        for (let i = 0; i < kept.turns; i++) await null;
        endpoint = kept.endpoint;
      } else if (key !== undefined) {
        const counter = turnCounter();
        try {
          endpoint = await resolve(args.input);
        } finally {
          counter.stop();
        }
        if (withoutHeaders(endpoint) && counter.turns <= MAX_COUNTED_TURNS) resolved!.set(key, { endpoint, turns: counter.turns });
      } else {
        endpoint = await resolve(args.input);
      }
      context.endpointV2 = endpoint;
      context.authSchemes = endpoint.properties?.authSchemes;
      const authScheme = context.authSchemes?.[0];
      if (authScheme) {
        context["signing_region"] = authScheme.signingRegion;
        context["signing_service"] = authScheme.signingName;
        const smithyContext = context[SMITHY_CONTEXT] || (context[SMITHY_CONTEXT] = {});
        const httpAuthOption = smithyContext?.selectedHttpAuthScheme?.httpAuthOption;
        if (httpAuthOption) {
          httpAuthOption.signingProperties = Object.assign(
            httpAuthOption.signingProperties || {},
            {
              signing_region: authScheme.signingRegion,
              signingRegion: authScheme.signingRegion,
              signing_service: authScheme.signingName,
              signingName: authScheme.signingName,
              signingRegionSet: authScheme.signingRegionSet,
            },
            authScheme.properties,
          );
        }
      }
      return next({ ...args });
    };
  };
}

interface Stack {
  concat(from: unknown): Stack;
  addRelativeTo(middleware: unknown, options: Record<string, unknown>): void;
  identify(): string[];
}

const SDK_CONCAT = Symbol("gameday.sdkConcat");

/** Replaces the endpoint middleware of every command a schema client resolves; a no-op for older clients. */
export function installLeanEndpoint(client: { middlewareStack: Stack; config?: unknown }): void {
  const config = client.config as Obj | undefined;
  if (!config?.protocol) return;
  const e = loadEndpoints();
  const stack = client.middlewareStack as Stack & { [SDK_CONCAT]?: Stack["concat"] };
  const concat = stack.concat.bind(stack);
  stack[SDK_CONCAT] = concat;
  const middleware = endpointMiddleware(config, e);
  stack.concat = (from) => {
    const joined = concat(from);
    if (joined.identify().some((name) => name.startsWith(`${e.endpointMiddlewareOptions.name} `))) {
      joined.addRelativeTo(middleware, e.endpointMiddlewareOptions);
    }
    return joined;
  };
}

/** Puts the SDK's own endpoint middleware back (the wire path's, for comparisons). */
export function withSdkEndpoint(client: { middlewareStack: unknown }): void {
  delete (client as { handlers?: unknown }).handlers;
  const stack = client.middlewareStack as Stack & { [SDK_CONCAT]?: Stack["concat"] };
  const concat = stack[SDK_CONCAT];
  if (concat) {
    stack.concat = concat;
    delete stack[SDK_CONCAT];
  }
}
