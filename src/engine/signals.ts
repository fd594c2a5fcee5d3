/**
 * Abort helpers on the injected clock. An activity's `timeout` is enforced by aborting a signal
 * when the clock says so; the reason tells callers whether it was the timeout or the run.
 */
import type { Clock } from "../time/clock.js";
import { awsErrorText } from "../aws/retry-middleware.js";

export class StepTimeout extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = "StepTimeout";
  }
}

/** A signal that aborts when `parent` does or after `ms` of clock time; call dispose() when done. */
export function timeoutSignal(clock: Clock, parent: AbortSignal, ms: number | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", onParent, { once: true });
  const cancel = ms === undefined ? () => {} : clock.setTimer(ms, () => controller.abort(new StepTimeout(ms)));
  return {
    signal: controller.signal,
    dispose() {
      cancel();
      parent.removeEventListener("abort", onParent);
    },
  };
}

/** Rejects with the signal's reason as soon as it aborts; otherwise settles like `work`. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

export function errorMessage(err: unknown): string {
  const aws = awsErrorText(err);
  if (aws !== undefined) return aws;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
