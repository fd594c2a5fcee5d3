/**
 * One PutRecords call with a timeout on the injected clock, abandonable by close(). An abandoned
 * or timed-out call may still land in Kinesis: its records are then possible duplicates.
 */
import type { Clock } from "../time/clock.js";
import type { PutResult } from "./kinesis-port.js";
import { CallTimeout, MalformedResponse } from "./errors.js";
import { after } from "./timer.js";

/**
 * Runs one call with a timeout on the clock, registering an abandon function for close(). Kept out
 * of the caller's scope on purpose: a cancelled timer may stay queued in a virtual clock until its
 * due time, and whatever its closure can reach (the records of the call) would stay alive with it.
 */
export function guardedCall(
  clock: Clock,
  timeoutMs: number,
  calls: Set<(reason: Error) => void>,
  expected: number,
  start: (signal: AbortSignal) => Promise<PutResult>,
): Promise<PutResult> {
  const controller = new AbortController();
  let finish: ((outcome: { result: PutResult } | { error: unknown }) => void) | undefined;
  const outcome = new Promise<{ result: PutResult } | { error: unknown }>((resolve) => (finish = resolve));
  const settle = (o: { result: PutResult } | { error: unknown }) => {
    if (!finish) return;
    const done = finish;
    finish = undefined;
    cancelTimer();
    calls.delete(abandon);
    done(o);
  };
  const abandon = (reason: Error) => {
    if (!finish) return;
    controller.abort(reason);
    settle({ error: reason });
  };
  const cancelTimer = after(clock, timeoutMs, () => abandon(new CallTimeout(timeoutMs)));
  calls.add(abandon);
  let pending: Promise<PutResult>;
  try {
    pending = start(controller.signal);
  } catch (error) {
    pending = Promise.reject(error);
  }
  pending.then(
    (result) => {
      const problem = checkResult(result, expected);
      settle(problem ? { error: new MalformedResponse(problem) } : { result });
    },
    (error: unknown) => settle({ error }),
  );
  return outcome.then((o) => {
    if ("error" in o) throw o.error;
    return o.result;
  });
}

/** Why a PutRecords answer cannot be trusted, or undefined when it lines up with the request. */
function checkResult(result: PutResult, expected: number): string | undefined {
  if (!result || !Array.isArray(result.records)) return "the answer has no records array";
  if (result.records.length !== expected) return `the answer has ${result.records.length} records for ${expected} sent`;
  return undefined;
}
