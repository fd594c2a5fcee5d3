/**
 * An msw request handler that applies a failure sequence to an AWS SDK v3 client's requests: the
 * n-th request matching it gets the n-th entry (a failure, or null for a normal answer), and
 * requests past the end are answered normally. Normal answers come from `respond`: the test's own
 * fake of the service (an in-memory stream, for a Kinesis producer).
 *
 * It speaks the JSON protocols (awsJson1_0 and awsJson1_1: Kinesis, ECS, DynamoDB, ...), where the
 * operation is named in the X-Amz-Target header. Use it with msw's setupServer in vitest or jest;
 * give the client a fixed endpoint and credentials, and `maxAttempts: 1` when the code under test
 * does its own retries (the SDK's retries would otherwise wait in real time between attempts).
 * msw intercepts HTTP/1.1 only: the Kinesis client, which defaults to HTTP/2, needs
 * `requestHandler: new NodeHttpHandler()` (@smithy/node-http-handler).
 *
 * Time: nothing here waits. A timeout is a request that fails with no response; its duration is
 * handed to `advance` (a fake clock's advance, or vi.advanceTimersByTimeAsync) so that code that
 * watches a clock sees the time go by, in virtual time.
 *
 * Resets and timeouts fail the request with the socket error Node gives (ECONNRESET, ETIMEDOUT,
 * with their errno), not msw's generic "Network error": the SDK's handler names those a
 * TimeoutError and its retry strategy retries them, so a caller sees what a real reset gives it.
 */
import type { HttpHandler } from "msw";
import { http, HttpResponse } from "./peers.js";
import { describeFailure, type AwsFailure, type FailureSequence, type PartialFailure } from "./failures.js";

/** A request as the service sees it. */
export interface AwsCall {
  /** PutRecords, GetRecords, DescribeServices... */
  operation: string;
  /** The JSON input, as the SDK sent it (Kinesis record Data is base64). */
  input: Record<string, unknown>;
}

export interface InjectedCall {
  /** 0-based position among the requests this handler saw. */
  index: number;
  operation: string;
  failure: AwsFailure | null;
}

export interface AwsFaultOptions {
  sequence: FailureSequence;
  /**
   * The service's answer to a request that is not failed (and to the records a partial failure lets
   * through): the operation's output object, `{}` for one with no output. Returning undefined or
   * null (a forgotten `return`) fails the request with a 400 GamedayTestingRespondReturnedUndefined
   * that says so, printed with console.error too, and every later request with it.
   */
  respond(call: AwsCall): unknown;
  /** Which URLs: msw's matching (default: every URL). */
  url?: string | RegExp;
  /** Charged with each timeout's duration (vi.advanceTimersByTimeAsync fits: what it returns is not used). */
  advance?(ms: number): unknown;
}

export interface AwsFaultHandler {
  handler: HttpHandler;
  /** Every request seen, in order, with what it got. */
  calls: InjectedCall[];
  /** The calls that got a failure, as words, after respond's undefined if it returned one: for a failing property's report. */
  describe(): string;
}

/** Answers go in the request's own JSON protocol version (application/x-amz-json-1.0 or 1.1). */
function errorResponse(jsonType: string, status: number, code: string, message: string): Response {
  return HttpResponse.json({ __type: code, message }, { status, headers: { "content-type": jsonType, "x-amzn-errortype": code } });
}

function okResponse(jsonType: string, body: {}): Response {
  return HttpResponse.json(body, { status: 200, headers: { "content-type": jsonType } });
}

/**
 * The error code (the SDK's error name) of the answer to a request whose `respond` returned
 * nothing: a 400, which no retry strategy takes for a transient failure.
 */
const RESPOND_RETURNED_UNDEFINED = "GamedayTestingRespondReturnedUndefined";

/** `respond` returned undefined or null: a bug in the test's fake (a forgotten `return`), not an answer. */
class RespondReturnedNothing extends Error {}

/** What `respond` answers, or a RespondReturnedNothing that names the operation. */
async function answer(respond: AwsFaultOptions["respond"], call: AwsCall, index: number): Promise<{}> {
  const body = await respond(call);
  if (body === undefined || body === null) {
    throw new RespondReturnedNothing(`awsFaults: respond returned ${String(body)} for ${call.operation || "a request with no X-Amz-Target"} (request #${index}): it must return the service's output object (e.g. {} for an operation with no output)`);
  }
  return body;
}

/** PutRecords with some records failed: the rest go to the service, and the answer merges both. */
async function partial(jsonType: string, call: AwsCall, index: number, f: PartialFailure, respond: AwsFaultOptions["respond"]): Promise<Response> {
  const records = Array.isArray(call.input.Records) ? (call.input.Records as unknown[]) : [];
  const fails = records.map((_, i) => f.failed[i % f.failed.length] === true);
  const through = records.filter((_, i) => !fails[i]);
  const answered = through.length > 0 ? ((await answer(respond, { operation: call.operation, input: { ...call.input, Records: through } }, index)) as { Records?: unknown[] }) : { Records: [] };
  const ok = [...(answered.Records ?? [])];
  const out = fails.map((failed) => (failed ? { ErrorCode: f.code, ErrorMessage: f.code === "InternalFailure" ? "Internal service failure." : "Rate exceeded for shard shardId-000000000000 in stream under account 123456789012." } : ok.shift()));
  // The service's fake may fail records of its own (a stream that throttles): every failed record counts.
  const failedCount = out.filter((r) => typeof r === "object" && r !== null && "ErrorCode" in r && (r as { ErrorCode?: unknown }).ErrorCode !== undefined).length;
  return okResponse(jsonType, { ...answered, FailedRecordCount: failedCount, Records: out });
}

/** In the message of every failure thrown on purpose, so that msw's print of it can be told apart (injectedFailureLog). */
const INJECTED_TAG = "injected by gameday/testing";

/**
 * The error a socket gives (Node's shape: code, errno, syscall). Thrown from the handler, msw's
 * interceptor fails the request with it as is (a Node-like error), where HttpResponse.error()
 * would give a TypeError that the SDK takes for no transient failure and never retries.
 */
function socketError(code: "ECONNRESET" | "ETIMEDOUT", detail: string): Error {
  return Object.assign(new Error(`read ${code} (${INJECTED_TAG}${detail})`), { code, errno: code === "ECONNRESET" ? -104 : -110, syscall: "read" });
}

/**
 * Whether a console line is msw's print of a reset or timeout awsFaults threw on purpose: msw 2
 * prints every exception a handler throws (the error, then "[MSW] Encountered an unhandled
 * exception..."), with no way to silence it, and a property test throws hundreds. For vitest's
 * `onConsoleLog: (log) => !injectedFailureLog(log)`. A genuine exception (a bug in your
 * `respond`) is still printed; only msw's one-line pointer to it is dropped with ours.
 */
export function injectedFailureLog(log: string): boolean {
  return log.includes(INJECTED_TAG) || log.includes("[MSW] Encountered an unhandled exception during the handler lookup");
}

export function awsFaults(options: AwsFaultOptions): AwsFaultHandler {
  const calls: InjectedCall[] = [];
  /** The message of the first request respond returned nothing for. */
  let broken: string | undefined;
  const handler = http.post(options.url ?? /.*/, async ({ request }) => {
    const target = request.headers.get("x-amz-target") ?? "";
    const jsonType = request.headers.get("content-type") ?? "application/x-amz-json-1.1";
    // A query-protocol client (EC2, IAM, Auto Scaling, SNS) posts a form, which the JSON answers
    // below cannot fail or answer: say so, rather than a JSON parse error from deep inside msw.
    if (!jsonType.startsWith("application/x-amz-json")) {
      throw new TypeError(`awsFaults: ${request.url} was sent as ${jsonType}, not the AWS JSON protocol (application/x-amz-json-1.0/1.1) that awsFaults answers: give it a url that matches only the JSON-protocol clients' endpoints (Kinesis, ECS, CloudWatch, ...)`);
    }
    const operation = target.slice(target.lastIndexOf(".") + 1);
    const text = await request.text();
    const input = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const index = calls.length;
    const planned = options.sequence[index] ?? null;
    // Failures aimed at one operation leave the others alone.
    const failure = planned?.kind === "partial-failure" && operation !== "PutRecords" ? null : planned?.kind === "expired-iterator" && operation !== "GetRecords" ? null : planned;
    calls.push({ index, operation, failure });
    const call = { operation, input };
    // Once respond has returned nothing, every request fails as that one did: a caller that retries
    // whatever fails must not get through on a later answer and pass the test with the bug in it.
    if (broken !== undefined) return errorResponse(jsonType, 400, RESPOND_RETURNED_UNDEFINED, `${broken}; request #${index} (${operation || "no X-Amz-Target"}) fails with it too, as every later request does, so that no retry hides it`);
    try {
      return await answerOrFail(call, index, failure, jsonType);
    } catch (err) {
      if (!(err instanceof RespondReturnedNothing)) throw err;
      broken = err.message;
      // Printed too, for code under test that swallows the error: injectedFailureLog does not drop it.
      console.error(err.message);
      return errorResponse(jsonType, 400, RESPOND_RETURNED_UNDEFINED, err.message);
    }
  });
  async function answerOrFail(call: AwsCall, index: number, failure: AwsFailure | null, jsonType: string): Promise<Response> {
    if (failure === null) return okResponse(jsonType, await answer(options.respond, call, index));
    switch (failure.kind) {
      case "throttling":
        return errorResponse(jsonType, 400, failure.code, "Rate exceeded");
      case "server-error":
        return errorResponse(jsonType, failure.status, failure.code, "We encountered an internal error. Please try again.");
      case "timeout":
        await options.advance?.(failure.afterMs);
        throw socketError("ETIMEDOUT", `: no answer within ${failure.afterMs} ms`);
      case "connection-reset":
        throw socketError("ECONNRESET", "");
      case "partial-failure":
        return partial(jsonType, call, index, failure, options.respond);
      case "expired-iterator":
        return errorResponse(jsonType, 400, "ExpiredIteratorException", "Iterator expired. The iterator was created at time ... while right now it is ... which is further in the future than the tolerated delay of 300000 milliseconds.");
    }
  }
  return {
    handler,
    calls,
    describe: () =>
      [...(broken !== undefined ? [broken] : []), ...calls.filter((c) => c.failure !== null).map((c) => `#${c.index} ${c.operation}: ${describeFailure(c.failure)}`)].join("; ") || "no failure injected",
  };
}
