/**
 * The ways an AWS call fails, as data: what a fault injector applies to one request. Each is what
 * the AWS SDK v3 surfaces to a caller: a service error with its code and status, a response that
 * never comes (a timeout or a reset connection), or, for Kinesis, an answer that is partly a
 * failure (PutRecords' per-record errors) or an iterator that has expired.
 */

/** A throttling error: HTTP 400 with the service's throttling code. */
export interface Throttling {
  kind: "throttling";
  /** ProvisionedThroughputExceededException (Kinesis data plane), ThrottlingException, LimitExceededException... */
  code: string;
}

/** A server-side error: HTTP 5xx. */
export interface ServerError {
  kind: "server-error";
  status: 500 | 502 | 503 | 504;
  /** InternalFailure, ServiceUnavailable, KMSThrottlingException... */
  code: string;
}

/** No answer within the client's timeout: the request fails with no response after `afterMs`. */
export interface Timeout {
  kind: "timeout";
  afterMs: number;
}

/** The connection is reset before any response: the request fails with no response at once. */
export interface ConnectionReset {
  kind: "connection-reset";
}

/**
 * PutRecords answers 200 but fails some records: `failed[i % failed.length]` says whether the
 * i-th record of the request fails (with `code`). Other operations are answered normally.
 */
export interface PartialFailure {
  kind: "partial-failure";
  failed: boolean[];
  code: "ProvisionedThroughputExceededException" | "InternalFailure";
}

/** GetRecords fails with ExpiredIteratorException (HTTP 400). Other operations are answered normally. */
export interface ExpiredIterator {
  kind: "expired-iterator";
}

export type AwsFailure = Throttling | ServerError | Timeout | ConnectionReset | PartialFailure | ExpiredIterator;

export type AwsFailureKind = AwsFailure["kind"];

/** One entry per request, in order: a failure, or null for a request answered normally. */
export type FailureSequence = ReadonlyArray<AwsFailure | null>;

/**
 * "throttling ProvisionedThroughputExceededException", "partial failure x. (x failed, . through;
 * InternalFailure)"... for test output. A partial failure's pattern has one mark per record, and
 * repeats over a longer batch.
 */
export function describeFailure(f: AwsFailure | null): string {
  if (f === null) return "ok";
  switch (f.kind) {
    case "throttling":
      return `throttling ${f.code}`;
    case "server-error":
      return `${f.status} ${f.code}`;
    case "timeout":
      return `timeout after ${f.afterMs} ms`;
    case "connection-reset":
      return "connection reset";
    case "partial-failure":
      return `partial failure ${f.failed.map((x) => (x ? "x" : ".")).join("")} (x failed, . through; ${f.code})`;
    case "expired-iterator":
      return "expired iterator";
  }
}
