/**
 * The built-in aws:fis:wait action: no target, one `duration` parameter from PT1M to PT12H
 * (FIS actions reference). It completes when the duration has passed on the kernel's clock;
 * stopping it cancels the timer.
 */
import { durationMs } from "../../../fis/duration.js";
import { describedAction } from "../../../fis/catalog.js";
import type { FisActionType } from "./registry.js";

export const waitAction: FisActionType = {
  ...describedAction("aws:fis:wait"),
  start(ctx, done) {
    const ms = durationMs(ctx.parameters.duration ?? "");
    // Validation guarantees a duration; a missing one would be a sandbox bug, not user input.
    if (ms === undefined) throw new Error(`aws:fis:wait got no valid duration (${String(ctx.parameters.duration)})`);
    const cancel = ctx.kernel.clock.setTimer(ms, done);
    return { stop: cancel };
  },
};
