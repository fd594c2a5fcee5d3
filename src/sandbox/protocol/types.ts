/**
 * The sandbox's wire boundary. A request arrives as the SDK (or an HTTP client in serve mode) sent
 * it; the dispatcher answers with the bytes AWS would answer with, or with a transport failure
 * (refused connection, a request that never completes) for outage faults.
 */

export interface SandboxRequest {
  method: string;
  /** Path without the query string, e.g. "/" or "/experiments/EXP123". */
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /**
   * An in-process client's object lane: the awsJson body already parsed (exactly what JSON.parse of
   * the text would give), `body` then empty. A success is then answered with `output`, not text.
   */
  input?: Record<string, unknown>;
}

export interface SandboxResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** The output object of a 200 to a request that came with `input`; `body` is then empty. */
  output?: unknown;
  /**
   * Set when the answer takes the target's own time (Lambda's synchronous Invoke runs the function
   * on the sandbox's clock): the real outcome is what this settles to; the other fields are unused.
   */
  later?: Promise<SandboxOutcome>;
}

/** What a client would see when the endpoint is unreachable rather than answering. */
export interface SandboxTransportFailure {
  failure: "refused" | "timeout";
}

export type SandboxOutcome = SandboxResponse | SandboxTransportFailure;

export type Dispatch = (request: SandboxRequest) => SandboxOutcome;

export function isTransportFailure(o: SandboxOutcome): o is SandboxTransportFailure {
  return (o as SandboxTransportFailure).failure !== undefined;
}

/**
 * An error in AWS's own terms. `code` becomes `__type` (awsJson1_1) or `x-amzn-errortype`
 * (restJson1), which the SDK turns into its typed exception of the same name.
 */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    /** Members of the error shape beyond its message (Lambda's `Type`, `Reason`), in restJson1 error bodies. */
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = code;
  }
}
