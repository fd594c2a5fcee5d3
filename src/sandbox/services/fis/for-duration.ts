/**
 * The shape of a FIS action that holds a fault in force for its `duration` parameter (Lambda's
 * invocation faults, gameday's NFS latency, the ECS network faults): `end` undoes the fault, once,
 * when the duration runs out (then the action completes) or when FIS stops the action early.
 */
import { durationMs } from "../../../fis/duration.js";
import type { FisActionContext, FisActionRun } from "./registry.js";

export function forDuration(ctx: FisActionContext, end: () => void, done: () => void): FisActionRun {
  let ended = false;
  const endOnce = () => {
    if (ended) return;
    ended = true;
    end();
  };
  const cancel = ctx.kernel.clock.setTimer(durationMs(ctx.parameters.duration ?? "")!, () => {
    endOnce();
    done();
  });
  return {
    stop() {
      cancel();
      endOnce();
    },
  };
}
