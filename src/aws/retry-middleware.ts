/**
 * Puts gameday's retry loop (src/retry) into an SDK client's middleware stack, right where the
 * SDK's own retry middleware sits (finalizeRequest, before signing, so every attempt is re-signed).
 * The client is built with maxAttempts 1, so this is the only retry layer.
 */
import type { FinalizeHandler, FinalizeHandlerArguments, HandlerExecutionContext, MetadataBearer, Pluggable } from "@smithy/types";
import { retry, type RetryOptions } from "../retry/retry.js";

export function clockRetryPlugin(options: RetryOptions): Pluggable<any, any> {
  return {
    applyToStack(stack) {
      stack.addRelativeTo(
        (next: FinalizeHandler<any, MetadataBearer>, context: HandlerExecutionContext) => (args: FinalizeHandlerArguments<any>) =>
          retry(
            () => next({ ...args, request: cloneRequest(args.request) }),
            options,
          ).catch((err: unknown) => {
            throw tagCall(err, context);
          }) as Promise<any>,
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

/** Which AWS call failed, for messages: "FIS StartExperiment". */
export interface AwsCall {
  service: string;
  operation: string;
}

/**
 * Names the call on the error it gave up with (`awsCall`, not enumerable), so that an operator
 * reads "FIS StartExperiment: ThrottlingException: Rate exceeded (3 attempts)" rather than
 * "Rate exceeded" (see awsErrorText).
 */
function tagCall(err: unknown, context: HandlerExecutionContext): unknown {
  if (err && typeof err === "object" && !("awsCall" in err) && context.clientName && context.commandName) {
    const call: AwsCall = { service: context.clientName === "FisClient" ? "FIS" : context.clientName.replace(/Client$/, ""), operation: context.commandName.replace(/Command$/, "") };
    Object.defineProperty(err, "awsCall", { value: call, enumerable: false });
  }
  return err;
}

/** An AWS call's failure as one line naming the call, AWS's error code, its message and the attempts made; undefined for other errors. */
export function awsErrorText(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const call = (err as { awsCall?: AwsCall }).awsCall;
  if (!call) return undefined;
  const attempts = (err as { attempts?: number }).attempts;
  const message = err.message.split("\n")[0]!;
  const what = err.name && err.name !== "Error" && !message.startsWith(err.name) ? `${err.name}: ${message || "(no message)"}` : message || err.name;
  return `${call.service} ${call.operation}: ${what}${attempts !== undefined && attempts > 1 ? ` (${attempts} attempts)` : ""}`;
}
