/**
 * Allowed windows for runs (gameday.yaml guardrails.windows): weekdays and hours in an IANA time
 * zone, and freeze dates. Judged at the real now, on AWS only (plan-command.ts checkPlan); the next
 * allowed start comes from croner (cron over the window's start, in the zone), skipping freezes.
 */
import { Cron } from "croner";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Windows {
  timezone: string;
  /** Allowed weekdays; every day when not given. */
  days?: Weekday[];
  /** Allowed local hours, start included, end excluded, as minutes since midnight. */
  hours?: { startMin: number; endMin: number };
  /** Local dates (YYYY-MM-DD) on which nothing runs. */
  freeze?: string[];
}

interface Local {
  date: string;
  weekday: Weekday;
  minute: number;
}

function localAt(ms: number, timezone: string): Local {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone: timezone, weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday: parts.weekday!.toLowerCase() as Weekday, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Why `ms` is outside the windows, or undefined when a run may start then. */
function outside(w: Windows, ms: number): string | undefined {
  const l = localAt(ms, w.timezone);
  if (w.freeze?.includes(l.date)) return `${l.date} is a freeze date`;
  if (w.days && !w.days.includes(l.weekday)) return `${l.weekday} is not an allowed day (${w.days.join(", ")})`;
  if (w.hours && !(l.minute >= w.hours.startMin && l.minute < w.hours.endMin)) return `${hhmm(l.minute)} is outside ${hhmm(w.hours.startMin)}-${hhmm(w.hours.endMin)}`;
  return undefined;
}

export type WindowCheck = { allowed: true } | { allowed: false; why: string; next?: number };

export function checkWindow(w: Windows | undefined, now: number): WindowCheck {
  if (!w) return { allowed: true };
  const why = outside(w, now);
  if (why === undefined) return { allowed: true };
  const start = w.hours?.startMin ?? 0;
  const dows = (w.days ?? WEEKDAYS).map((d) => WEEKDAYS.indexOf(d)).join(",");
  const cron = new Cron(`${start % 60} ${Math.floor(start / 60)} * * ${dows}`, { timezone: w.timezone, paused: true });
  let from = new Date(now);
  // A year and a bit of window starts is enough to step over any list of freeze dates.
  for (let i = 0; i < 400; i++) {
    const next = cron.nextRun(from);
    if (!next) break;
    if (outside(w, next.getTime()) === undefined) return { allowed: false, why, next: next.getTime() };
    from = next;
  }
  return { allowed: false, why };
}

function hhmm(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;
}
