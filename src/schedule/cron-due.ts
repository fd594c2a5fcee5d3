/**
 * Which schedules are due at a check (`chaos schedule run-due`): a schedule is due when one of its
 * fire times fell since the last check. It runs once, for the latest of them; earlier ones that
 * were missed (the machine was off, nobody called run-due) are reported, not replayed. The first
 * check of a schedule looks back one minute, so a run-due called every minute catches it.
 */
import { fireTimesBetween } from "./cron.js";
import type { Schedule } from "./schedules-config.js";

export const FIRST_CHECK_LOOKBACK_MS = 60_000;

export interface ScheduleState {
  /** Epoch ms of the last run-due that looked at this schedule. */
  lastCheck?: number;
  lastRun?: { at: number; scheduledFor: number; exitCode: number | null };
}

export interface DueDecision {
  schedule: Schedule;
  /** The fire time to run now, if any. */
  due?: number;
  /** Earlier fire times since the last check that are not replayed. */
  missed: number[];
  /** More were missed than are listed. */
  moreMissed: boolean;
}

const MAX_MISSED_LISTED = 100;

export function decideDue(schedule: Schedule, state: ScheduleState | undefined, now: number): DueDecision {
  const since = state?.lastCheck ?? now - FIRST_CHECK_LOOKBACK_MS;
  // A clock set back since the last check: nothing is due until it passes that check again.
  if (since >= now) return { schedule, missed: [], moreMissed: false };
  const { times, more } = fireTimesBetween(schedule.cron, since, now, MAX_MISSED_LISTED + 1);
  if (times.length === 0) return { schedule, missed: [], moreMissed: false };
  const due = times[times.length - 1]!;
  return { schedule, due, missed: times.slice(0, -1), moreMissed: more };
}
