/**
 * Puts gameday's retry loop (src/retry) into an SDK client's middleware stack, right where the
 * SDK's own retry middleware sits (finalizeRequest, before signing, so every attempt is re-signed).
 * The client is built with maxAttempts 1, so this is the only retry layer.
 */
import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer, Pluggable } from "@smithy/types";
import { retry, type RetryOptions } from "../retry/retry.js";

export function clockRetryPlugin(options: RetryOptions): Pluggable<any, any> {
  return {
    applyToStack(stack) {
      stack.addRelativeTo(
        (next: FinalizeHandler<any, MetadataBearer>) => (args: FinalizeHandlerArguments<any>) =>
          retry(
            () => next({ ...args, request: cloneRequest(args.request) }),
            options,
          ) as Promise<any>,
        { relation: "after", toMiddleware: "retryMiddleware", name: "gamedayRetryMiddleware", tags: ["RETRY"], override: true },
      );
    },
  };
}

/** Each attempt gets its own copy: signing and header middleware mutate the request. */
function cloneRequest(request: unknown): unknown {
  const r = request as { clone?: () => unknown };
  return typeof r?.clone === "function" ? r.clone() : request;
}
