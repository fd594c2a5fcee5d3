/**
 * Lifecycle-hook timing as the Amazon EC2 Auto Scaling documentation fixes it:
 * - "The maximum amount of time that you can keep an instance in a wait state is 48 hours or 100
 *   times the heartbeat timeout, whichever is smaller." (User Guide, "Amazon EC2 Auto Scaling
 *   lifecycle hooks"; API Reference, LifecycleHook.GlobalTimeout).
 * - RecordLifecycleActionHeartbeat restarts the heartbeat timeout (API Reference); it cannot
 *   extend the wait beyond the global timeout.
 * - When either timeout passes, the hook's DefaultResult applies (API Reference, PutLifecycleHook).
 */

export const MAX_GLOBAL_TIMEOUT_MS = 48 * 3_600_000;

/** The global timeout of a hook with this heartbeat timeout. */
export function globalTimeoutMs(heartbeatTimeoutMs: number): number {
  return Math.min(100 * heartbeatTimeoutMs, MAX_GLOBAL_TIMEOUT_MS);
}

/** When the default result applies, given the last heartbeat (or the action's start). */
export function expiresAt(startedAt: number, lastHeartbeatAt: number, heartbeatTimeoutMs: number): number {
  return Math.min(lastHeartbeatAt + heartbeatTimeoutMs, startedAt + globalTimeoutMs(heartbeatTimeoutMs));
}
