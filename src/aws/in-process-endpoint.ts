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

function endpointMiddleware(config: Obj, e: Endpoints) {
  return (next: Next, context: Obj) => {
    const instructions = instructionsOf(context);
    const supplier = { getEndpointParameterInstructions: () => instructions };
    const withParameters = Object.keys(instructions).length > 0;
    return async (args: Obj) => {
      if (config.isCustomEndpoint) setFeature(context, "ENDPOINT_OVERRIDE", "N");
      const endpoint = await e.getEndpointFromInstructions(args.input, supplier, withParameters ? Object.create(config) : { ...config }, context);
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
