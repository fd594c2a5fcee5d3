/**
 * Puts back the SDK's own serde and endpoint middleware on an in-process client (see
 * in-process-serde.ts and in-process-endpoint.ts), keeping its object lane: the client as it was
 * before those, for comparisons (test/aws/in-process-middleware.test.ts, bench/in-process-calls.ts).
 * withoutObjectLane (in-process-lane.ts) goes further, to the SDK's wire path.
 */
import { withSdkSerde } from "./in-process-serde.js";
import { withSdkEndpoint } from "./in-process-endpoint.js";

export function withSdkMiddleware<C>(client: C): C {
  withSdkSerde(client as never);
  withSdkEndpoint(client as never);
  return client;
}
