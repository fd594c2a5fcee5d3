/**
 * How the shipper reads the outcome of a PutRecords call: which failures retry, which mean the
 * records themselves are bad (dead letters), and which leave it unknown whether Kinesis stored the
 * records (a resend may then duplicate them).
 */
import { classifyError, type ErrorClass } from "../retry/classify.js";

/** Some records of a call failed; the retry loop resends exactly those. */
export class PartialFailure extends Error {
  override readonly name = "PartialFailure";
  constructor(
    readonly failed: number,
    readonly throttled: boolean,
    readonly firstError: string,
  ) {
    super(`${failed} record(s) failed in PutRecords (first: ${firstError})`);
  }
}

/** The call did not answer within requestTimeoutMs; Kinesis may or may not have stored the records. */
export class CallTimeout extends Error {
  override readonly name = "CallTimeout";
  constructor(readonly ms: number) {
    super(`PutRecords did not answer within ${ms} ms`);
  }
}

/** The answer did not line up with the request (wrong record count or entry shape). */
export class MalformedResponse extends Error {
  override readonly name = "MalformedResponse";
}

/** The shipper stopped a batch: the breaker opened, or close() was called. */
export class ShipperAbort extends Error {
  override readonly name = "ShipperAbort";
  constructor(
    message: string,
    /** True when a call was on the wire: its records may have been stored. */
    readonly midCall = false,
  ) {
    super(message);
  }
}

const INVALID_INPUT = new Set(["InvalidArgumentException", "ValidationException"]);
const AMBIGUOUS_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
/** Connection failures after the request may have been sent (ECONNREFUSED is not one: nothing was sent). */
const AMBIGUOUS_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT"]);

/** Kinesis refused the request because of what is in it: retrying cannot help; bisect to find the bad record. */
export function isInvalidInput(error: unknown): boolean {
  return INVALID_INPUT.has(nameOf(error));
}

/** Whether the records of a failed call may nonetheless have been stored. */
export function isAmbiguous(error: unknown): boolean {
  if (error instanceof CallTimeout || error instanceof MalformedResponse) return true;
  if (error instanceof ShipperAbort) return error.midCall;
  const code = error && typeof error === "object" ? (error as { code?: unknown }).code : undefined;
  return AMBIGUOUS_NAMES.has(nameOf(error)) || (typeof code === "string" && AMBIGUOUS_CODES.has(code));
}

/** The retry loop's classification: partial failures and timeouts retry, shipper aborts never do. */
export function classifyForShipper(error: unknown): ErrorClass {
  if (error instanceof PartialFailure) return error.throttled ? "throttling" : "transient";
  if (error instanceof CallTimeout || error instanceof MalformedResponse) return "transient";
  if (error instanceof ShipperAbort) return "client";
  return classifyError(error);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function nameOf(error: unknown): string {
  const name = error && typeof error === "object" ? (error as { name?: unknown }).name : undefined;
  return typeof name === "string" ? name : "";
}
