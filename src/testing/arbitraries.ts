/**
 * fast-check arbitraries of AWS failures and of sequences of them, for property tests of code that
 * calls AWS (retry wrappers, producers, consumers). They shrink toward fewer failures and simpler
 * ones, so a failing property ends on the smallest sequence that breaks it.
 */
import type { Arbitrary } from "fast-check";
import { fc } from "./peers.js";
import type { AwsFailure, AwsFailureKind, ConnectionReset, ExpiredIterator, PartialFailure, ServerError, Throttling, Timeout } from "./failures.js";

export function throttling(codes: readonly string[] = ["ProvisionedThroughputExceededException", "ThrottlingException"]): Arbitrary<Throttling> {
  return fc.constantFrom(...codes).map((code) => ({ kind: "throttling" as const, code }));
}

export function serverError(): Arbitrary<ServerError> {
  return fc.constantFrom<[ServerError["status"], string]>([500, "InternalFailure"], [503, "ServiceUnavailable"], [502, "BadGateway"], [504, "GatewayTimeout"]).map(([status, code]) => ({ kind: "server-error" as const, status, code }));
}

/** A whole number of at least `min`, or a RangeError naming the option (fast-check's own says only "maximum value"). */
function atLeast(what: string, value: number | undefined, min: number): number | undefined {
  if (value !== undefined && !(Number.isInteger(value) && value >= min)) throw new RangeError(`${what} must be a whole number of ${min} or more, found ${value}`);
  return value;
}

export function timeout(options: { maxMs?: number } = {}): Arbitrary<Timeout> {
  return fc.integer({ min: 1, max: atLeast("timeout: maxMs", options.maxMs, 1) ?? 30_000 }).map((afterMs) => ({ kind: "timeout" as const, afterMs }));
}

export function connectionReset(): Arbitrary<ConnectionReset> {
  return fc.constant({ kind: "connection-reset" as const });
}

/** A PutRecords answer that fails some records; at least one fails, and the pattern repeats over the batch. */
export function partialFailure(options: { maxPattern?: number } = {}): Arbitrary<PartialFailure> {
  return fc
    .record({
      failed: fc.array(fc.boolean(), { minLength: 1, maxLength: atLeast("partialFailure: maxPattern", options.maxPattern, 1) ?? 8 }).filter((xs) => xs.includes(true)),
      code: fc.constantFrom("ProvisionedThroughputExceededException" as const, "InternalFailure" as const),
    })
    .map((p) => ({ kind: "partial-failure" as const, ...p }));
}

export function expiredIterator(): Arbitrary<ExpiredIterator> {
  return fc.constant({ kind: "expired-iterator" as const });
}

const BY_KIND: Record<AwsFailureKind, () => Arbitrary<AwsFailure>> = {
  throttling: () => throttling(),
  "server-error": () => serverError(),
  timeout: () => timeout(),
  "connection-reset": () => connectionReset(),
  "partial-failure": () => partialFailure(),
  "expired-iterator": () => expiredIterator(),
};

/** Any one failure, of the kinds asked for (all by default). */
export function awsFailure(options: { kinds?: readonly AwsFailureKind[] } = {}): Arbitrary<AwsFailure> {
  const kinds = options.kinds ?? (Object.keys(BY_KIND) as AwsFailureKind[]);
  if (kinds.length === 0) throw new RangeError("awsFailure: kinds is empty");
  // TypeScript catches a misspelt kind; JavaScript callers get this rather than "BY_KIND[k] is not a function".
  const unknown = kinds.filter((k) => !Object.hasOwn(BY_KIND, k));
  if (unknown.length > 0) throw new RangeError(`awsFailure: unknown kind(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}; the kinds are ${Object.keys(BY_KIND).join(", ")}`);
  return fc.oneof(...kinds.map((k) => BY_KIND[k]()));
}

/**
 * What each request in turn gets: a failure, or null (answered normally). `failureRatio` is the
 * share of failures among generated entries (default one half); requests past the end of the
 * sequence are answered normally, so a retrying caller always gets through eventually.
 */
export function failureSequence(options: { maxLength?: number; kinds?: readonly AwsFailureKind[]; failureRatio?: number } = {}): Arbitrary<(AwsFailure | null)[]> {
  const ratio = options.failureRatio ?? 0.5;
  if (!(ratio > 0 && ratio <= 1)) throw new RangeError(`failureSequence: failureRatio must be in (0, 1], found ${ratio}`);
  const weight = Math.max(1, Math.round((ratio / (1 - ratio || 1)) * 10));
  const entry = ratio === 1 ? awsFailure(options) : fc.oneof({ arbitrary: fc.constant(null), weight: 10 }, { arbitrary: awsFailure(options), weight });
  return fc.array(entry, { maxLength: atLeast("failureSequence: maxLength", options.maxLength, 0) ?? 10 });
}
