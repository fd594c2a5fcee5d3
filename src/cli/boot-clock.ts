/**
 * How a sandbox in scaled real time boots: in virtual time, so that the minutes of stack time a
 * stack takes to come up (launching instances, placing tasks, health checks) pass in well under a
 * wall second; starting a little in the past and running on in virtual time until level with the
 * wall clock; then paced to the speed asked. `chaos sandbox serve` and `chaos run --speed` share it,
 * so the timestamps a run or a client sees agree with the wall clock.
 */
import type { Clock, VirtualClock } from "../time/clock.js";

/**
 * How far before the wall clock the boot starts: the default stack is up in 1.5 stack minutes, and
 * the rest is run in virtual time (under a second). A slower stack ends its boot a little ahead.
 */
export const BOOT_LOOKBACK_MS = 5 * 60_000;

/** Where a booting clock starts: BOOT_LOOKBACK_MS before the wall clock. */
export function bootStart(wall: Clock): number {
  return wall.now() - BOOT_LOOKBACK_MS;
}

/**
 * Runs the booted stack on in virtual time until its clock is level with the wall clock. Returns how
 * far behind it was (negative: the boot ran past the wall clock and the stack is that far ahead),
 * or undefined when `signal` stopped it.
 */
export async function runOnToWall(clock: VirtualClock, wall: Clock, signal?: AbortSignal): Promise<number | undefined> {
  const behind = wall.now() - clock.now();
  if (behind <= 0) return behind;
  try {
    await clock.sleep(behind, signal);
  } catch (err) {
    if (signal?.aborted) return undefined;
    throw err;
  }
  return behind;
}
